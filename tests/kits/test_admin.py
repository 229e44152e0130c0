from django.urls import reverse

import pytest

from kits import services
from kits.models import EngagedCommune, PersonalisedPoster


def test_staff_see_and_edit_engaged_communes_but_never_confirm_them(admin_client, melun):
    engagement = EngagedCommune.objects.create(
        commune=melun, contact_name="Claire Martin", role="Maire", email="claire@example.org"
    )
    listing = admin_client.get(reverse("wagtailsnippets_kits_engagedcommune:list"))
    assert listing.status_code == 200
    assert "Claire Martin" in listing.content.decode()
    url = reverse("wagtailsnippets_kits_engagedcommune:edit", args=[engagement.pk])
    assert admin_client.get(url).status_code == 200
    # The edit form changes the contact's details; the confirmation is the address's own
    # (the emailed page) and the approval a moderation action: neither is a field here.
    response = admin_client.post(
        url,
        {
            "commune": "77288",
            "contact_name": "Claire Martin-Durand",
            "role": "Maire",
            "email": "claire@example.org",
            "confirmed_at": "2026-05-01 10:00",
            "status": "approved",
        },
    )
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.contact_name == "Claire Martin-Durand"
    assert not engagement.is_confirmed
    assert engagement.status == EngagedCommune.Status.UNCONFIRMED
    # An unknown INSEE code typed by staff is an error on the field, not a 500.
    response = admin_client.post(
        url,
        {"commune": "00000", "contact_name": "C", "role": "M", "email": "c@example.org"},
    )
    assert response.status_code == 200
    assert "error" in response.content.decode()


def test_personalised_posters_are_records_staff_cannot_edit(
    admin_client, melun, poster_template, home_page
):
    poster = services.poster_create(
        template=poster_template,
        commune=melun,
        logo_hash="",
        contact_line="Mairie de Melun",
        event_line="",
    )
    listing = admin_client.get(reverse("wagtailsnippets_kits_personalisedposter:list"))
    assert listing.status_code == 200 and "Melun" in listing.content.decode()
    edit = admin_client.get(
        reverse("wagtailsnippets_kits_personalisedposter:edit", args=[poster.pk])
    )
    assert edit.status_code in (302, 403)
    assert PersonalisedPoster.objects.count() == 1


def test_poster_template_create_view_renders(admin_client, db):
    response = admin_client.get(reverse("wagtailsnippets_kits_postertemplate:add"))
    assert response.status_code == 200
    assert "nom de la commune : gauche" in response.content.decode().lower()


# ---------------------------------------------------------------------------------------
# Issue 12: the downloads report is for staff; exports carry no formula; the bulk delete
# names nothing to someone who may not delete.

FORMULA = '=HYPERLINK("http://evil.example","x")'


def _admin_user(username, *groups):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    user = get_user_model().objects.create_user(username=username, password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def _report_menu_shown(client):
    # The sidebar menu is JSON in the dashboard's page: the entry's address is in it.
    return reverse("kits_downloads") in client.get(reverse("wagtailadmin_home")).content.decode()


def _refused(response):
    # Wagtail answers a PermissionDenied in the admin with a redirect to the dashboard.
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


@pytest.mark.parametrize("groups", [("Mairie",), ("Contributeurs mairie",), ()])
def test_the_downloads_report_is_refused_to_admin_users_who_do_not_keep_the_kits(
    client, db, groups
):
    client.force_login(_admin_user("visiteur", *groups))
    assert _refused(client.get(reverse("kits_downloads")))
    export = client.get(reverse("kits_downloads"), {"export": "csv"})
    assert _refused(export) and b"Kit," not in export.content
    assert not _report_menu_shown(client)


def test_editors_see_the_downloads_report_and_its_menu_entry(client, db):
    client.force_login(_admin_user("redaction", "Editors"))
    assert client.get(reverse("kits_downloads")).status_code == 200
    assert _report_menu_shown(client)


def _sheet_cells(content):
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    return [cell.value for row in sheet.iter_rows() for cell in row]


def _csv_cells(response):
    import csv
    import io

    body = b"".join(response.streaming_content) if response.streaming else response.content
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


def _exported(response, fmt):
    if fmt == "csv":
        return _csv_cells(response)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return _sheet_cells(body)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_engaged_communes_export_neutralises_formulas(admin_client, melun, fmt):
    EngagedCommune.objects.create(
        commune=melun, contact_name=FORMULA, role="+33 1 23", email="claire@example.org"
    )
    response = admin_client.get(
        reverse("wagtailsnippets_kits_engagedcommune:list"), {"export": fmt}
    )
    assert response.status_code == 200
    cells = _exported(response, fmt)
    assert "'" + FORMULA in cells
    assert "'+33 1 23" in cells
    assert FORMULA not in cells
    assert "claire@example.org" in cells  # ordinary cells are unchanged


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_downloads_report_export_neutralises_formulas(admin_client, kit_index, fmt):
    import datetime

    from kits.factories import KitFileFactory, KitPageFactory
    from kits.models import DownloadCount

    page = KitPageFactory(parent=kit_index, title="@SUM(1+1)")
    DownloadCount.objects.create(
        kit_file=KitFileFactory(page=page), day=datetime.date(2026, 6, 1), count=3
    )
    response = admin_client.get(
        reverse("kits_downloads"), {"start": "2026-06-01", "end": "2026-06-30", "export": fmt}
    )
    cells = _exported(response, fmt)
    assert "'@SUM(1+1)" in cells and "@SUM(1+1)" not in cells
    assert 3 in cells or "3" in cells  # a number stays a number


def test_bulk_delete_names_no_engaged_commune_to_a_user_who_may_not_delete(client, melun):
    engagement = EngagedCommune.objects.create(
        commune=melun, contact_name="Claire Confidentielle", role="Maire", email="c@example.org"
    )
    client.force_login(_admin_user("mairie", "Mairie"))
    url = reverse("wagtail_bulk_action", args=["kits", "engagedcommune", "delete"])
    response = client.get(url, {"id": "all"})
    assert _refused(response)
    assert b"Claire Confidentielle" not in response.content
    client.post(f"{url}?id={engagement.pk}")
    assert EngagedCommune.objects.filter(pk=engagement.pk).exists()
