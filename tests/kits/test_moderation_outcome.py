"""The declarer hears what staff decided (issue 12): approving a declaration emails them, in
the language they declared in, that their commune is listed, with working links to its page
and to the list; withdrawing a listed one tells them it is no longer listed and whom to
write to. The email is sent by a task once the change is committed, never by the request."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import translation

from wagtail.models import Site

import pytest

from campaign.models import CampaignSettings
from kits import tasks
from kits.models import EngagedCommune

DECLARATION = {
    "commune": "77288",
    "contact_name": "Claire Martin",
    "role": "Adjointe à la solidarité",
    "email": "claire.martin@ville-melun.example",
}


@pytest.fixture
def moderator(db):
    user = get_user_model().objects.create_user(
        username="redaction", password="x", email="redaction@tousvoisins.example"
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def _declare_and_confirm(client, capture, language):
    """Declare Melun from the form in `language`, then confirm from the emailed page."""
    with translation.override(language):
        form_url = reverse("kits:engaged_form")
    with capture(execute=True):
        assert client.post(form_url + "?q=Melun", DECLARATION).status_code == 302
    link = re.search(r"http://testserver(/\S+/)\s", mail.outbox[-1].body)[1]
    with capture(execute=True):
        assert client.post(link).status_code == 200
    mail.outbox.clear()
    engagement = EngagedCommune.objects.get()
    assert engagement.status == EngagedCommune.Status.PENDING
    return engagement


def _moderate(client, capture, engagement, action):
    url = reverse("wagtailsnippets_kits_engagedcommune:moderate", args=[engagement.pk, action])
    with capture() as callbacks:
        assert client.post(url).status_code == 302
    assert mail.outbox == []  # the request itself sends nothing
    for callback in callbacks:
        callback()  # the commit: the task runs (immediate backend in tests)
    return callbacks


def _links(body):
    return re.findall(r"http://testserver(/\S*)", body)


@pytest.mark.parametrize(
    "language, subject, greeting, page_path, list_path",
    [
        (
            "fr",
            "Melun est listée parmi les communes engagées",
            "Bonjour Claire Martin,",
            "/communes-engagees/melun-77288/",
            "/communes-engagees/",
        ),
        (
            "en",
            "Melun is now listed among the committed towns",
            "Hello Claire Martin,",
            "/en/committed-towns/melun-77288/",
            "/en/committed-towns/",
        ),
    ],
)
def test_approval_tells_the_declarer_in_their_language_with_working_links(
    client,
    melun,
    home_page,
    moderator,
    django_capture_on_commit_callbacks,
    language,
    subject,
    greeting,
    page_path,
    list_path,
):
    engagement = _declare_and_confirm(client, django_capture_on_commit_callbacks, language)
    client.force_login(moderator)
    _moderate(client, django_capture_on_commit_callbacks, engagement, "approve")
    client.logout()

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [DECLARATION["email"]]
    assert email.subject == subject
    assert email.body.startswith(greeting)
    assert _links(email.body) == [page_path, list_path]
    page = client.get(page_path)
    assert page.status_code == 200 and "Melun" in page.content.decode()
    listing = client.get(list_path)
    assert listing.status_code == 200 and page_path in listing.content.decode()


@pytest.mark.parametrize(
    "language, subject, contact_line",
    [
        (
            "fr",
            "Melun n'est plus listée parmi les communes engagées",
            "Pour toute question, écrivez-nous à contact@tousvoisins.example.",
        ),
        (
            "en",
            "Melun is no longer listed among the committed towns",
            "If you have any questions, write to us at contact@tousvoisins.example.",
        ),
    ],
)
def test_withdrawing_a_listed_commune_tells_the_declarer_whom_to_write_to(
    client,
    melun,
    home_page,
    moderator,
    django_capture_on_commit_callbacks,
    language,
    subject,
    contact_line,
):
    campaign = CampaignSettings.for_site(Site.objects.get(is_default_site=True))
    campaign.contact_email = "contact@tousvoisins.example"
    campaign.save()
    engagement = _declare_and_confirm(client, django_capture_on_commit_callbacks, language)
    client.force_login(moderator)
    _moderate(client, django_capture_on_commit_callbacks, engagement, "approve")
    mail.outbox.clear()
    _moderate(client, django_capture_on_commit_callbacks, engagement, "withdraw")

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [DECLARATION["email"]]
    assert email.subject == subject
    assert contact_line in email.body
    assert _links(email.body) == []


def test_approving_twice_tells_the_declarer_once(
    client, melun, home_page, moderator, django_capture_on_commit_callbacks
):
    engagement = _declare_and_confirm(client, django_capture_on_commit_callbacks, "fr")
    client.force_login(moderator)
    _moderate(client, django_capture_on_commit_callbacks, engagement, "approve")
    assert len(mail.outbox) == 1
    mail.outbox.clear()
    callbacks = _moderate(client, django_capture_on_commit_callbacks, engagement, "approve")
    assert callbacks == [] and mail.outbox == []


def test_a_refused_approval_tells_no_one(
    client, melun, home_page, moderator, django_capture_on_commit_callbacks
):
    listed, other = (
        EngagedCommune.objects.create(
            commune=melun,
            contact_name=name,
            role="Maire",
            email=f"{name}@example.org",
            confirmed_at="2026-05-01T10:00:00Z",
            status=status,
            language="fr",
        )
        for name, status in (("a", "approved"), ("b", "pending"))
    )
    unconfirmed = EngagedCommune.objects.create(
        commune=melun, contact_name="c", role="Maire", email="c@example.org", language="fr"
    )
    client.force_login(moderator)
    for engagement in (other, unconfirmed):  # already listed by another; address unconfirmed
        callbacks = _moderate(client, django_capture_on_commit_callbacks, engagement, "approve")
        assert callbacks == [] and mail.outbox == []
        engagement.refresh_from_db()
        assert engagement.status != EngagedCommune.Status.APPROVED


def test_withdrawing_a_declaration_that_was_never_listed_tells_no_one(
    client, melun, home_page, moderator, django_capture_on_commit_callbacks
):
    engagement = _declare_and_confirm(client, django_capture_on_commit_callbacks, "fr")
    client.force_login(moderator)
    callbacks = _moderate(client, django_capture_on_commit_callbacks, engagement, "withdraw")
    assert callbacks == [] and mail.outbox == []
    engagement.refresh_from_db()
    assert engagement.status == EngagedCommune.Status.WITHDRAWN


def test_the_task_gets_the_declaration_pk_and_sends_nothing_once_the_decision_changed(
    melun, home_page, db
):
    engagement = EngagedCommune.objects.create(
        commune=melun,
        contact_name="A",
        role="Maire",
        email="a@example.org",
        confirmed_at="2026-05-01T10:00:00Z",
        status=EngagedCommune.Status.WITHDRAWN,
        language="en",
    )
    # Approved then withdrawn before the worker ran: the approval email is not sent.
    tasks.engaged_commune_tell_approved_task.enqueue(engaged_commune_id=engagement.pk)
    assert mail.outbox == []
    tasks.engaged_commune_tell_withdrawn_task.enqueue(engaged_commune_id=engagement.pk)
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
