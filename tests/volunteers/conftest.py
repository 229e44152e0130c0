from django.contrib.auth.models import Group

import pytest

from campaign.geography.models import Department, Region
from tests.utils import make_commune
from volunteers.factories import VolunteerSignupPageFactory
from volunteers.forms import form_timestamp_make


@pytest.fixture(autouse=True)
def _no_fill_delay(settings):
    # Tests post the form at once; the minimum fill time has its own tests.
    settings.VOLUNTEERS_MIN_FILL_SECONDS = 0


@pytest.fixture
def geography(db):
    idf = Region.objects.create(code="11", name="Île-de-France", slug="ile-de-france")
    bretagne = Region.objects.create(code="53", name="Bretagne", slug="bretagne")
    d77 = Department.objects.create(
        code="77", name="Seine-et-Marne", slug="seine-et-marne", region=idf
    )
    d29 = Department.objects.create(code="29", name="Finistère", slug="finistere", region=bretagne)
    melun = make_commune("77288", "Melun", d77, postcodes=["77000"])
    # Two communes share 77000: the form must ask which one.
    livry = make_commune("77255", "Livry-sur-Seine", d77, postcodes=["77000"])
    dammarie = make_commune("77152", "Dammarie-les-Lys", d77, postcodes=["77190"])
    brest = make_commune("29019", "Brest", d29, postcodes=["29200"])
    return {
        "regions": {"idf": idf, "bretagne": bretagne},
        "departments": {"77": d77, "29": d29},
        "melun": melun,
        "livry": livry,
        "dammarie": dammarie,
        "brest": brest,
    }


@pytest.fixture
def signup_page(home_page):
    return VolunteerSignupPageFactory(parent=home_page, locale=home_page.locale)


@pytest.fixture
def english_signup_page(signup_page, locales):
    english = signup_page.copy_for_translation(locales["en"])
    english.save_revision().publish()
    return english


@pytest.fixture
def mairie_group(db):
    return Group.objects.get(name="Mairie")


@pytest.fixture
def signup_data():
    def make(**overrides):
        data = {
            "first_name": "Camille",
            "last_name": "Durand",
            "email": "camille@example.org",
            "postcode": "77190",
            "phone": "",
            "interests": ["aines"],
            "availability": ["weekend"],
            "hours_per_month": "1",
            "consent_emails": "on",
            "started": form_timestamp_make(),
            "website": "",
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return make


@pytest.fixture
def post_signup(client, signup_page, django_capture_on_commit_callbacks):
    """POST the sign-up form and run what waits for the commit (the email tasks)."""

    def post(data, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(signup_page.url, data, **extra)

    return post
