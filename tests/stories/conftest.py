import pytest

from campaign.geography.models import Department, Region
from stories.factories import StoryIndexPageFactory, StoryThemeFactory
from tests.utils import make_commune


@pytest.fixture
def geography(db):
    """Two regions, three departments, a few real communes (codes as INSEE gives them)."""
    idf = Region.objects.create(code="11", name="Île-de-France", slug="ile-de-france")
    bretagne = Region.objects.create(code="53", name="Bretagne", slug="bretagne")
    seine_et_marne = Department.objects.create(
        code="77", name="Seine-et-Marne", slug="seine-et-marne", region=idf
    )
    paris = Department.objects.create(code="75", name="Paris", slug="paris", region=idf)
    finistere = Department.objects.create(
        code="29", name="Finistère", slug="finistere", region=bretagne
    )
    melun = make_commune("77288", "Melun", seine_et_marne, postcodes=["77000"])
    # Two communes sharing a postcode: the form must ask which one.
    make_commune("77255", "Livry-sur-Seine", seine_et_marne, postcodes=["77000"])
    make_commune("77152", "Dammarie-les-Lys", seine_et_marne, postcodes=["77190"])
    brest = make_commune("29019", "Brest", finistere, postcodes=["29200"])
    paris_11 = make_commune("75111", "Paris 11e Arrondissement", paris, postcodes=["75011"])
    return {
        "regions": {"idf": idf, "bretagne": bretagne},
        "departments": {"77": seine_et_marne, "75": paris, "29": finistere},
        "melun": melun,
        "brest": brest,
        "paris_11": paris_11,
    }


@pytest.fixture
def story_index(home_page):
    index = StoryIndexPageFactory(parent=home_page, locale=home_page.locale)
    return index


@pytest.fixture
def themes(locales):
    return {
        "aines": StoryThemeFactory(name="Aînés", slug="aines", locale=locales["fr"]),
        "reparation": StoryThemeFactory(name="Réparation", slug="reparation", locale=locales["fr"]),
        "accueil": StoryThemeFactory(name="Accueil", slug="accueil", locale=locales["fr"]),
    }
