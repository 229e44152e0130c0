"""A small geography of our own (the real EPCI import is not needed here): Melun and a
neighbour sharing its postcode, Dammarie-lès-Lys in the same intercommunality but another
postcode, Fontainebleau elsewhere in Seine-et-Marne, and Brest in Finistère."""

import pytest

from campaign.geography.models import Intercommunality
from gestures.factories import GestureCategoryFactory
from kits.factories import CommuneFactory, DepartmentFactory, RegionFactory


@pytest.fixture
def geo(db):
    idf = RegionFactory(code="11", name="Île-de-France", slug="ile-de-france")
    bretagne = RegionFactory(code="53", name="Bretagne", slug="bretagne")
    d77 = DepartmentFactory(code="77", name="Seine-et-Marne", slug="seine-et-marne", region=idf)
    d29 = DepartmentFactory(code="29", name="Finistère", slug="finistere", region=bretagne)
    camvs = Intercommunality.objects.create(
        code="247700057",
        name="Communauté d'agglomération Melun Val de Seine",
        slug="ca-melun-val-de-seine",
        kind=Intercommunality.Kind.CA,
    )
    brest_metropole = Intercommunality.objects.create(
        code="242900314", name="Brest Métropole", slug="brest-metropole", kind="METRO"
    )
    melun = CommuneFactory(insee_code="77288", name="Melun", department=d77, postcode="77000")
    # Shares Melun's postcode.
    vaux = CommuneFactory(
        insee_code="77487", name="Vaux-le-Pénil", department=d77, postcode="77000"
    )
    # Same intercommunality, another postcode.
    dammarie = CommuneFactory(
        insee_code="77152", name="Dammarie-lès-Lys", department=d77, postcode="77190"
    )
    fontainebleau = CommuneFactory(
        insee_code="77186", name="Fontainebleau", department=d77, postcode="77300"
    )
    brest = CommuneFactory(insee_code="29019", name="Brest", department=d29, postcode="29200")
    for commune in (melun, vaux, dammarie):
        commune.intercommunality = camvs
        commune.save(update_fields=["intercommunality"])
    brest.intercommunality = brest_metropole
    brest.save(update_fields=["intercommunality"])
    return {
        "d77": d77,
        "d29": d29,
        "camvs": camvs,
        "melun": melun,
        "vaux": vaux,
        "dammarie": dammarie,
        "fontainebleau": fontainebleau,
        "brest": brest,
    }


@pytest.fixture
def categories(locales):
    """Two categories in French, one of them translated into English."""
    numerique = GestureCategoryFactory(name="Entraide numérique", slug="entraide-numerique")
    aines = GestureCategoryFactory(name="Prendre soin des aînés", slug="aines")
    english = numerique.copy_for_translation(locales["en"])
    english.name = "Digital help"
    english.save()
    return {"numerique": numerique, "aines": aines}
