"""The admin listing and the mairie permission matrix: a mairie of commune A sees the
confirmed, consenting volunteers of A, and nothing of anyone else, through any URL."""

from django.contrib.auth import get_user_model
from django.urls import reverse

import pytest

from volunteers.factories import MairieAccessFactory, VolunteerFactory
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(geography):
    melun, brest = geography["melun"], geography["brest"]
    return {
        "a_shared": VolunteerFactory(
            commune=melun, consent_mairie=True, first_name="Alice", email="alice@example.org"
        ),
        "a_not_shared": VolunteerFactory(
            commune=melun, consent_mairie=False, first_name="Agathe", email="agathe@example.org"
        ),
        "a_pending": VolunteerFactory(
            commune=melun,
            consent_mairie=True,
            status=Volunteer.Status.PENDING,
            first_name="Anatole",
            email="anatole@example.org",
        ),
        "b_shared": VolunteerFactory(
            commune=brest, consent_mairie=True, first_name="Bertrand", email="bertrand@example.org"
        ),
    }


@pytest.fixture
def mairie_user(geography, mairie_group):
    user = get_user_model().objects.create_user(
        username="mairie-melun", password="x", is_staff=True
    )
    user.groups.add(mairie_group)
    MairieAccessFactory(user=user, commune=geography["melun"])
    return user


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(username="chef", password="x")


def url(name, *args):
    return reverse(f"wagtailsnippets_volunteers_volunteer:{name}", args=args)


def test_staff_listing_shows_everyone_with_filters_and_search(client, superuser, people):
    client.force_login(superuser)
    response = client.get(url("list"))
    assert response.status_code == 200
    html = response.content.decode()
    for person in people.values():
        assert person.email in html
    response = client.get(url("list"), {"department": "29"})
    html = response.content.decode()
    assert "bertrand@example.org" in html and "alice@example.org" not in html
    response = client.get(url("list"), {"q": "Bertrand"})
    assert "bertrand@example.org" in response.content.decode()
    response = client.get(url("list"), {"status": "pending"})
    html = response.content.decode()
    assert "anatole@example.org" in html and "alice@example.org" not in html


def test_staff_listing_query_count_does_not_grow(
    client, superuser, geography, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(superuser)
    client.get(url("list"))  # warm the per-process caches (content types, interests)
    counts = []
    for size in (2, 12):
        VolunteerFactory.create_batch(
            size - Volunteer.objects.count(), commune=geography["melun"], interests=["aines"]
        )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("list")).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_mairie_listing_shows_only_shared_confirmed_of_their_commune(client, mairie_user, people):
    client.force_login(mairie_user)
    response = client.get(url("list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "alice@example.org" in html
    for key in ("a_not_shared", "a_pending", "b_shared"):
        assert people[key].email not in html
    # Search and filters cannot widen the scope.
    for params in (
        {"q": "Bertrand"},
        {"department": "29"},
        {"commune": "29019"},
        {"status": "pending"},
    ):
        html = client.get(url("list"), params).content.decode()
        assert "bertrand@example.org" not in html
        assert "anatole@example.org" not in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_mairie_export_contains_only_their_rows(client, mairie_user, people, fmt):
    client.force_login(mairie_user)
    response = client.get(url("list"), {"export": fmt})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        text = body.decode()
        assert "alice@example.org" in text
        for key in ("a_not_shared", "a_pending", "b_shared"):
            assert people[key].email not in text
    else:
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(body)).active
        cells = {str(c.value) for row in sheet.iter_rows() for c in row}
        assert "alice@example.org" in cells
        assert "bertrand@example.org" not in cells


@pytest.mark.parametrize("name", ["edit", "delete", "inspect", "history", "usage", "copy"])
def test_mairie_cannot_reach_another_communes_volunteer(client, mairie_user, people, name):
    client.force_login(mairie_user)
    target = people["b_shared"]
    try:
        address = url(name, target.pk)
    except Exception:  # noqa: BLE001 - a view that does not exist cannot leak either
        return
    response = client.get(address)
    # Wagtail answers a missing permission with a redirect to the dashboard.
    assert response.status_code in (403, 404) or response["Location"] == reverse(
        "wagtailadmin_home"
    )
    assert b"bertrand@example.org" not in response.content
    assert b"Bertrand" not in response.content


def test_mairie_can_inspect_their_own_volunteer_only(client, mairie_user, people):
    client.force_login(mairie_user)
    assert client.get(url("inspect", people["a_shared"].pk)).status_code == 200
    assert client.get(url("inspect", people["a_not_shared"].pk)).status_code == 404
    # Writing is not theirs either.
    assert client.post(url("delete", people["a_shared"].pk)).status_code in (302, 403)
    assert Volunteer.objects.filter(pk=people["a_shared"].pk).exists()


def test_mairie_chooser_lists_only_their_volunteers(client, mairie_user, people):
    client.force_login(mairie_user)
    chooser = reverse("wagtailsnippetchoosers_volunteers_volunteer:choose")
    response = client.get(chooser)
    body = response.content.decode()
    assert "Bertrand" not in body and "Agathe" not in body
    chosen = reverse(
        "wagtailsnippetchoosers_volunteers_volunteer:chosen", args=[people["b_shared"].pk]
    )
    response = client.get(chosen)
    assert response.status_code in (403, 404)
    assert b"Bertrand" not in response.content


def test_mairie_dashboard_shows_their_communes_only(client, mairie_user, people):
    client.force_login(mairie_user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bénévoles de vos communes" in html
    assert "Seine-et-Marne" in html
    assert "Finistère" not in html


def test_staff_dashboard_has_chart_table_and_rate(client, superuser, people):
    client.force_login(superuser)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "<svg" in html and "Inscriptions et confirmations par semaine" in html
    assert "Taux de confirmation" in html
    assert "Finistère" in html and "Seine-et-Marne" in html


def test_user_without_permission_sees_nothing(client, people, db):
    user = get_user_model().objects.create_user(username="lambda", password="x", is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(url("list")).status_code in (302, 403)
    assert "Bénévoles de l" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_volunteers_are_read_only_in_the_admin_even_for_superusers(client, superuser, people):
    """Changes go through the services, which keep the consent proof; a hard delete would
    also lose the fingerprint that honours an unsubscribe."""
    client.force_login(superuser)
    target = people["a_shared"]
    assert client.get(url("inspect", target.pk)).status_code == 200
    assert client.get(url("edit", target.pk)).status_code in (302, 403)
    assert client.get(url("add")).status_code in (302, 403)
    client.post(url("delete", target.pk))
    assert Volunteer.objects.filter(pk=target.pk).exists()


def test_staff_link_a_mairie_user_to_a_commune_by_insee_code(client, superuser, mairie_user):
    from volunteers.models import MairieAccess

    client.force_login(superuser)
    add = reverse("wagtailsnippets_volunteers_mairieaccess:add")
    assert client.get(add).status_code == 200
    response = client.post(add, {"user": mairie_user.pk, "commune": "29019"})
    assert response.status_code == 302
    assert MairieAccess.objects.filter(user=mairie_user, commune_id="29019").exists()


def test_dashboard_figures_take_the_same_queries_whatever_the_volume(
    geography, superuser, django_assert_num_queries
):
    from volunteers.selectors import dashboard_figures

    for size in (1, 20):
        VolunteerFactory.create_batch(size, commune=geography["melun"])
        with django_assert_num_queries(4):
            figures = dashboard_figures(user=superuser)
    assert figures["total"] == 21
    assert figures["rate"] == 100
    assert sum(w["signups"] for w in figures["weeks"]) == 21


def test_editors_see_and_filter_every_volunteer(client, people):
    from django.contrib.auth.models import Group

    editor = get_user_model().objects.create_user(username="ed", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    html = client.get(url("list")).content.decode()
    assert all(p.email in html for p in people.values())
    people["b_shared"].interests.create(slug="accueil")
    html = client.get(url("list"), {"interest": "accueil"}).content.decode()
    assert "bertrand@example.org" in html and "alice@example.org" not in html
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Bénévoles de l'heure civique" in dashboard


# ---------------------------------------------------------------------------------------
# Issue 12: every way to a volunteer through the admin answers with the user's own rows.


def test_mairie_chosen_multiple_returns_only_their_volunteers(client, mairie_user, people):
    client.force_login(mairie_user)
    url = reverse("wagtailsnippetchoosers_volunteers_volunteer:chosen_multiple")
    ids = [p.pk for p in people.values()]
    response = client.get(url, {"id": ids})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alice" in body
    for key in ("a_not_shared", "a_pending", "b_shared"):
        assert people[key].first_name not in body
    # An id that cannot be a volunteer's is a bad request, not a 500.
    assert client.get(url, {"id": ids + ["pas-un-nombre"]}).status_code == 400


def test_localize_snippet_api_answers_only_with_visible_volunteers(client, mairie_user, people):
    client.force_login(mairie_user)
    listing = client.get("/admin/localize/api/snippets/volunteers/volunteer/")
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()] == [people["a_shared"].pk]
    for key in ("a_not_shared", "a_pending", "b_shared"):
        detail = client.get(f"/admin/localize/api/snippets/volunteers/volunteer/{people[key].pk}/")
        assert detail.status_code == 404
        assert people[key].first_name.encode() not in detail.content
    own = client.get(f"/admin/localize/api/snippets/volunteers/volunteer/{people['a_shared'].pk}/")
    assert own.status_code == 200 and own.json()["title"].startswith("Alice")


def test_localize_snippet_api_gives_nothing_to_users_without_permission(client, people, db):
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username="contrib", password="x")
    user.groups.add(Group.objects.get_or_create(name="Contributeurs mairie")[0])
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get("/admin/localize/api/snippets/volunteers/volunteer/").json() == []
    assert client.get("/admin/localize/api/snippets/volunteers/mairieaccess/").json() == []


@pytest.mark.parametrize("who", ["mairie", "superuser"])
def test_bulk_delete_of_volunteers_is_refused_before_naming_anyone(
    client, mairie_user, superuser, people, who
):
    client.force_login(mairie_user if who == "mairie" else superuser)
    url = reverse("wagtail_bulk_action", args=["volunteers", "volunteer", "delete"])
    for query in ({"id": [p.pk for p in people.values()]}, {"id": "all"}):
        response = client.get(url, query)
        assert response.status_code == 403 or response["Location"] == reverse("wagtailadmin_home")
        for person in people.values():
            assert person.first_name.encode() not in response.content
            assert person.email.encode() not in response.content
    client.post(f"{url}?id={people['b_shared'].pk}&id={people['a_shared'].pk}")
    assert Volunteer.objects.count() == len(people)


@pytest.mark.parametrize("who", ["mairie", "superuser"])
def test_volunteer_listing_offers_no_bulk_action(client, mairie_user, superuser, people, who):
    client.force_login(mairie_user if who == "mairie" else superuser)
    html = client.get(url("list")).content.decode()
    assert "alice@example.org" in html
    assert "data-bulk-action-footer" not in html
    assert "bulk-action-btn" not in html
    assert "data-bulk-action-checkbox" not in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_volunteers_export_neutralises_formulas(client, superuser, geography, fmt):
    formula = '=HYPERLINK("http://evil.example","x")'
    VolunteerFactory(
        commune=geography["melun"],
        first_name=formula,
        last_name="-2+3",
        email="formule@example.org",
        consent_mairie=True,
    )
    client.force_login(superuser)
    response = client.get(url("list"), {"export": fmt})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        import csv
        import io

        cells = [c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row]
    else:
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(body)).active
        cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "'" + formula in cells and formula not in cells
    assert "'-2+3" in cells
    assert "formule@example.org" in cells and "Melun" in cells
