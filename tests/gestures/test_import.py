import csv

from django.core.management import CommandError, call_command

import pytest

from gestures.importing import CATEGORIES_FILE, GESTURES_FILE
from gestures.models import GestureCategory, GesturePage
from gestures.services import gestures_import


def _subset(tmp_path, numbers, change=None):
    """Copies of the shipped files holding only `numbers` (and their categories)."""
    with open(GESTURES_FILE, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames
        rows = [r for r in reader if int(r["number"]) in numbers]
    for row in rows:
        row.update((change or {}).get(int(row["number"]), {}))
    with open(CATEGORIES_FILE, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        category_columns = reader.fieldnames
        categories = [c for c in reader if c["slug"] in {r["category"] for r in rows}]
    paths = {"gestures_path": tmp_path / "g.csv", "categories_path": tmp_path / "c.csv"}
    for path, fields, data in (
        (paths["gestures_path"], columns, rows),
        (paths["categories_path"], category_columns, categories),
    ):
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(data)
    return paths, rows


@pytest.fixture
def english_catalogue(catalogue, english_home, locales):
    page = catalogue.copy_for_translation(locales["en"])
    page.title = "100 acts of solidarity"
    page.slug = "gestures"
    page.save_revision().publish()
    return page


def _import(capture, **paths):
    # wagtail-localize publishes the English pages once the transaction commits.
    with capture(execute=True):
        return gestures_import(**paths)


@pytest.mark.django_db
def test_import_creates_publishes_and_translates(
    tmp_path, english_catalogue, locales, django_capture_on_commit_callbacks, client
):
    paths, rows = _subset(tmp_path, {1, 11, 21})
    report = _import(django_capture_on_commit_callbacks, **paths)
    assert (report.gestures.created, report.gestures.updated, report.gestures.unchanged) == (
        3,
        0,
        0,
    )
    assert report.gestures.translated == 3
    assert report.categories.created == len({r["category"] for r in rows})
    french = GesturePage.objects.live().filter(locale=locales["fr"]).order_by("number")
    english = GesturePage.objects.live().filter(locale=locales["en"]).order_by("number")
    assert [p.number for p in french] == [p.number for p in english] == [1, 11, 21]
    first = english.select_related("category").first()
    assert first.title == rows[0]["title_en"]
    assert first.howto == rows[0]["howto_en"]
    assert first.category.locale_id == locales["en"].pk
    assert first.category.name != french.select_related("category").first().category.name
    assert first.audiences == rows[0]["audiences"].replace("|", ",")
    # Both languages serve the gesture at its own URL.
    assert client.get(french.first().url).status_code == 200
    response = client.get(first.url)
    assert response.status_code == 200
    assert rows[0]["title_en"] in response.content.decode()


@pytest.mark.django_db
def test_import_is_idempotent_and_reports_changes(
    tmp_path, english_catalogue, locales, django_capture_on_commit_callbacks
):
    paths, rows = _subset(tmp_path, {2, 12, 22})
    _import(django_capture_on_commit_callbacks, **paths)
    revisions = sorted(GesturePage.objects.values_list("latest_revision_id", flat=True))
    again = _import(django_capture_on_commit_callbacks, **paths)
    assert vars(again.gestures) == {"created": 0, "updated": 0, "unchanged": 3, "translated": 0}
    assert vars(again.categories)["created"] == vars(again.categories)["updated"] == 0
    assert not again.changed
    assert sorted(GesturePage.objects.values_list("latest_revision_id", flat=True)) == revisions
    assert GesturePage.objects.count() == 6
    assert GestureCategory.objects.count() == 2 * len({r["category"] for r in rows})

    changed, _rows = _subset(
        tmp_path, {2, 12, 22}, change={12: {"title_en": "Lend a hand with the bins"}}
    )
    report = _import(django_capture_on_commit_callbacks, **changed)
    # The French page is unchanged; only its English translation is brought up to date.
    assert vars(report.gestures) == {"created": 0, "updated": 0, "unchanged": 3, "translated": 1}
    assert GesturePage.objects.get(locale=locales["en"], number=12).title == (
        "Lend a hand with the bins"
    )
    changed, _rows = _subset(
        tmp_path,
        {2, 12, 22},
        change={2: {"time": "5min"}, 12: {"title_en": "Lend a hand with the bins"}},
    )
    report = _import(django_capture_on_commit_callbacks, **changed)
    assert vars(report.gestures) == {"created": 0, "updated": 1, "unchanged": 2, "translated": 1}
    assert set(GesturePage.objects.filter(number=2).values_list("time_needed", flat=True)) == {
        "5min"
    }


@pytest.mark.django_db
def test_bad_file_changes_nothing(tmp_path, english_catalogue, django_capture_on_commit_callbacks):
    paths, _rows = _subset(tmp_path, {3, 13})
    _import(django_capture_on_commit_callbacks, **paths)
    before = list(GesturePage.objects.order_by("pk").values_list("pk", "title", "number"))
    # A valid change on one line and an error on another: nothing at all is applied.
    bad, _rows = _subset(
        tmp_path, {3, 13}, change={3: {"title_fr": "Nouveau titre"}, 13: {"number": "130"}}
    )
    with pytest.raises(CommandError) as error:
        call_command(
            "import_gestures", gestures=bad["gestures_path"], categories=bad["categories_path"]
        )
    assert "g.csv, ligne" in str(error.value)
    assert "le numéro « 130 » doit être entre 1 et 100" in str(error.value)
    assert list(GesturePage.objects.order_by("pk").values_list("pk", "title", "number")) == before


@pytest.mark.django_db
def test_import_without_catalogue_page_explains_what_to_do(home_page):
    with pytest.raises(CommandError) as error:
        call_command("import_gestures")
    assert "catalogue des gestes" in str(error.value)
    assert GesturePage.objects.count() == 0
