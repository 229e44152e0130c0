"""The help requests' admin (helprequests/admin_views.py, wagtail_hooks.py): the queue, a
request's page and its access log lines, the candidates and the proposal, the request taken
by a mairie agent, the referents, the access log and the dashboard panel. A referent of
Melun never reaches Brest's requests; the whole admin is walked by
tests/campaign/test_admin_matrix.py."""

import datetime
import re
from urllib.parse import urlparse

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

import pytest

from campaign.geography.models import Commune
from helprequests.admin_forms import ADMIN_CONSENT_LABEL
from helprequests.factories import (
    HelpProposalFactory,
    HelpRequestFactory,
    ProposableVolunteerFactory,
    ReferentFactory,
)
from helprequests.models import (
    REFERENT_GROUP,
    STAFF_GROUP,
    AccessRecord,
    HelpProposal,
    HelpRequest,
    Referent,
)
from kits.factories import CommuneFactory, DepartmentFactory, RegionFactory
from volunteers.models import Volunteer
from volunteers.models.access import MAIRIE_GROUP_NAME

pytestmark = pytest.mark.django_db

Status = HelpRequest.Status


def url(name, *args):
    return reverse(f"helprequests_admin:{name}", args=args)


@pytest.fixture
def place(db):
    idf = RegionFactory(code="11", name="Île-de-France", slug="ile-de-france")
    bretagne = RegionFactory(code="53", name="Bretagne", slug="bretagne")
    d77 = DepartmentFactory(code="77", name="Seine-et-Marne", slug="seine-et-marne", region=idf)
    d29 = DepartmentFactory(code="29", name="Finistère", slug="finistere", region=bretagne)
    melun = CommuneFactory(insee_code="77288", name="Melun", department=d77, postcode="77000")
    livry = CommuneFactory(
        insee_code="77255", name="Livry-sur-Seine", department=d77, postcode="77000"
    )
    brest = CommuneFactory(insee_code="29019", name="Brest", department=d29, postcode="29200")
    for commune, (lat, lon) in {
        melun: (48.5446, 2.6580),
        livry: (48.5128, 2.6770),
        brest: (48.3904, -4.4861),
    }.items():
        Commune.objects.filter(pk=commune.pk).update(latitude=lat, longitude=lon)
    return {c.name: Commune.objects.get(pk=c.pk) for c in (melun, livry, brest)}


def _user(username, *groups, **kwargs):
    user = get_user_model().objects.create_user(
        username=username, password="x", email=f"{username}@mairie.example", **kwargs
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def referent_a(place):
    user = _user("referente-melun", REFERENT_GROUP, first_name="Rita", last_name="Melun")
    ReferentFactory(user=user, commune=place["Melun"])
    return user


@pytest.fixture
def referent_b(place):
    user = _user("referent-brest", REFERENT_GROUP)
    ReferentFactory(user=user, commune=place["Brest"])
    return user


@pytest.fixture
def staff(db):
    return _user("equipe", STAFF_GROUP)


@pytest.fixture
def requests_(place):
    """One request in Melun, one in Brest; personal data no admin page holds by chance."""
    return {
        "a": HelpRequestFactory(
            commune=place["Melun"],
            first_name="Germaine",
            phone="06 11 22 33 44",
            email="germaine@exemple.fr",
            requester_name="Voisine Odile",
            asked_by=HelpRequest.AskedBy.NEIGHBOUR,
        ),
        "b": HelpRequestFactory(
            commune=place["Brest"],
            first_name="Yvonnick",
            phone="06 55 66 77 88",
            email="yvonnick@exemple.fr",
        ),
    }


PERSONAL_A = ["Germaine", "06 11 22 33 44", "germaine@exemple.fr", "Voisine Odile"]
PERSONAL_B = ["Yvonnick", "06 55 66 77 88", "yvonnick@exemple.fr"]


def _html(response):
    return response.content.decode()


# --- the queue ---------------------------------------------------------------------------


def test_a_referent_s_queue_lists_only_their_communes_requests_without_names(
    client, referent_a, requests_
):
    client.force_login(referent_a)
    response = client.get(url("index"))
    assert response.status_code == 200
    html = _html(response)
    assert f"Demande n° {requests_['a'].pk}" in html
    assert f"Demande n° {requests_['b'].pk}" not in html
    assert "Melun" in html and "Brest" not in html
    # Read over shoulders: no name, no contact, even of their own requests.
    for value in PERSONAL_A + PERSONAL_B:
        assert value not in html
    # Neither a filter nor the export widens it.
    for params in ({"state": "all"}, {"commune": "29019"}, {"commune": "Brest"}):
        assert f"Demande n° {requests_['b'].pk}" not in _html(client.get(url("index"), params))
    export = client.get(url("index"), {"export": "csv", "state": "all"})
    text = b"".join(export.streaming_content).decode()
    assert "77288" in text and "29019" not in text
    for value in PERSONAL_A:
        assert value not in text


def test_the_queue_shows_open_requests_unless_another_state_is_chosen(client, staff, requests_):
    done = HelpRequestFactory(commune=requests_["a"].commune, status=Status.DONE, minutes=60)
    client.force_login(staff)
    html = _html(client.get(url("index")))
    assert f"Demande n° {requests_['a'].pk}" in html
    assert f"Demande n° {requests_['b'].pk}" in html
    assert f"Demande n° {done.pk}<" not in html
    html = _html(client.get(url("index"), {"state": "done"}))
    assert f"Demande n° {done.pk}" in html and f"Demande n° {requests_['a'].pk}<" not in html
    html = _html(client.get(url("index"), {"commune": "29019"}))
    assert f"Demande n° {requests_['b'].pk}" in html
    assert f"Demande n° {requests_['a'].pk}<" not in html


def test_the_queue_takes_the_same_queries_at_two_sizes(client, referent_a, place):
    client.force_login(referent_a)
    client.get(url("index"))  # warm the per-process caches (content types, interests)
    counts = []
    for size in (2, 14):
        for _ in range(size - HelpRequest.objects.count()):
            HelpRequestFactory(commune=place["Melun"])
            HelpRequestFactory(commune=place["Brest"])
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url("index"))
        assert response.status_code == 200
        assert _html(response).count("Demande n° ") >= size // 2
        counts.append(len(ctx))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_staff_export_holds_no_personal_data(client, staff, requests_, fmt):
    import io
    import zipfile

    client.force_login(staff)
    response = client.get(url("index"), {"export": fmt})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "xlsx":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            body = b"".join(archive.read(name) for name in archive.namelist())
    text = body.decode("utf-8", errors="replace")
    assert "Melun" in text and "Brest" in text and "Courses et petits services" in text
    for value in PERSONAL_A + PERSONAL_B + ["Porter les courses"]:
        assert value not in text


def test_users_who_are_not_referents_nor_staff_see_no_request(client, place, requests_):
    mairie = _user("mairie-melun", MAIRIE_GROUP_NAME)
    from volunteers.factories import MairieAccessFactory

    MairieAccessFactory(user=mairie, commune=place["Melun"])
    client.force_login(mairie)
    for address in (url("index"), url("detail", requests_["a"].pk), url("add")):
        response = client.get(address)
        assert response.status_code in (302, 403)
        assert "Germaine" not in _html(response)
    home = _html(client.get(reverse("wagtailadmin_home")))
    assert "Coups de main" not in home


# --- a request's page --------------------------------------------------------------------


def test_the_request_s_page_shows_the_contact_and_writes_the_access_log(
    client, referent_a, requests_
):
    help_request = requests_["a"]
    client.force_login(referent_a)
    response = client.get(url("detail", help_request.pk))
    assert response.status_code == 200
    html = _html(response)
    for value in PERSONAL_A:
        assert value in html
    assert escape(help_request.consent_wording) in html
    assert "un voisin ou une voisine" in html
    assert "Chercher un·e bénévole" in html and "Clore sans aide" in html
    record = AccessRecord.objects.get()
    assert (record.user, record.action, record.request, record.commune_id) == (
        referent_a,
        AccessRecord.Action.VIEW_REQUEST,
        help_request,
        "77288",
    )
    client.get(url("detail", help_request.pk))
    assert AccessRecord.objects.filter(action=AccessRecord.Action.VIEW_REQUEST).count() == 2


def test_an_accepted_request_shows_the_volunteer_s_contact_and_logs_it(
    client, referent_a, place, requests_
):
    volunteer = ProposableVolunteerFactory(
        commune=place["Melun"], first_name="Basile", last_name="Nomcache", phone="07 01 02 03 04"
    )
    help_request = requests_["a"]
    HelpProposalFactory(
        request=help_request, volunteer=volunteer, status=HelpProposal.Status.ACCEPTED
    )
    HelpRequest.objects.filter(pk=help_request.pk).update(
        status=Status.ACCEPTED, volunteer=volunteer, matched_at=timezone.now()
    )
    client.force_login(referent_a)
    html = _html(client.get(url("detail", help_request.pk)))
    assert "Basile" in html and volunteer.email in html and "07 01 02 03 04" in html
    assert "Nomcache" not in html
    assert AccessRecord.objects.filter(
        action=AccessRecord.Action.VIEW_VOLUNTEER, volunteer=volunteer, user=referent_a
    ).exists()


def test_a_person_without_email_is_to_be_phoned(client, referent_a, place):
    help_request = HelpRequestFactory(commune=place["Melun"], first_name="Lucienne", email="")
    client.force_login(referent_a)
    html = _html(client.get(url("detail", help_request.pk)))
    assert "Prévenez Lucienne par téléphone : elle ou il n'a pas d'adresse e-mail." in html


def test_a_referent_of_melun_reaches_nothing_of_brest(client, referent_a, place, requests_):
    other = requests_["b"]
    volunteer_b = ProposableVolunteerFactory(commune=place["Brest"], interests=["courses-services"])
    proposal = HelpProposalFactory(request=other, volunteer=volunteer_b)
    HelpRequest.objects.filter(pk=other.pk).update(status=Status.PROPOSED)
    client.force_login(referent_a)
    client.raise_request_exception = False
    for name in ("detail", "candidates"):
        response = client.get(url(name, other.pk))
        assert response.status_code == 404
        assert "Yvonnick" not in _html(response)
    for name, data in (
        ("propose", {"volunteer": volunteer_b.pk}),
        ("cancel_proposal", {"proposal": proposal.pk}),
        ("close", {"reason": "fake"}),
    ):
        assert client.post(url(name, other.pk), data).status_code == 404
    other.refresh_from_db()
    proposal.refresh_from_db()
    assert other.status == Status.PROPOSED and proposal.status == HelpProposal.Status.PENDING
    assert not AccessRecord.objects.filter(request=other).exists()


# --- candidates and proposals ------------------------------------------------------------


@pytest.fixture
def candidates_(place):
    return {
        "near": ProposableVolunteerFactory(
            commune=place["Melun"],
            first_name="Camille",
            last_name="Secretnom",
            phone="07 99 99 99 99",
            interests=["courses-services"],
            availability=["weekday"],
        ),
        "other_interest": ProposableVolunteerFactory(
            commune=place["Melun"],
            first_name="Dominique",
            last_name="Autrenom",
            interests=["aines"],
            availability=["weekday"],
        ),
        "brest": ProposableVolunteerFactory(
            commune=place["Brest"], first_name="Erwan", interests=["courses-services"]
        ),
    }


def test_the_candidates_page_shows_labels_never_contacts_and_is_logged(
    client, referent_a, requests_, candidates_
):
    client.force_login(referent_a)
    response = client.get(url("candidates", requests_["a"].pk))
    assert response.status_code == 200
    html = _html(response)
    assert "Camille S." in html
    assert "Dominique" not in html  # another interest, until the box is ticked
    assert "Erwan" not in html
    near = candidates_["near"]
    for value in (near.email, "Secretnom", "07 99 99 99 99"):
        assert value not in html
    assert AccessRecord.objects.filter(
        action=AccessRecord.Action.VIEW_CANDIDATES, user=referent_a, request=requests_["a"]
    ).exists()
    html = _html(client.get(url("candidates", requests_["a"].pk), {"any_interest": "1"}))
    assert "Dominique A." in html and "pas ce type d'aide" in html
    assert "Erwan" not in html
    # The volunteer is posted, never put in an address.
    assert f"?volunteer={near.pk}" not in html and 'name="volunteer"' in html


def test_proposing_to_a_candidate(
    client, referent_a, requests_, candidates_, mailoutbox, django_capture_on_commit_callbacks
):
    help_request = requests_["a"]
    near = candidates_["near"]
    client.force_login(referent_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("propose", help_request.pk), {"volunteer": near.pk})
    assert response.status_code == 302 and response["Location"] == url("detail", help_request.pk)
    proposal = HelpProposal.objects.get()
    assert (proposal.request, proposal.volunteer, proposal.proposed_by) == (
        help_request,
        near,
        referent_a,
    )
    help_request.refresh_from_db()
    assert help_request.status == Status.PROPOSED
    assert [m.to for m in mailoutbox if near.email in m.to]
    html = _html(client.get(response["Location"]))
    assert "La demande a été proposée." in html
    assert "Annuler la proposition" in html and "Camille S." in html


def test_proposing_a_volunteer_who_is_no_candidate_is_refused(
    client, referent_a, requests_, candidates_
):
    help_request = requests_["a"]
    client.force_login(referent_a)
    for volunteer in (candidates_["brest"], candidates_["other_interest"]):
        response = client.post(url("propose", help_request.pk), {"volunteer": volunteer.pk})
        assert response.status_code == 302
        assert urlparse(response["Location"]).path == url("candidates", help_request.pk)
        html = _html(client.get(response["Location"]))
        assert "ne fait pas partie des bénévoles disponibles" in html
    for junk in ("", "abc", "٣", "99999999999999999999999"):
        assert client.post(url("propose", help_request.pk), {"volunteer": junk}).status_code == 302
    assert not HelpProposal.objects.exists()
    help_request.refresh_from_db()
    assert help_request.status == Status.NEW
    # With the box ticked, the one of another interest is a candidate.
    client.post(
        url("propose", help_request.pk),
        {"volunteer": candidates_["other_interest"].pk, "any_interest": "1"},
    )
    assert HelpProposal.objects.get().volunteer == candidates_["other_interest"]


def test_two_referents_proposing_the_same_request_one_wins(
    client, referent_a, place, requests_, candidates_
):
    second = _user("second-referent", REFERENT_GROUP)
    ReferentFactory(user=second, commune=place["Melun"])
    other = ProposableVolunteerFactory(
        commune=place["Melun"], interests=["courses-services"], availability=["weekday"]
    )
    help_request = requests_["a"]
    client.force_login(referent_a)
    client.post(url("propose", help_request.pk), {"volunteer": candidates_["near"].pk})
    client.force_login(second)
    for volunteer in (other, candidates_["near"]):
        response = client.post(url("propose", help_request.pk), {"volunteer": volunteer.pk})
        html = _html(client.get(response["Location"]))
        assert "Une autre personne vient de proposer cette demande" in html
    assert HelpProposal.objects.count() == 1


def test_cancelling_a_proposal_then_closing_the_request(client, referent_a, requests_, candidates_):
    help_request = requests_["a"]
    client.force_login(referent_a)
    client.post(url("propose", help_request.pk), {"volunteer": candidates_["near"].pk})
    proposal = HelpProposal.objects.get()
    client.post(url("cancel_proposal", help_request.pk), {"proposal": proposal.pk})
    proposal.refresh_from_db()
    help_request.refresh_from_db()
    assert proposal.status == HelpProposal.Status.CANCELLED
    assert help_request.status == Status.SEARCHING
    response = client.post(url("close", help_request.pk), {"reason": "bogus"})
    assert "Choisissez la raison" in _html(client.get(response["Location"]))
    client.post(url("close", help_request.pk), {"reason": "no_volunteer"})
    help_request.refresh_from_db()
    assert help_request.status == Status.CLOSED
    assert help_request.closed_reason == HelpRequest.ClosedReason.NO_VOLUNTEER
    assert AccessRecord.objects.filter(action=AccessRecord.Action.CLOSE).exists()
    response = client.post(url("close", help_request.pk), {"reason": "fake"})
    assert "déjà faite ou close" in _html(client.get(response["Location"]))
    html = _html(client.get(url("candidates", help_request.pk)))
    assert "n'attend pas de bénévole" in html and "Camille" not in html


# --- the request taken by the mairie -----------------------------------------------------


def _form(**overrides):
    data = {
        "first_name": "Marcelle",
        "commune": "77288",
        "category": "courses-services",
        "availability": ["weekday"],
        "when_details": "Jeudi matin",
        "details": "Porter des courses.",
        "phone": "06 12 34 56 78",
        "email": "",
        "language": "fr",
        "asked_by": "mairie",
        "requester_name": "",
        "requester_email": "",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_referent_takes_a_request_by_phone(
    client, referent_a, place, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(referent_a)
    page = _html(client.get(url("add")))
    assert escape(str(ADMIN_CONSENT_LABEL)) in page
    assert "Brest" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("add"), _form())
    help_request = HelpRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", help_request.pk)
    assert help_request.source == HelpRequest.Source.ADMIN
    assert help_request.created_by == referent_a
    assert help_request.commune == place["Melun"]
    assert help_request.consent_wording == str(ADMIN_CONSENT_LABEL)
    assert help_request.asked_by == HelpRequest.AskedBy.MAIRIE
    assert help_request.phone == "06 12 34 56 78"
    assert AccessRecord.objects.filter(
        action=AccessRecord.Action.CREATE_REQUEST, request=help_request
    ).exists()
    # The referent of the commune is told (the task runs at once in tests).
    assert any(referent_a.email in m.to for m in mailoutbox)


def test_the_admin_form_says_what_is_missing(client, referent_a, place):
    client.force_login(referent_a)
    response = client.post(url("add"), _form(consent=None, phone="", email=""))
    assert response.status_code == 400
    html = _html(response)
    assert "Sans l&#x27;accord de la personne" in html
    assert "Indiquez un téléphone ou une adresse e-mail de la personne" in html
    response = client.post(url("add"), _form(commune="29019", phone="pas un numéro"))
    html = _html(response)
    assert response.status_code == 400
    assert "Choisissez l&#x27;une de vos communes." in html
    assert "Saisissez un numéro de téléphone" in html
    assert not HelpRequest.objects.exists()


def test_staff_type_any_commune_and_choose_when_a_postcode_has_several(client, staff, place):
    client.force_login(staff)
    response = client.post(url("add"), _form(commune=None, commune_search="77000"))
    assert response.status_code == 400
    html = _html(response)
    assert "Plusieurs communes correspondent" in html
    assert 'value="77255"' in html and 'value="77288"' in html
    response = client.post(
        url("add"), _form(commune_search="77000", commune="77255", requester_email="x")
    )
    html = _html(response)
    assert response.status_code == 400
    # Sent back for another field, the commune chosen stays chosen.
    assert re.search(r'<input[^>]*value="77255"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="77288"[^>]*checked', html)
    client.post(url("add"), _form(commune_search="77000", commune="77255"))
    client.post(url("add"), _form(commune=None, commune_search="Brest", email="p@exemple.fr"))
    assert sorted(HelpRequest.objects.values_list("commune_id", flat=True)) == [
        "29019",
        "77255",
    ]
    response = client.post(url("add"), _form(commune=None, commune_search="Atlantide"))
    assert "Aucune commune ne correspond" in _html(response)


# --- referents, access log, dashboard ----------------------------------------------------


def test_staff_name_referents_who_join_the_group_and_leave_it_with_their_last_row(
    client, staff, place
):
    newcomer = _user("nouvelle")
    client.force_login(staff)
    add = reverse("wagtailsnippets_helprequests_referent:add")
    assert client.get(add).status_code == 200
    response = client.post(add, {"user": newcomer.pk, "commune": "2a004 ", "organisation": ""})
    assert "Code INSEE inconnu" in _html(response)
    response = client.post(add, {"user": newcomer.pk, "commune": "77288", "organisation": ""})
    assert response.status_code == 302
    referent = Referent.objects.get(user=newcomer)
    assert newcomer.groups.filter(name=REFERENT_GROUP).exists()
    # The row given to someone else: they join the group, the first one leaves it.
    successor = _user("successeur")
    edit = reverse("wagtailsnippets_helprequests_referent:edit", args=[referent.pk])
    response = client.post(edit, {"user": successor.pk, "commune": "77288", "organisation": ""})
    assert response.status_code == 302
    assert successor.groups.filter(name=REFERENT_GROUP).exists()
    assert not newcomer.groups.filter(name=REFERENT_GROUP).exists()
    response = client.post(edit, {"user": newcomer.pk, "commune": "77288", "organisation": ""})
    assert newcomer.groups.filter(name=REFERENT_GROUP).exists()
    delete = reverse("wagtailsnippets_helprequests_referent:delete", args=[referent.pk])
    client.post(delete)
    assert not Referent.objects.filter(user=newcomer).exists()
    assert not newcomer.groups.filter(name=REFERENT_GROUP).exists()


def test_referents_and_mairie_users_never_reach_the_referents_nor_the_log(
    client, referent_a, referent_b, staff, requests_
):
    client.force_login(referent_a)
    client.get(url("detail", requests_["a"].pk))
    for address in (
        reverse("wagtailsnippets_helprequests_referent:list"),
        reverse("wagtailsnippetchoosers_helprequests_referent:choose"),
        reverse("helprequests_access_log:index"),
    ):
        response = client.get(address)
        assert response.status_code in (302, 403), address
        assert "referent-brest" not in _html(response)
    client.force_login(staff)
    html = _html(client.get(reverse("wagtailsnippets_helprequests_referent:list")))
    assert "referent-brest" in html and "referente-melun" in html
    html = _html(client.get(reverse("helprequests_access_log:index")))
    assert "Rita Melun" in html and f"Demande n° {requests_['a'].pk}" in html
    assert "Germaine" not in html
    html = _html(
        client.get(
            reverse("helprequests_access_log:index"),
            {"action": "view_candidates", "commune": "77288"},
        )
    )
    assert "Rita Melun" not in html


def test_the_dashboard_panel_shows_each_user_their_figures(
    client, staff, referent_a, place, requests_, django_assert_num_queries
):
    now = timezone.now()
    for commune, minutes in ((place["Melun"], 90), (place["Brest"], 45)):
        HelpRequestFactory(
            commune=commune,
            status=Status.DONE,
            minutes=minutes,
            matched_at=now - datetime.timedelta(hours=1),
            created_at=now - datetime.timedelta(hours=5),
            done_at=now,
            closed_at=now,
        )
    client.force_login(staff)
    html = _html(client.get(reverse("wagtailadmin_home")))
    panel = html[html.index("help-requests-dashboard") :]
    assert "Seine-et-Marne" in panel and "Finistère" in panel
    assert "1 h 30" in panel and "45 min" in panel
    assert "<svg" in panel and "style=" not in panel.split("</section>")[0]
    assert re.search(r"Délai médian avant qu'un·e bénévole accepte : 4[,.]0 h", panel)
    client.force_login(referent_a)
    html = _html(client.get(reverse("wagtailadmin_home")))
    panel = html[html.index("help-requests-dashboard") :].split("</section>")[0]
    assert "Coups de main de vos communes" in panel
    assert "Seine-et-Marne" in panel and "Finistère" not in panel


def test_the_dashboard_panel_takes_the_same_queries_at_two_sizes(staff, place, rf):
    from helprequests.wagtail_hooks import HelpRequestsDashboardPanel

    counts = []
    for size in (1, 12):
        for _ in range(size):
            HelpRequestFactory(commune=place["Melun"], status=Status.DONE, minutes=30)
        user = get_user_model().objects.get(pk=staff.pk)  # no cached permissions
        request = rf.get("/admin/")
        request.user = user
        with CaptureQueriesContext(connection) as ctx:
            HelpRequestsDashboardPanel(user).render_html({"request": request})
        counts.append(len(ctx))
    assert counts[0] == counts[1] <= 8


# --- personal data never in an address ---------------------------------------------------

_LINK = re.compile(r"""(?:href|action|src)="([^"]*)\"""")


def test_no_personal_data_in_the_admin_s_addresses(client, referent_a, requests_, candidates_):
    help_request = requests_["a"]
    client.force_login(referent_a)
    pages = [
        url("index"),
        url("detail", help_request.pk),
        url("candidates", help_request.pk) + "?any_interest=1&any_time=1",
        url("add"),
    ]
    responses = [client.get(page) for page in pages]
    responses.append(
        client.post(url("propose", help_request.pk), {"volunteer": candidates_["near"].pk})
    )
    responses.append(client.post(url("add"), _form()))
    secrets = PERSONAL_A + ["Marcelle", "06 12 34 56 78", "Camille", "Secretnom"]
    secrets += [v.email for v in candidates_.values()]
    addresses = []
    for response in responses:
        if response.status_code == 302:
            addresses.append(response["Location"])
        else:
            # mailto: and tel: links open the referent's own mail or phone: no request
            # reaches a server with them.
            addresses += [
                a for a in _LINK.findall(_html(response)) if not a.startswith(("mailto:", "tel:"))
            ]
    assert addresses
    for address in addresses:
        for secret in secrets:
            assert secret.replace(" ", "+") not in address and secret not in address, address


def test_the_menu_shows_each_user_their_items(client, staff, referent_a, place):
    # The sidebar is drawn from JSON: its items are found by their names.
    items = (
        '"help-requests-menu"',
        '"help-requests"',
        '"help-referents"',
        '"help-requests-access-log"',
    )
    client.force_login(staff)
    html = _html(client.get(reverse("wagtailadmin_home")))
    assert all(item in html for item in items)
    client.force_login(referent_a)
    html = _html(client.get(reverse("wagtailadmin_home")))
    assert items[0] in html and items[1] in html
    assert items[2] not in html and items[3] not in html
    client.force_login(_user("lambda", MAIRIE_GROUP_NAME))
    assert items[0] not in _html(client.get(reverse("wagtailadmin_home")))


def test_the_admin_speaks_english_to_an_english_speaking_referent(client, referent_a, requests_):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(referent_a)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(referent_a)
    html = _html(client.get(url("detail", requests_["a"].pk)))
    assert "Find a volunteer" in html and "Close without help" in html
    assert "Chercher un·e bénévole" not in html
    html = _html(client.get(url("candidates", requests_["a"].pk)))
    assert "Widen the search" in html


def _queries(client, address):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return len(ctx)


def test_the_candidates_page_takes_the_same_queries_at_two_sizes(client, referent_a, place):
    help_request = HelpRequestFactory(commune=place["Melun"], availability=[])
    client.force_login(referent_a)
    address = url("candidates", help_request.pk)
    client.get(address)  # warm the per-process caches (content types, interests)
    counts = []
    for size in (2, 12):
        for _ in range(size - Volunteer.objects.count()):
            ProposableVolunteerFactory(
                commune=place["Melun"], interests=["courses-services", "aines"]
            )
        counts.append(_queries(client, address))
    assert counts[0] == counts[1]
    assert _html(client.get(address)).count('name="volunteer"') == 12


def test_the_access_log_and_referents_listings_take_the_same_queries_at_two_sizes(
    client, staff, place
):
    client.force_login(staff)
    log = reverse("helprequests_access_log:index")
    referents = reverse("wagtailsnippets_helprequests_referent:list")
    client.get(log)
    client.get(referents)
    counts = []
    for size in (2, 12):
        for i in range(size - Referent.objects.count()):
            user = _user(f"ref-{size}-{i}", REFERENT_GROUP)
            ReferentFactory(user=user, commune=place["Melun" if i % 2 else "Brest"])
            help_request = HelpRequestFactory(commune=place["Melun"])
            AccessRecord.objects.create(
                user=user, action="view_request", request=help_request, commune=place["Melun"]
            )
        counts.append((_queries(client, log), _queries(client, referents)))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "params",
    [
        {"state": "bogus"},
        {"created_at_after": "hier", "status_changed_at_before": "2025-13-45"},
        {"commune": "\x00"},
        {"category": "\x00", "asked_by": "x"},
        {"ordering": "first_name"},
        {"p": "abc"},
        {"export": "pdf"},
    ],
)
def test_the_queue_answers_bad_parameters_without_an_error(client, staff, requests_, params):
    client.force_login(staff)
    response = client.get(url("index"), params)
    assert response.status_code == 200
    assert "Germaine" not in _html(response)


def test_bad_posted_values_are_refused_with_a_message(client, referent_a, requests_):
    help_request = requests_["a"]
    client.force_login(referent_a)
    for name, field in (("propose", "volunteer"), ("cancel_proposal", "proposal")):
        for junk in ("99999999999999999999999", "-1", "1.5", "\x00", "٣"):
            response = client.post(url(name, help_request.pk), {field: junk}, follow=True)
            assert response.status_code == 200
    response = client.post(url("add"), _form(commune="\x00", first_name="\x00", details="a\x00b"))
    assert response.status_code == 400
    response = client.get(url("candidates", help_request.pk), {"any_interest": "\x00"})
    assert response.status_code == 200
    log = reverse("helprequests_access_log:index")
    client.force_login(get_user_model().objects.create_superuser("chef", "c@exemple.fr", "x"))
    assert client.get(log, {"user": "abc", "at_after": "x", "commune": "\x00"}).status_code == 200
    response = client.post(url("add"), _form(commune=None, commune_search="\x00"))
    assert response.status_code == 400
    assert not HelpRequest.objects.exclude(pk__in=[r.pk for r in requests_.values()]).exists()


def test_an_anonymised_request_shows_no_person(client, referent_a, place):
    now = timezone.now()
    help_request = HelpRequestFactory(
        commune=place["Melun"],
        status=Status.CLOSED,
        closed_reason="withdrawn",
        closed_at=now,
        anonymised_at=now,
        first_name="",
        phone="",
        email="",
    )
    client.force_login(referent_a)
    html = _html(client.get(url("detail", help_request.pk)))
    assert "ont été effacées" in html
    assert "La personne" not in html and "Prévenez" not in html
    assert "Clore sans aide" not in html and "Chercher un·e bénévole" not in html


def test_the_emails_link_to_the_request_s_page(requests_):
    from helprequests.emails import admin_url

    assert admin_url(requests_["a"]).endswith(f"/admin/help-requests/{requests_['a'].pk}/")
