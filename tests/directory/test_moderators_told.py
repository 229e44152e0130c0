"""A confirmed proposal waits for moderation: its moderators (the mairie users of its
communes, and the staff who moderate every actor, found as kits finds its moderators) hear
of it by email, sent by a task once the confirmation is committed, in the site's language,
with a link to the admin's queue of actors waiting."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

import pytest

from directory import services
from directory.factories import ActorFactory
from directory.models import Actor
from volunteers.factories import MairieAccessFactory
from volunteers.models.access import MAIRIE_GROUP_NAME

pytestmark = pytest.mark.django_db


def _user(username, *, group=None, email=None, is_active=True, **kwargs):
    user = get_user_model().objects.create_user(
        username=username,
        password="x",
        email=f"{username}@example.org" if email is None else email,
        is_active=is_active,
        **kwargs,
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def people(geo):
    melun = _user("mairie-melun", group=MAIRIE_GROUP_NAME)
    MairieAccessFactory(user=melun, commune=geo["melun"])
    brest = _user("mairie-brest", group=MAIRIE_GROUP_NAME)
    MairieAccessFactory(user=brest, commune=geo["brest"])
    gone = _user("mairie-partie", group=MAIRIE_GROUP_NAME, is_active=False)
    MairieAccessFactory(user=gone, commune=geo["melun"])
    _user("redaction", group="Editors")
    _user("admin", is_superuser=True, is_staff=True)
    _user("sans-droit")
    return {"melun": melun}


@pytest.fixture
def proposal(geo):
    return ActorFactory(
        name="Épicerie solidaire",
        communes=[geo["melun"]],
        status=Actor.Status.UNCONFIRMED,
        proposer_email="proposante@example.net",
        language="en",
    )


def _confirm(client, actor, capture):
    token = services.actor_confirmation_token(actor=actor)
    with capture() as callbacks:
        response = client.post(reverse("directory:confirm", kwargs={"token": token}))
    # Nothing leaves inside the request: a task does, once the confirmation is committed.
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    return response, callbacks


def test_confirming_tells_the_communes_mairie_and_staff_once(
    client, people, proposal, django_capture_on_commit_callbacks
):
    response, callbacks = _confirm(client, proposal, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin@example.org",
        "mairie-melun@example.org",
        "redaction@example.org",
    ]
    # One message per address: a mairie does not learn who else moderates.
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    message = mail.outbox[0]
    # The site's language, whatever the proposer wrote in.
    assert message.subject == "Fiche de l'annuaire à relire : Épicerie solidaire"
    assert "Melun (77)" in message.body
    queue = reverse("wagtailsnippets_directory_actor:list") + "?status=pending"
    assert f"http://testserver{queue}" in message.body
    # The proposer stays in the admin, out of the email.
    assert "proposante" not in message.body

    mail.outbox.clear()
    _confirm(client, proposal, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_the_queue_link_opens_on_the_waiting_actors(
    client, people, proposal, geo, django_capture_on_commit_callbacks
):
    ActorFactory(name="ActeurDejaPublie", communes=[geo["melun"]])
    _confirm(client, proposal, django_capture_on_commit_callbacks)
    client.force_login(people["melun"])
    response = client.get(reverse("wagtailsnippets_directory_actor:list") + "?status=pending")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Épicerie solidaire" in content
    assert "ActeurDejaPublie" not in content


def test_nobody_is_told_of_an_entry_moderated_before_the_task_ran(people, proposal):
    from directory.tasks import actor_notify_moderators_task

    services.actor_publish(actor=proposal)
    actor_notify_moderators_task.enqueue(actor_id=proposal.pk)
    assert mail.outbox == []


def test_without_any_moderator_nothing_fails(client, proposal, django_capture_on_commit_callbacks):
    response, _callbacks = _confirm(client, proposal, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert mail.outbox == []
    proposal.refresh_from_db()
    assert proposal.status == Actor.Status.PENDING
