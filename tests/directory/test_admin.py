"""The directory's admin: staff see every actor; a mairie user sees, edits and moderates
only the actors serving one of their communes, and reaches no other actor at any URL."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

import pytest

from directory.factories import ActorFactory
from directory.models import Actor
from volunteers.factories import MairieAccessFactory
from volunteers.models.access import MAIRIE_GROUP_NAME

pytestmark = pytest.mark.django_db

LIST = "wagtailsnippets_directory_actor:list"
EDIT = "wagtailsnippets_directory_actor:edit"


@pytest.fixture
def actors(geo):
    return {
        "melun": ActorFactory(
            name="ActeurMelunVisible", communes=[geo["melun"]], status=Actor.Status.PENDING
        ),
        "both": ActorFactory(name="ActeurDesDeuxVilles", communes=[geo["melun"], geo["brest"]]),
        "brest": ActorFactory(name="ActeurBrestCache", communes=[geo["brest"]]),
        "department": ActorFactory(name="ActeurDepartementCache", departments=[geo["d77"]]),
    }


@pytest.fixture
def mairie_user(geo):
    user = get_user_model().objects.create_user(username="mairie-melun", password="x")
    user.groups.add(Group.objects.get(name=MAIRIE_GROUP_NAME))
    MairieAccessFactory(user=user, commune=geo["melun"])
    return user


def _edit_data(actor, **overrides):
    data = {
        "status": actor.status,
        "last_checked_at": "",
        "name": actor.name,
        "slug": actor.slug,
        "kind": actor.kind,
        "description": actor.description,
        "communes": ", ".join(actor.communes.values_list("insee_code", flat=True)),
        "intercommunalities": "",
        "departments": "",
        "address": actor.address,
        "postcode": actor.postcode,
        "email": "",
        "phone": "",
        "website": "",
        "opening_hours": "",
        "languages": "",
        "accessibility_notes": "",
    }
    data.update(overrides)
    return data


def test_a_mairie_user_lists_and_edits_only_its_communes_actors(client, actors, mairie_user):
    client.force_login(mairie_user)
    html = client.get(reverse(LIST)).content.decode()
    assert "ActeurMelunVisible" in html and "ActeurDesDeuxVilles" in html
    assert "ActeurBrestCache" not in html and "ActeurDepartementCache" not in html
    for name in ("brest", "department"):
        pk = actors[name].pk
        for view in ("edit", "delete", "history", "usage"):
            url = reverse(f"wagtailsnippets_directory_actor:{view}", args=[pk])
            assert client.get(url).status_code in (403, 404), url
        assert client.post(
            reverse(EDIT, args=[pk]), _edit_data(actors[name], name="Pirate")
        ).status_code in (403, 404)
    assert Actor.objects.filter(name="Pirate").count() == 0
    chooser = client.get("/admin/snippets/choose/directory/actor/results/", {"q": "Acteur"})
    assert b"ActeurBrestCache" not in chooser.content


def test_a_mairie_user_publishes_an_actor_of_its_commune(client, actors, mairie_user):
    client.force_login(mairie_user)
    actor = actors["melun"]
    actor.proposer_email = "proposeur@example.org"
    actor.save()
    response = client.post(
        reverse(EDIT, args=[actor.pk]), _edit_data(actor, status=Actor.Status.PUBLISHED)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    actor.refresh_from_db()
    assert actor.status == Actor.Status.PUBLISHED
    assert actor.last_checked_at is not None
    # The proposer's address is kept for the yearly update, never shown in the admin form.
    assert actor.proposer_email == "proposeur@example.org"
    assert b"proposeur@example.org" not in client.get(reverse(EDIT, args=[actor.pk])).content


def test_a_rejection_erases_the_proposer_s_address(client, actors, mairie_user):
    client.force_login(mairie_user)
    actor = actors["melun"]
    actor.proposer_email = "proposeur@example.org"
    actor.save()
    response = client.post(
        reverse(EDIT, args=[actor.pk]), _edit_data(actor, status=Actor.Status.REJECTED)
    )
    assert response.status_code == 302
    actor.refresh_from_db()
    assert (actor.status, actor.proposer_email) == (Actor.Status.REJECTED, "")


@pytest.mark.parametrize(
    ("communes", "message"),
    [
        ("29019", "doit rester rattaché à l&#x27;une de vos communes"),
        ("77288, 29232", "Vous ne pouvez ajouter que vos propres communes."),
        ("77288, 99999", "Code INSEE inconnu"),
    ],
)
def test_a_mairie_user_cannot_move_an_actor_to_another_commune(
    client, actors, mairie_user, communes, message
):
    from kits.factories import CommuneFactory

    CommuneFactory(insee_code="29232", name="Quimper")
    client.force_login(mairie_user)
    actor = actors["melun"]
    response = client.post(reverse(EDIT, args=[actor.pk]), _edit_data(actor, communes=communes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(actor.communes.values_list("insee_code", flat=True)) == ["77288"]


def test_staff_see_every_actor_and_set_its_whole_area(client, actors, geo):
    user = get_user_model().objects.create_user(username="redaction", password="x")
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    html = client.get(reverse(LIST), {"status": "published"}).content.decode()
    assert "ActeurBrestCache" in html and "ActeurMelunVisible" not in html
    actor = actors["brest"]
    response = client.post(
        reverse(EDIT, args=[actor.pk]),
        _edit_data(
            actor,
            communes="29019 77288",
            intercommunalities="242900314",
            departments="29",
            website="javascript:alert(1)",
        ),
    )
    assert response.status_code == 200  # the website is refused
    response = client.post(
        reverse(EDIT, args=[actor.pk]),
        _edit_data(
            actor,
            communes="29019 77288",
            intercommunalities="242900314",
            departments="29",
            website="https://www.example.org",
        ),
    )
    assert response.status_code == 302
    assert sorted(actor.communes.values_list("insee_code", flat=True)) == ["29019", "77288"]
    assert list(actor.intercommunalities.values_list("code", flat=True)) == ["242900314"]
    assert list(actor.departments.values_list("code", flat=True)) == ["29"]


# --- Help points ------------------------------------------------------------------------------
# A mairie user adds, edits and deletes the help points of their communes, and only those;
# every date is checked in the form (never the database's check constraints, never a 500).

HELP_POINT_LIST = "wagtailsnippets_directory_helppoint:list"
HELP_POINT_ADD = "wagtailsnippets_directory_helppoint:add"
HELP_POINT_EDIT = "wagtailsnippets_directory_helppoint:edit"


def _date_row(**values):
    row = {
        "id": "",
        "date": "2099-01-06",
        "starts_at": "14:00",
        "ends_at": "17:00",
        "repeat_until": "",
        "commune": "",
        "place": "",
        "DELETE": "",
    }
    row.update(values)
    return row


def _help_point_data(dates=(), *, initial=0, **overrides):
    data = {
        "name": "Permanence numérique",
        "slug": "",
        "kind": "fixed",
        "actor": "",
        "published": "on",
        "commune": "77288",
        "place": "Médiathèque",
        "address": "6 allée de la Lecture",
        "phone": "",
        "helps_with_forms": "on",
        "other_help": "",
        "description": "",
        "dates-TOTAL_FORMS": str(len(dates)),
        "dates-INITIAL_FORMS": str(initial),
        "dates-MIN_NUM_FORMS": "0",
        "dates-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(dates):
        for name, value in row.items():
            data[f"dates-{index}-{name}"] = value
    data.update(overrides)
    return data


@pytest.fixture
def help_points(geo):
    from directory.factories import HelpPointDateFactory, HelpPointFactory

    melun = HelpPointFactory(name="PointMelunVisible", commune=geo["melun"])
    HelpPointDateFactory(help_point=melun)
    # Held in Brest, with one date in Melun: Melun's mairie sees it.
    shared = HelpPointFactory(name="PointBusPartage", commune=geo["brest"])
    HelpPointDateFactory(help_point=shared, commune=geo["melun"])
    brest = HelpPointFactory(name="PointBrestCache", commune=geo["brest"])
    HelpPointDateFactory(help_point=brest)
    return {"melun": melun, "shared": shared, "brest": brest}


def _mairie(username, commune):
    user = get_user_model().objects.create_user(username=username, password="x")
    user.groups.add(Group.objects.get(name=MAIRIE_GROUP_NAME))
    MairieAccessFactory(user=user, commune=commune)
    return user


def test_a_mairie_user_adds_a_help_point_of_its_commune(client, geo, mairie_user):
    from directory.models import HelpPoint

    client.force_login(mairie_user)
    assert client.get(reverse(HELP_POINT_ADD)).status_code == 200
    response = client.post(
        reverse(HELP_POINT_ADD),
        _help_point_data([_date_row(repeat_until="2099-06-30")]),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    point = HelpPoint.objects.get(name="Permanence numérique")
    # The slug left empty is made from the name.
    assert (point.slug, point.commune_id) == ("permanence-numerique", "77288")
    [date] = point.dates.all()
    assert (str(date.date), str(date.repeat_until), date.uid != "") == (
        "2099-01-06",
        "2099-06-30",
        True,
    )


@pytest.mark.parametrize(
    ("dates", "overrides", "message"),
    [
        (
            [_date_row(starts_at="17:00", ends_at="14:00")],
            {},
            "L&#x27;heure de fin doit venir après l&#x27;heure de début.",
        ),
        (
            [_date_row(starts_at="14:00", ends_at="14:00")],
            {},
            "L&#x27;heure de fin doit venir après l&#x27;heure de début.",
        ),
        (
            [_date_row(repeat_until="2098-12-29")],
            {},
            "La dernière semaine ne peut pas précéder la première date.",
        ),
        (
            [_date_row(date="2020-03-03")],
            {},
            "Cette date est déjà passée : indiquez une date à venir.",
        ),
        (
            [_date_row(date="2020-03-03", repeat_until="2020-06-30")],
            {},
            "Cette permanence est déjà terminée",
        ),
        (
            [_date_row()],
            {"commune": "29019"},
            "Vous ne pouvez choisir que l&#x27;une de vos communes : 77288.",
        ),
        (
            [_date_row(commune="29019")],
            {},
            "Vous ne pouvez choisir que l&#x27;une de vos communes : 77288.",
        ),
        ([_date_row(commune="99999")], {}, "Code INSEE inconnu : 99999."),
        ([_date_row()], {"commune": "<b>x"}, "Code INSEE inconnu : &lt;B&gt;X."),
        ([_date_row(date="pas une date")], {}, 'class="error-message"'),
    ],
)
def test_a_bad_help_point_date_gets_a_clear_message_and_nothing_is_saved(
    client, geo, mairie_user, dates, overrides, message
):
    from directory.models import HelpPoint, HelpPointDate

    client.force_login(mairie_user)
    response = client.post(reverse(HELP_POINT_ADD), _help_point_data(dates, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert HelpPoint.objects.count() == 0 and HelpPointDate.objects.count() == 0


def test_the_messages_are_in_english_when_the_admin_is(client, geo, mairie_user):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(mairie_user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(mairie_user)
    response = client.post(
        reverse(HELP_POINT_ADD),
        _help_point_data(
            [
                _date_row(starts_at="17:00", ends_at="14:00", commune="29019"),
                _date_row(date="2020-03-03"),
                _date_row(repeat_until="2098-12-29"),
            ]
        ),
    )
    html = response.content.decode()
    assert "The end time must come after the start time." in html
    assert "You can only choose one of your own towns: 77288." in html
    assert "This date has already passed: enter a date still to come." in html
    assert "The last week cannot come before the first date." in html


def test_an_unchanged_past_date_is_kept_and_a_changed_one_refused(client, geo, mairie_user):
    import datetime

    from django.utils import timezone

    from directory.factories import HelpPointDateFactory, HelpPointFactory

    point = HelpPointFactory(name="Permanence ancienne", commune=geo["melun"])
    past = HelpPointDateFactory(
        help_point=point, date=timezone.localdate() - datetime.timedelta(30)
    )
    client.force_login(mairie_user)
    kept = _date_row(id=str(past.pk), date=past.date.isoformat())
    new = _date_row()
    data = _help_point_data([kept, new], initial=1, name="Permanence du mardi", slug=point.slug)
    response = client.post(reverse(HELP_POINT_EDIT, args=[point.pk]), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    point.refresh_from_db()
    assert point.name == "Permanence du mardi"
    assert sorted(d.date for d in point.dates.all()) == [past.date, datetime.date(2099, 1, 6)]
    assert point.dates.get(pk=past.pk).uid == past.uid
    # Changing the hours of that past date rewrites history: refused.
    new_pk = point.dates.exclude(pk=past.pk).get().pk
    data = _help_point_data(
        [{**kept, "ends_at": "18:00"}, _date_row(id=str(new_pk))], initial=2, slug=point.slug
    )
    response = client.post(reverse(HELP_POINT_EDIT, args=[point.pk]), data)
    assert response.status_code == 200
    assert "Cette date est déjà passée" in response.content.decode()
    assert str(point.dates.get(pk=past.pk).ends_at) == "17:00:00"


def test_a_mairie_user_of_another_commune_never_reaches_a_help_point(client, geo, help_points):
    """A mairie user of Brest (B) and Melun's help point (A): not in the listing, no edit,
    delete, history or usage screen, not in the chooser, nothing changed or deleted by a
    post or a bulk action."""
    from directory.models import HelpPoint

    brest_user = _mairie("mairie-brest", geo["brest"])
    client.force_login(brest_user)
    html = client.get(reverse(HELP_POINT_LIST)).content.decode()
    assert "PointBrestCache" in html and "PointBusPartage" in html
    assert "PointMelunVisible" not in html
    assert (
        "PointMelunVisible"
        not in client.get(reverse(HELP_POINT_LIST), {"q": "Point"}).content.decode()
    )
    pk = help_points["melun"].pk
    for view in ("edit", "delete", "history", "usage"):
        url = reverse(f"wagtailsnippets_directory_helppoint:{view}", args=[pk])
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert b"PointMelunVisible" not in response.content
    chooser = "/admin/snippets/choose/directory/helppoint/"
    for url, query in (
        (chooser, {}),
        (chooser + "results/", {"q": "Point"}),
        (chooser + "chosen-multiple/", {"id": [pk]}),
    ):
        assert b"PointMelunVisible" not in client.get(url, query).content
    assert client.get(f"{chooser}chosen/{pk}/").status_code == 404
    response = client.post(
        reverse(HELP_POINT_EDIT, args=[pk]),
        _help_point_data([], commune="29019", name="Pirate", slug=help_points["melun"].slug),
    )
    assert response.status_code in (403, 404)
    response = client.post(reverse("wagtailsnippets_directory_helppoint:delete", args=[pk]))
    assert response.status_code in (403, 404)
    bulk = "/admin/bulk/directory/helppoint/delete/"
    for query in (f"?id={pk}", "?id=all"):
        assert b"PointMelunVisible" not in client.get(bulk + query).content
    assert client.post(f"{bulk}?id={pk}", {}).status_code == 404
    # "All" is all of its own help points, which it may delete; never Melun's.
    assert client.post(f"{bulk}?id=all", {}).status_code == 302
    assert list(HelpPoint.objects.values_list("name", flat=True)) == ["PointMelunVisible"]


def test_a_mairie_user_edits_a_shared_point_and_keeps_the_other_commune(
    client, geo, help_points, mairie_user
):
    # Held in Brest by staff's choice, one date in Melun: Melun's mairie may edit it, and
    # the commune already there stays, but it may not choose Brest for a new date.
    client.force_login(mairie_user)
    point = help_points["shared"]
    row = point.dates.get()
    existing = _date_row(
        id=str(row.pk), date=row.date.isoformat(), commune="77288", starts_at="14:00"
    )
    data = _help_point_data([existing], initial=1, commune="29019", name="Le bus", slug=point.slug)
    response = client.post(reverse(HELP_POINT_EDIT, args=[point.pk]), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    data = _help_point_data(
        [existing, _date_row(commune="29019")], initial=1, commune="29019", slug=point.slug
    )
    response = client.post(reverse(HELP_POINT_EDIT, args=[point.pk]), data)
    assert response.status_code == 200
    assert "Vous ne pouvez choisir que l&#x27;une de vos communes" in response.content.decode()


def test_a_mairie_user_chooses_an_organiser_among_the_actors_around_it(client, geo, mairie_user):
    from directory.models import HelpPoint

    ActorFactory(name="ActeurAgglo", intercommunalities=[geo["camvs"]])
    secret = ActorFactory(
        name="ActeurBrestEnAttente", communes=[geo["brest"]], status=Actor.Status.PENDING
    )
    client.force_login(mairie_user)
    html = client.get(reverse(HELP_POINT_ADD)).content.decode()
    assert "ActeurAgglo" in html and "ActeurBrestEnAttente" not in html
    response = client.post(
        reverse(HELP_POINT_ADD), _help_point_data([_date_row()], actor=str(secret.pk))
    )
    assert response.status_code == 200
    assert HelpPoint.objects.count() == 0


def test_staff_choose_any_commune_for_a_point_and_its_dates(client, geo):
    from directory.models import HelpPoint

    user = get_user_model().objects.create_user(username="redaction", password="x")
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    response = client.post(
        reverse(HELP_POINT_ADD),
        _help_point_data(
            [_date_row(commune="77487", place="Parking"), _date_row(commune="29019")],
            commune="29019",
            kind="itinerant",
            name="Le bus",
        ),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    point = HelpPoint.objects.get(name="Le bus")
    assert point.commune_id == "29019"
    assert sorted(point.dates.values_list("commune_id", flat=True)) == ["29019", "77487"]


def test_history_and_usage_screens_open_on_what_the_user_sees(client, geo, actors, mairie_user):
    """Their listings are log entries and references (the mixins only choose the object):
    they answered 500 while the object's queryset stood in for them. A help point of
    another commune that names a shared actor is counted there, never named."""
    from directory.factories import HelpPointDateFactory, HelpPointFactory

    mine = HelpPointFactory(name="PointMelunHistoire", commune=geo["melun"])
    HelpPointDateFactory(help_point=mine)
    HelpPointFactory(name="PointBrestReference", commune=geo["brest"], actor=actors["both"])
    staff = get_user_model().objects.create_user(username="redaction", password="x")
    staff.groups.add(Group.objects.get(name="Editors"))
    screens = [
        ("actor", "history", actors["melun"].pk),
        ("actor", "usage", actors["both"].pk),
        ("helppoint", "history", mine.pk),
        ("helppoint", "usage", mine.pk),
    ]
    for user, named in ((mairie_user, False), (staff, True)):
        client.force_login(user)
        for model, view, pk in screens:
            url = reverse(f"wagtailsnippets_directory_{model}:{view}", args=[pk])
            response = client.get(url)
            assert response.status_code == 200, url
            if view == "usage" and model == "actor":
                assert (b"PointBrestReference" in response.content) is named
