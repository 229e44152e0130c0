"""Fixtures of the help requests' tests: a small geography (Melun, which shares its postcode
with Vaux-le-Pénil and has a referent; Brest, which has none), a referent, a staff member who
handles the communes without one, and a volunteer who agreed to be proposed requests."""

from django.contrib.auth import get_user_model
from django.utils import translation

import pytest

from campaign.geography.models import Department, Region
from helprequests.factories import ProposableVolunteerFactory
from helprequests.models import Referent
from tests.utils import make_commune
from volunteers.forms import form_timestamp_make


@pytest.fixture(autouse=True)
def _site(home_page):
    # Every page extends base.html, which reads the site's settings and menus.
    return home_page


@pytest.fixture(autouse=True)
def _no_fill_delay(settings):
    # Tests post the form at once; the minimum fill time has its own test.
    settings.VOLUNTEERS_MIN_FILL_SECONDS = 0


@pytest.fixture
def geo(db):
    idf = Region.objects.create(code="11", name="Île-de-France", slug="ile-de-france")
    bretagne = Region.objects.create(code="53", name="Bretagne", slug="bretagne")
    d77 = Department.objects.create(
        code="77", name="Seine-et-Marne", slug="seine-et-marne", region=idf
    )
    d29 = Department.objects.create(code="29", name="Finistère", slug="finistere", region=bretagne)
    return {
        "d77": d77,
        "melun": make_commune("77288", "Melun", d77, postcodes=["77000"]),
        # Shares Melun's postcode: the form asks which one.
        "vaux": make_commune("77487", "Vaux-le-Pénil", d77, postcodes=["77000"]),
        "brest": make_commune("29019", "Brest", d29, postcodes=["29200"]),
    }


@pytest.fixture
def referent(geo):
    user = get_user_model().objects.create_user(
        username="referente-melun", email="referente@mairie-melun.example", password="x"
    )
    Referent.objects.create(user=user, commune=geo["melun"])
    return user


@pytest.fixture
def staff(db):
    """Who handles the requests of communes without a referent."""
    return get_user_model().objects.create_superuser(
        username="equipe", email="equipe@tousvoisins.example", password="x"
    )


@pytest.fixture
def volunteer(geo):
    return ProposableVolunteerFactory(
        commune=geo["melun"],
        email="yanis.benevole@example.org",
        first_name="Yanis",
        last_name="Martin",
        language="fr",
    )


@pytest.fixture
def request_data():
    """The request form's fields, for a person asking for themselves in Melun."""

    def make(**overrides):
        data = {
            "asked_by": "self",
            "requester_name": "",
            "requester_email": "",
            "first_name": "Simone",
            "postcode": "77000",
            "commune": "77288",
            "phone": "06 12 34 56 78",
            "email": "simone.aidee@exemple.fr",
            "category": "courses-services",
            "availability": ["weekday"],
            "when_details": "Jeudi matin",
            "details": "Monter les courses au 4e étage.\r\nPas d'ascenseur.",
            "consent_self": "on",
            "started": form_timestamp_make(),
            "website": "",
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return make


def url(name, language="fr", **kwargs):
    from django.urls import reverse

    with translation.override(language):
        return reverse(f"helprequests:{name}", kwargs=kwargs or None)
