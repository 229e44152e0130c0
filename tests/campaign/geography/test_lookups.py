"""Finding communes by postcode or name: the queryset methods, the forms and the public view,
against the real data."""

from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

import pytest

from campaign.geography.forms import CommuneChoiceField, PostcodeForm
from campaign.geography.models import Commune
from campaign.geography.selectors import communes_for_postcode

pytestmark = pytest.mark.django_db

MALFORMED = "Saisissez un code postal à 5 chiffres, par exemple 75017."


def names(communes):
    return [commune.name for commune in communes]


def test_postcode_served_by_several_communes(france):
    assert names(communes_for_postcode("77000")) == [
        "La Rochette",
        "Livry-sur-Seine",
        "Melun",
        "Vaux-le-Pénil",
    ]


def test_postcode_of_a_paris_arrondissement_gives_paris_and_the_arrondissement(france):
    assert names(communes_for_postcode("75017")) == ["Paris", "Paris 17e Arrondissement"]


def test_corsican_postcode_gives_its_department(france):
    (ajaccio,) = communes_for_postcode("20000")
    assert ajaccio.name == "Ajaccio"
    assert ajaccio.department.code == "2A"


def test_postcode_lookup_tolerates_spaces_and_selects_the_department(
    france, django_assert_num_queries
):
    with django_assert_num_queries(1):
        communes = list(communes_for_postcode(" 77 000 "))
        labels = [str(commune) for commune in communes]
        departments = {commune.department.name for commune in communes}
    assert "Melun (77)" in labels
    assert departments == {"Seine-et-Marne"}


@pytest.mark.parametrize("text", ["saint etienne", "SAINT-ÉTIENNE", "Saint-Étienne"])
def test_search_ignores_accents_case_and_hyphens_and_puts_the_exact_name_first(france, text):
    first = Commune.objects.search(text).first()
    assert (first.name, first.department_id) == ("Saint-Étienne", "42")


def test_search_by_ligature_and_by_postcode(france):
    assert "Œuilly" in names(Commune.objects.search("oeuilly"))
    assert names(Commune.objects.search("77 000")) == names(communes_for_postcode("77000"))


@pytest.mark.parametrize("text", ["", "   ", "🙂", "<>", "%", "_"])
def test_search_without_letters_or_digits_finds_nothing(france, text):
    # "%" and "_" are LIKE wildcards: they must not match every commune.
    assert not Commune.objects.search(text).exists()


# PostcodeForm


@pytest.mark.parametrize("value", ["77000", " 77 000 ", "77\u00a0000"])
def test_postcode_form_accepts_spaces_and_lists_the_communes(france, value):
    form = PostcodeForm({"postcode": value})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["postcode"] == "77000"
    assert "Melun" in names(form.cleaned_data["communes"])


def test_postcode_form_unknown_postcode(france):
    form = PostcodeForm({"postcode": "99999"})
    assert not form.is_valid()
    assert form.errors["postcode"] == ["Aucune commune ne correspond au code postal 99999."]


@pytest.mark.parametrize("value", ["7700", "770000", "abcde", "77-000", "٧٧٠٠٠", "7" * 500])
def test_postcode_form_malformed_postcode(france, value):
    form = PostcodeForm({"postcode": value})
    assert not form.is_valid()
    assert form.errors["postcode"] == [MALFORMED]


def test_postcode_form_messages_are_translated(france):
    with translation.override("en"):
        form = PostcodeForm({"postcode": "99999"})
        assert form.errors["postcode"] == ["No commune matches the postcode 99999."]
        assert str(PostcodeForm().fields["postcode"].label) == "Postcode"


# CommuneChoiceField


class CommuneForm(forms.Form):
    """What another app's form does: postcode first, then one of its communes."""

    commune = CommuneChoiceField()

    def __init__(self, *args, postcode=None, **kwargs):
        super().__init__(*args, **kwargs)
        if postcode:
            self.fields["commune"].limit_to_postcode(postcode)


def test_commune_field_offers_the_communes_of_a_postcode(france):
    form = CommuneForm(postcode="77000")
    choices = [(str(value), label) for value, label in form.fields["commune"].choices]
    assert ("77288", "Melun (77)") in choices
    assert len(choices) == 4

    form = CommuneForm({"commune": "77288"}, postcode="77000")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].name == "Melun"


@pytest.mark.parametrize("value", ["75056", "00000", "Melun", "77288\x00", "x" * 1000])
def test_commune_field_refuses_a_commune_outside_the_postcode_or_junk(france, value):
    form = CommuneForm({"commune": value}, postcode="77000")
    assert not form.is_valid()
    assert form.errors["commune"] == [
        "Cette commune est inconnue. Vérifiez le nom ou le code postal."
    ]


def test_commune_field_without_postcode_takes_any_insee_code(france):
    form = CommuneForm({"commune": " 2a004 "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].name == "Ajaccio"


# The public search view

URL = reverse("geography:search")


def test_search_page_without_query(france, client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "Code postal ou nom de la commune" in response.text
    assert response.context["communes"] == []


def test_search_by_postcode_lists_the_communes(france, client):
    response = client.get(URL, {"q": "77000"})
    assert response.status_code == 200
    assert names(response.context["communes"]) == [
        "La Rochette",
        "Livry-sur-Seine",
        "Melun",
        "Vaux-le-Pénil",
    ]
    assert "4 communes correspondent à « 77000 »." in response.text
    assert "Seine-et-Marne (77)" in response.text


def test_search_unknown_postcode_shows_the_error_in_the_form(france, client):
    response = client.get(URL, {"q": "99999"})
    assert response.status_code == 200
    assert "Aucune commune ne correspond au code postal 99999." in response.text
    assert 'aria-invalid="true"' in response.text


def test_search_malformed_postcode(france, client):
    response = client.get(URL, {"q": "7700"})
    assert MALFORMED in response.text


def test_search_error_in_english(france, client):
    response = client.get("/en/towns/", {"q": "99999"})
    assert response.status_code == 200
    assert "No commune matches the postcode 99999." in response.text


def test_search_by_name_shows_fifty_at_most(france, client):
    response = client.get(URL, {"q": "saint"})
    assert len(response.context["communes"]) == 50
    assert response.context["total"] > 50
    assert response.context["truncated"]


@pytest.mark.parametrize(
    "q",
    [
        "x" * 10_000,
        "<script>alert(1)</script>",
        "ÉÈ€漢字🙂",
        "\x00",
        "%_%",
        "' OR 1=1 --",
        "   ",
    ],
)
def test_search_never_fails_on_junk(france, client, q):
    for params in ({"q": q}, {"q": q, "format": "json"}):
        response = client.get(URL, params)
        assert response.status_code in (200, 400)
    assert "<script>alert" not in client.get(URL, {"q": q}).text


def test_search_as_json(france, client):
    response = client.get(URL, {"q": "75017", "format": "json"})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert data["results"][1] == {
        "insee_code": "75117",
        "name": "Paris 17e Arrondissement",
        "kind": "arrondissement",
        "department": {"code": "75", "name": "Paris"},
        "postcodes": ["75017"],
    }


def test_search_as_json_with_an_error(france, client):
    response = client.get(URL, {"q": "99999", "format": "json"})
    assert response.status_code == 400
    assert response.json()["errors"]["q"][0]["code"] == "unknown"


@pytest.mark.parametrize(("few", "many"), [("20000", "77000"), ("vaux-le-penil", "saint")])
def test_search_query_count_does_not_grow_with_the_results(france, client, few, many):
    def geography_queries(q):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"q": q})
        assert response.status_code == 200
        count = len(response.context["communes"])
        return count, [q for q in captured.captured_queries if "geography_" in q["sql"]]

    client.get(URL)  # Warm the site and settings caches that the base template uses.
    few_count, few_queries = geography_queries(few)
    many_count, many_queries = geography_queries(many)
    assert few_count == 1
    assert many_count > 3
    # The postcode check (postcodes only), the count, the communes with their department,
    # their postcodes.
    assert len(few_queries) == len(many_queries) <= 4


@pytest.mark.parametrize("code", ["77\x00000", "\x00" * 64, "7700", "770001", "abcde"])
def test_a_malformed_postcode_finds_no_commune_without_asking_the_database(france, code):
    # PostgreSQL refuses a NUL byte in a query with an error (a 500 on the forms that narrow
    # their communes by the posted postcode before validating it: sign-up, help request).
    with CaptureQueriesContext(connection) as queries:
        assert list(Commune.objects.for_postcode(code)) == []
    assert len(queries) == 0
