"""The help requests' demo content (helprequests/demo.py, run by load_demo): two referents and
a staff account, volunteers who agreed to be proposed requests, requests in every state with
time given, plainly fictitious people; a second load changes nothing. The whole load_demo,
real communes included, is tests/campaign/test_demo*.py's."""

from io import StringIO

from django.contrib.auth import get_user_model

import pytest

from campaign import demo as campaign_demo
from helprequests import demo, selectors
from helprequests.models import (
    REFERENT_GROUP,
    STAFF_GROUP,
    AccessRecord,
    HelpProposal,
    HelpRequest,
    Referent,
)
from kits.factories import CommuneFactory
from volunteers.models import ConsentRecord, Volunteer

pytestmark = pytest.mark.django_db

MODELS = [Referent, HelpRequest, HelpProposal, AccessRecord, Volunteer, ConsentRecord]


@pytest.fixture
def communes():
    return {
        code: CommuneFactory(insee_code=code, name=name, postcode=postcode)
        for code, name, postcode in [
            ("77288", "Melun", "77000"),
            ("59350", "Lille", "59000"),
            ("74010", "Annecy", "74000"),
        ]
    }


def _counts():
    return {
        "users": get_user_model().objects.count(),
        **{model.__name__: model.objects.count() for model in MODELS},
    }


@pytest.fixture
def loaded(communes):
    demo.load(stdout=StringIO())
    return communes


def test_a_second_load_changes_nothing(loaded):
    first = _counts()
    assert first["HelpRequest"] == len(demo.REQUESTS)
    demo.load(stdout=StringIO())
    assert _counts() == first


def test_the_demo_names_a_mairie_referent_an_association_and_staff(loaded):
    User = get_user_model()
    melun = User.objects.get(username="referente-melun")
    fives = User.objects.get(username="centre-social-fives")
    staff = User.objects.get(username="equipe-coups-de-main")
    assert melun.groups.filter(name=REFERENT_GROUP).exists()
    assert fives.groups.filter(name=REFERENT_GROUP).exists()
    assert staff.groups.filter(name=STAFF_GROUP).exists()
    assert list(Referent.objects.filter(user=melun).values_list("commune_id", "organisation")) == [
        ("77288", "")
    ]
    assert list(Referent.objects.filter(user=fives).values_list("commune_id", "organisation")) == [
        ("59350", "Centre social de Fives")
    ]
    assert not Referent.objects.filter(user=staff).exists()
    # Each referent sees their commune's requests, nobody else's; Annecy's go to staff.
    assert {r.commune_id for r in HelpRequest.objects.visible_to(melun)} == {"77288"}
    assert {r.commune_id for r in HelpRequest.objects.visible_to(fives)} == {"59350"}
    assert HelpRequest.objects.without_referent().filter(commune_id="74010").exists()
    # load_demo's closing list gives their passwords.
    listed = {username for _d, username, _p in campaign_demo.ACCOUNTS_CREATED}
    assert {"referente-melun", "centre-social-fives", "equipe-coups-de-main"} <= listed
    for username, password, *_rest in demo.ACCOUNTS:
        assert User.objects.get(username=username).check_password(password)


def test_the_demo_volunteers_agreed_to_be_proposed_requests(loaded):
    proposable = list(Volunteer.objects.proposable().prefetch_related("interests", "consents"))
    assert {v.commune_id for v in proposable} == {"77288", "59350", "74010"}
    assert len(proposable) >= 4
    for volunteer in proposable:
        assert "(démo)" in volunteer.last_name
        assert volunteer.email.endswith("@example.org")
        assert volunteer.availability and list(volunteer.interests.all())
        consent = [c for c in volunteer.consents.all() if c.purpose == "help_requests"]
        assert len(consent) == 1 and consent[0].granted and consent[0].wording


def test_the_demo_requests_cover_every_state_and_give_hours(loaded):
    requests = list(HelpRequest.objects.all())
    assert {r.status for r in requests} == set(HelpRequest.Status.values)
    assert HelpProposal.objects.filter(status=HelpProposal.Status.PENDING).count() == 1
    # A new request in a commune without a referent.
    assert any(r.status == "new" and r.commune_id == "74010" for r in requests)
    # Plainly fictitious people, plain French situations.
    for r in requests:
        assert r.phone.startswith("06 00 00 00 0")
        assert r.email in ("",) or r.email.endswith("@exemple.fr")
        assert r.requester_email in ("",) or r.requester_email.endswith("@exemple.fr")
        assert "lorem" not in r.details.lower() and len(r.details) > 20
    figure = selectors.public_hours(commune=loaded["77288"])
    assert figure.total and figure.commune and figure.department
    assert figure.total.minutes == sum(r.minutes or 0 for r in requests if r.status == "done")


def test_without_the_communes_the_demo_loads_what_it_can(db):
    # load_demo before import_communes: the accounts, nothing tied to a missing commune.
    out = StringIO()
    demo.load(stdout=out)
    assert get_user_model().objects.filter(username="equipe-coups-de-main").exists()
    assert not HelpRequest.objects.exists() and not Referent.objects.exists()
    assert "commune 77288 absente" in out.getvalue()
