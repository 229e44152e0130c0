import io
import zipfile

from wagtail.models import Locale, Site

import pypdfium2 as pdfium
import pytest

from kits import demo
from kits.models import KitFile, KitPage, PosterTemplate


# A real transaction: wagtail-localize publishes the English kits when the loader commits.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_demo_kits_have_real_files_and_translations_and_load_twice(client, settings, tmp_path):
    from campaign import demo as campaign_demo
    from home import demo as home_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    campaign_demo.load()
    home_demo.load()
    demo.load()
    demo.load()  # idempotent
    french = KitPage.objects.filter(locale__language_code="fr")
    assert french.count() == 3
    english = KitPage.objects.filter(locale=Locale.objects.get(language_code="en"))
    assert set(english.values_list("title", flat=True)) >= {"One hour a month for your neighbours"}
    assert PosterTemplate.objects.count() == 1
    PosterTemplate.objects.get().full_clean()

    poster = KitFile.objects.get(
        page__slug="une-heure-par-mois", format="affiche-a3", page__locale__language_code="fr"
    )
    with poster.document.file.open("rb") as handle:
        document = pdfium.PdfDocument(handle.read())
        width, height = document[0].get_size()
        text = document[0].get_textpage().get_text_range()
        document.close()
    assert (round(width), round(height)) == (842, 1191)
    assert "Une heure par mois pour vos voisins" in text.replace("\r\n", " ")
    press = KitFile.objects.filter(format="kit-presse").first()
    with press.document.file.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert "communique-de-presse.txt" in names

    assert Site.objects.get(is_default_site=True)
    response = client.get(poster.page.url)
    assert response.status_code == 200
    assert client.get(f"/telechargements/{poster.pk}/").status_code == 200


def test_demo_engaged_communes_are_approved_but_one_and_load_twice(
    client, melun, home_page, poster_template
):
    from kits.factories import CommuneFactory
    from kits.models import EngagedCommune, PersonalisedPoster

    CommuneFactory(insee_code="29232", name="Quimper")
    assert demo._engaged_communes(poster_template) == 2
    assert demo._engaged_communes(poster_template) == 2  # idempotent
    assert dict(EngagedCommune.objects.values_list("commune_id", "status")) == {
        "77288": "approved",
        "29232": "pending",
    }
    poster = PersonalisedPoster.objects.get()
    assert poster.status == "approved"
    # The public pages show the approved commune and its poster, not the pending one.
    listing = client.get("/communes-engagees/").content.decode()
    assert "Melun" in listing and "Quimper" not in listing
    page = client.get("/communes-engagees/melun-77288/").content.decode()
    assert poster.key in page and "Café des voisins" in page
