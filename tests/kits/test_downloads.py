import datetime
import io

from django.urls import reverse

from openpyxl import load_workbook

from kits import services
from kits.factories import KitFileFactory, KitPageFactory
from kits.models import DownloadCount, KitFile


def test_one_download_is_one_count(client, kit_file):
    url = reverse("kits:download", kwargs={"pk": kit_file.pk})
    response = client.get(url)
    assert response.status_code == 200
    # Streamed in blocks, never read whole into memory.
    assert response.streaming
    body = b"".join(response.streaming_content)
    with kit_file.document.file.open("rb") as handle:
        assert body == handle.read()
    assert response["Content-Disposition"].startswith("attachment;")
    assert list(DownloadCount.objects.values_list("kit_file", "count")) == [(kit_file.pk, 1)]
    client.get(url)
    assert DownloadCount.objects.get().count == 2


def test_counts_are_kept_per_day_and_hold_nothing_about_the_visitor(kit_file):
    day = datetime.date(2026, 6, 1)
    services.download_count_increment(kit_file=kit_file, day=day)
    services.download_count_increment(kit_file=kit_file, day=day + datetime.timedelta(days=1))
    services.download_count_increment(kit_file=kit_file, day=day)
    assert sorted(DownloadCount.objects.values_list("day", "count")) == [
        (day, 2),
        (day + datetime.timedelta(days=1), 1),
    ]
    fields = {field.name for field in DownloadCount._meta.get_fields()}
    assert fields == {"id", "kit_file", "day", "count"}


def test_files_of_unpublished_kits_are_not_served(client, kit_file):
    kit_file.page.unpublish()
    response = client.get(reverse("kits:download", kwargs={"pk": kit_file.pk}))
    assert response.status_code == 404
    assert not DownloadCount.objects.exists()
    assert client.get(reverse("kits:download", kwargs={"pk": 999999})).status_code == 404


def _report_data(kit_index):
    first = KitPageFactory(parent=kit_index, title="Canicule : prenez des nouvelles")
    second = KitPageFactory(parent=kit_index, title="Fête des voisins")
    poster = KitFileFactory(page=first, format=KitFile.Format.POSTER_A3)
    flyer = KitFileFactory(page=first, format=KitFile.Format.FLYER)
    social = KitFileFactory(page=second, format=KitFile.Format.SOCIAL)
    june = datetime.date(2026, 6, 1)
    for kit_file, day, count in [
        (poster, june, 5),
        (poster, june + datetime.timedelta(days=3), 2),
        (flyer, june, 1),
        (social, june, 4),
        (social, june - datetime.timedelta(days=1), 100),  # outside the period
    ]:
        DownloadCount.objects.create(kit_file=kit_file, day=day, count=count)
    return june


def test_report_figures(kit_index, django_assert_num_queries):
    june = _report_data(kit_index)
    with django_assert_num_queries(2):
        report = services.download_report(start=june, end=june + datetime.timedelta(days=29))
    assert [(kit["title"], kit["total"]) for kit in report] == [
        ("Canicule : prenez des nouvelles", 8),
        ("Fête des voisins", 4),
    ]
    assert [(f["label"], f["count"]) for f in report[0]["files"]] == [
        ("Affiche A3 (PDF)", 7),
        ("Flyer A5 (PDF)", 1),
    ]


def test_admin_report_shows_chart_table_and_exports(admin_client, kit_index):
    june = _report_data(kit_index)
    url = reverse("kits_downloads")
    params = {"start": "2026-06-01", "end": "2026-06-30"}
    response = admin_client.get(url, params)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg role="img"' in html and "<table" in html
    assert "12 téléchargements" in html
    csv = admin_client.get(url, {**params, "export": "csv"})
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Kit,Format,Document,Langue,Type,Téléchargements"
    assert len(lines) == 4 and lines[1].startswith("Canicule : prenez des nouvelles,Affiche A3")
    assert lines[1].endswith(",7")
    xlsx = admin_client.get(url, {**params, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.values)
    assert rows[0][-1] == "Téléchargements"
    assert sum(row[-1] for row in rows[1:]) == 12
    assert june  # the period chosen above holds these days


def test_report_refuses_a_reversed_period_and_needs_the_admin(admin_client, client, db):
    url = reverse("kits_downloads")
    response = admin_client.get(url, {"start": "2026-06-30", "end": "2026-06-01"})
    assert response.status_code == 200
    assert "La date de début doit précéder la date de fin." in response.content.decode()
    assert admin_client.get(url, {"start": "pas une date", "end": ""}).status_code == 200
    assert client.get(url).status_code == 302  # to the login page
