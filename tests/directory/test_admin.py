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
