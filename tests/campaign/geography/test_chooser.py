"""The admin's commune chooser (stories, nominations, volunteers, engaged communes…) searches
35,000 communes by name, postcode and INSEE code, and tells homonyms apart."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

import pytest

CHOOSE = "wagtailsnippetchoosers_geography_commune:choose"
RESULTS = "wagtailsnippetchoosers_geography_commune:choose_results"


def _rows(html):
    """(name shown, the rest of the row's text) of each result, in order."""
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)[1:]:
        link = re.search(r"data-chooser-modal-choice[^>]*>\s*([^<]+?)\s*<", row)
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        if link:
            rows.append((link.group(1), text))
    return rows


@pytest.fixture
def contributor(db):
    """A mairie contributor: admin access, nothing on communes."""
    group, _ = Group.objects.get_or_create(name="Contributeurs test")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    user = get_user_model().objects.create_user("contrib", password="x", is_staff=True)
    user.groups.add(group)
    return user


def test_the_chooser_has_a_search_box(france, admin_client):
    response = admin_client.get(reverse(CHOOSE))
    assert response.status_code == 200
    html = response.json()["html"]
    assert 'name="q"' in html and 'id="id_q"' in html
    assert "data-chooser-modal-search" in html


@pytest.mark.parametrize(
    ("query", "first_name", "code"),
    [
        ("melun", "Melun (77)", "77288"),
        ("MELUN", "Melun (77)", "77288"),
        ("77288", "Melun (77)", "77288"),
        ("saint-etienne", "Saint-Étienne (42)", "42218"),
        ("Saint Étienne", "Saint-Étienne (42)", "42218"),
        ("2a004", "Ajaccio (2A)", "2A004"),
    ],
)
def test_search_by_name_or_insee_code_puts_the_commune_first(
    france, admin_client, query, first_name, code
):
    response = admin_client.get(reverse(RESULTS), {"q": query})
    assert response.status_code == 200
    rows = _rows(response.content.decode())
    name, text = rows[0]
    assert name == first_name
    assert code in text


def test_search_by_postcode_lists_its_communes_with_department_and_postcode(france, admin_client):
    rows = _rows(admin_client.get(reverse(RESULTS), {"q": "77 000"}).content.decode())
    names = [name for name, _text in rows]
    assert "Melun (77)" in names
    assert len(names) > 1  # 77000 serves several communes
    for _name, text in rows:
        assert "Seine-et-Marne" in text and "77000" in text


def test_homonyms_show_their_department_and_postcodes(france, admin_client):
    rows = _rows(admin_client.get(reverse(RESULTS), {"q": "saint-martin"}).content.decode())
    exact = [text for name, text in rows if name.startswith("Saint-Martin (")]
    assert len(exact) >= 5
    assert len(set(exact)) == len(exact)  # no two rows read the same


def test_the_search_runs_a_bounded_number_of_queries(
    france, admin_client, django_assert_max_num_queries
):
    url = reverse(RESULTS)
    admin_client.get(url, {"q": "saint"})  # session and user warmed up
    for query in ("saint", "77000", "melun", ""):
        with django_assert_max_num_queries(6):
            response = admin_client.get(url, {"q": query})
        assert response.status_code == 200


def test_a_mairie_contributor_can_choose_melun(france, client, contributor):
    client.force_login(contributor)
    assert client.get(reverse(CHOOSE)).status_code == 200
    rows = _rows(client.get(reverse(RESULTS), {"q": "melun"}).content.decode())
    assert rows[0][0] == "Melun (77)"


def test_the_commune_listing_finds_folded_names_and_postcodes(france, admin_client):
    url = reverse("wagtailsnippets_geography_commune:list")
    assert "Saint-Étienne" in admin_client.get(url, {"q": "saint-etienne"}).content.decode()
    assert "Melun" in admin_client.get(url, {"q": "77000"}).content.decode()
