import datetime

from django.urls import reverse

from wagtail.test.utils.form_data import inline_formset, nested_form_data

import pytest
import wagtail_factories

from home import sections
from kits.factories import KitFileFactory, KitPageFactory
from kits.models import KitIndexPage, KitPage, Season
from tests.utils import count_queries


def test_kit_page_shows_each_file_with_format_language_size_and_type(client, kit):
    document = wagtail_factories.DocumentFactory(
        title="Affiche A3", file__filename="affiche-a3.pdf", file__data=b"%PDF-1.4 " + b"x" * 2048
    )
    kit_file = KitFileFactory(page=kit, document=document)
    html = client.get(kit.url).content.decode()
    assert reverse("kits:download", kwargs={"pk": kit_file.pk}) in html
    assert "Affiche A3 (PDF)" in html
    assert "français, PDF, 2,0\xa0Kio" in html


def test_kit_index_lists_kits_in_season_first_in_a_fixed_number_of_queries(client, kit_index):
    KitPageFactory(parent=kit_index, title="Kit de toute l'année", season=Season.ALL_YEAR)
    url = kit_index.url
    client.get(url)
    _, small = count_queries(client.get, url)
    for index in range(4):
        KitPageFactory(parent=kit_index, title=f"Kit {index}", season=Season.COLD)
    response, large = count_queries(client.get, url)
    assert small == large
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("month", "first"), [(7, "Canicule"), (1, "Grand froid"), (3, "Toute l'année")]
)
def test_featured_kits_put_kits_in_season_first(kit_index, home_page, month, first):
    for title, season in [
        ("Grand froid", Season.COLD),
        ("Canicule", Season.HEATWAVE),
        ("Toute l'année", Season.ALL_YEAR),
    ]:
        KitPageFactory(parent=kit_index, title=title, season=season)
    from kits.selectors import featured_kits

    kits, queries = count_queries(featured_kits, locale_id=home_page.locale_id, month=month)
    assert kits[0].title == first
    assert queries == 1  # no cover images here, so no renditions query


def test_home_page_shows_the_kits(client, kit_index, home_page):
    KitPageFactory(parent=kit_index, title="Prenez des nouvelles de vos voisins")
    html = client.get("/").content.decode()
    assert "Prenez des nouvelles de vos voisins" in html
    assert sections.featured_kits(page=home_page, request=None)


def test_in_season_follows_the_month():
    assert Season.HEATWAVE in Season.current(7)
    assert Season.COLD in Season.current(1) and Season.COLD not in Season.current(7)
    assert datetime.date.today()  # Season.current() without a month uses today's


def test_editors_can_create_a_kit_with_its_files(admin_client, kit_index):
    from wagtail.test.utils import WagtailTestUtils  # noqa: F401 - the form helpers above

    document = wagtail_factories.DocumentFactory()
    url = reverse("wagtailadmin_pages:add", args=["kits", "kitpage", kit_index.pk])
    data = nested_form_data(
        {
            "title": "Fête des voisins",
            "slug": "fete-des-voisins",
            "description": "Tout pour organiser la fête des voisins dans votre commune.",
            "audience": "mairies",
            "theme": "convivialite",
            "season": "fete-des-voisins",
            "files": inline_formset(
                [{"document": document.pk, "format": "affiche-a3", "language": "fr"}]
            ),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302
    page = KitPage.objects.get(slug="fete-des-voisins")
    assert page.files.get().format == "affiche-a3"
    assert page.files.get().locale_id == page.locale_id
    assert KitIndexPage.objects.count() == 1
