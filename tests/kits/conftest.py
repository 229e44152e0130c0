import shutil

import pytest

from kits.factories import (
    CommuneFactory,
    KitFileFactory,
    KitIndexPageFactory,
    KitPageFactory,
    PosterTemplateFactory,
)

LONG_NAME = "Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # Each test writes posters and logos in its own folder: a cached file from another test
    # would hide a render.
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def commune(db):
    return CommuneFactory(insee_code="51513", name=LONG_NAME, postcode="51300")


@pytest.fixture
def melun(db):
    from kits.factories import DepartmentFactory, RegionFactory

    region = RegionFactory(code="11", name="Île-de-France", slug="ile-de-france")
    department = DepartmentFactory(
        code="77", name="Seine-et-Marne", slug="seine-et-marne", region=region
    )
    return CommuneFactory(insee_code="77288", name="Melun", department=department, postcode="77000")


@pytest.fixture
def kit_index(home_page):
    return KitIndexPageFactory(parent=home_page)


@pytest.fixture
def kit(kit_index):
    return KitPageFactory(parent=kit_index, title="Une heure par mois pour vos voisins")


@pytest.fixture
def kit_file(kit):
    return KitFileFactory(page=kit)


@pytest.fixture
def poster_template(db):
    return PosterTemplateFactory()
