"""The yearly check ("régulièrement actualisé"): each published actor not checked for a year
is emailed once a year, in its proposer's language, a signed link to confirm its entry or
propose changes (moderated before they show). The command is idempotent, retries a failed
send on its next run, and a link expired, tampered with or already answered opens a clear
page, never a 500."""

import datetime
import re
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail, signing
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

import pytest

from directory import services
from directory.factories import ActorFactory
from directory.models import Actor

from .forgery import forged as forge

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _days_ago(days):
    return TODAY - datetime.timedelta(days=days)


@pytest.fixture
def site(home_page, english_home, geo, categories):
    return geo


@pytest.fixture
def actor(site, categories):
    return ActorFactory(
        name="Épicerie solidaire",
        communes=[site["melun"]],
        categories=[categories["aines"]],
        last_checked_at=_days_ago(400),
        proposer_email="proposante@example.net",
        email="accueil@epicerie.example.org",
        phone="01 64 00 00 00",
        language="fr",
    )


def _run(*args):
    call_command("directory_yearly_check", *args, stdout=__import__("io").StringIO())


def _link(message):
    return re.search(r"http://testserver(/\S+/)", message.body.split("soixante")[-1]).group(1)


def test_who_is_asked(site):
    asked = {
        "never": ActorFactory(proposer_email="never@example.org"),
        "old": ActorFactory(last_checked_at=_days_ago(366), proposer_email="old@example.org"),
        # No proposer's address (erased, or entered by staff): the public one.
        "public": ActorFactory(last_checked_at=_days_ago(500), email="public@example.org"),
    }
    ActorFactory(last_checked_at=_days_ago(100), proposer_email="recent@example.org")
    ActorFactory(status=Actor.Status.PENDING, proposer_email="pending@example.org")
    ActorFactory(status=Actor.Status.REJECTED, email="rejected@example.org")
    ActorFactory(last_checked_at=_days_ago(800))  # Nobody to write to.
    _run()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "never@example.org",
        "old@example.org",
        "public@example.org",
    ]
    for actor in asked.values():
        actor.refresh_from_db()
        assert actor.check_requested_at is not None


def test_once_a_year_per_actor_and_idempotent(actor):
    _run()
    _run()  # The same day: nothing twice.
    assert len(mail.outbox) == 1
    asked_at = Actor.objects.get(pk=actor.pk).check_requested_at
    # Unanswered, the actor is not asked again before a year has passed...
    services.actor_checks_send(now=asked_at + datetime.timedelta(days=200))
    assert len(mail.outbox) == 1
    # ...and is asked again after.
    services.actor_checks_send(now=asked_at + datetime.timedelta(days=366))
    assert len(mail.outbox) == 2


def test_a_failed_send_is_retried_on_the_next_run(actor, monkeypatch, caplog):
    def broken(self, *args, **kwargs):
        # As an SMTP refusal does, the error's text quotes the address.
        raise ConnectionRefusedError("proposante@example.net refused")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    with pytest.raises(CommandError):
        _run()
    actor.refresh_from_db()
    assert actor.check_requested_at is None
    assert f"actor {actor.pk} not sent" in caplog.text
    assert "proposante" not in caplog.text
    monkeypatch.undo()
    _run()
    assert [m.to for m in mail.outbox] == [["proposante@example.net"]]


def test_the_dry_run_sends_nothing(actor):
    out = __import__("io").StringIO()
    call_command("directory_yearly_check", "--dry-run", stdout=out)
    assert "à envoyer : 1" in out.getvalue()
    assert mail.outbox == []
    actor.refresh_from_db()
    assert actor.check_requested_at is None


@pytest.mark.parametrize(
    ("language", "subject", "path"),
    [
        ("fr", "La fiche de Épicerie solidaire est-elle toujours à jour ?", "/annuaire/verifier/"),
        ("en", "Is the entry of Épicerie solidaire still up to date?", "/en/directory/check/"),
        # Not recorded: the site's first language.
        ("", "La fiche de Épicerie solidaire est-elle toujours à jour ?", "/annuaire/verifier/"),
    ],
)
def test_the_email_speaks_the_proposers_language(client, actor, language, subject, path):
    Actor.objects.filter(pk=actor.pk).update(language=language)
    _run()
    message = mail.outbox[0]
    assert message.subject == subject
    link = re.search(r"http://testserver(\S*/(?:verifier|check)/\S+/)", message.body).group(1)
    assert link.startswith(path)
    # The URL carries a signed id and token: no name, no address.
    assert "epicerie" not in link.lower() and "proposante" not in link
    response = client.get(link)
    assert response.status_code == 200
    # The form is prefilled with the published entry.
    assert 'value="01 64 00 00 00"' in response.content.decode()


def _check_link(actor):
    return reverse("directory:check", args=[services.actor_check_token(actor=actor)])


def test_nothing_changed_marks_the_entry_checked_and_uses_the_link(client, actor):
    link = _check_link(actor)
    # Opening the page changes nothing (mail scanners follow links).
    client.get(link)
    actor.refresh_from_db()
    assert actor.last_checked_at == _days_ago(400)
    response = client.post(link, {"action": "confirm"})
    assert response.status_code == 200
    actor.refresh_from_db()
    assert actor.last_checked_at == TODAY
    # Answered: the link now says so, in the visitor's language.
    response = client.post(link, {"action": "confirm"})
    assert response.status_code == 400
    assert "Ce lien a déjà servi" in response.content.decode()
    response = client.get("/en" + link, follow=True)
    assert response.status_code == 400
    assert "This link has already been used" in response.content.decode()


def test_expired_and_tampered_links_open_a_clear_page(client, actor, monkeypatch):
    token = services.actor_check_token(actor=actor)
    forged = forge(token, id=actor.pk + 1)
    response = client.get(reverse("directory:check", args=[forged]))
    assert response.status_code == 400
    assert "incomplet" in response.content.decode()
    assert client.get(reverse("directory:check", args=["nimportequoi"])).status_code == 400
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + 61 * 24 * 3600)
    response = client.post(reverse("directory:check", args=[token]), {"action": "confirm"})
    assert response.status_code == 400
    assert "Ce lien a expiré" in response.content.decode()
    monkeypatch.setattr(signing.time, "time", real_time)
    actor.refresh_from_db()
    assert actor.last_checked_at == _days_ago(400)
    # An entry unpublished since the email was sent opens nothing either.
    Actor.objects.filter(pk=actor.pk).update(status=Actor.Status.REJECTED)
    assert client.get(reverse("directory:check", args=[token])).status_code == 400


def _form(actor, **changes):
    data = {
        "action": "update",
        "name": actor.name,
        "kind": actor.kind,
        "description": actor.description,
        "besoins": ["aines"],
        "address": actor.address,
        "postcode": actor.postcode,
        "email": actor.email,
        "phone": actor.phone,
        "website": actor.website,
        "opening_hours": actor.opening_hours,
        "accessibility_notes": actor.accessibility_notes,
        "languages": actor.languages,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_proposed_changes_wait_for_a_moderator_while_the_entry_stays_published(
    client, actor, django_capture_on_commit_callbacks
):
    editor = get_user_model().objects.create_user(
        username="redaction", password="x", email="redaction@example.org"
    )
    editor.groups.add(Group.objects.get(name="Editors"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _check_link(actor),
            _form(actor, phone="01 64 99 99 99", besoins=["aines", "entraide-numerique"]),
        )
    assert response.status_code == 200
    actor.refresh_from_db()
    assert actor.pending_changes == {
        "phone": "01 64 99 99 99",
        "categories": ["aines", "entraide-numerique"],
    }
    # Published as it was until a moderator decides.
    assert actor.phone == "01 64 00 00 00" and actor.is_public
    assert actor.last_checked_at == _days_ago(400)
    page = client.get(reverse("directory:actor", args=[actor.slug])).content.decode()
    assert "01 64 00 00 00" in page and "01 64 99 99 99" not in page
    # The moderators are told, with the queue of entries with changes.
    assert [m.to for m in mail.outbox] == [["redaction@example.org"]]
    assert "?pending_changes=true" in mail.outbox[0].body

    # The moderator sees them in the edit view and applies them.
    client.force_login(editor)
    queue = client.get(reverse("wagtailsnippets_directory_actor:list") + "?pending_changes=true")
    assert "Épicerie solidaire" in queue.content.decode()
    edit_url = reverse("wagtailsnippets_directory_actor:edit", args=[actor.pk])
    html = client.get(edit_url).content.decode()
    assert "01 64 99 99 99" in html and 'name="pending_decision"' in html
    from wagtail.test.utils.form_data import nested_form_data

    response = client.post(
        edit_url,
        nested_form_data(
            {
                "status": "published",
                "last_checked_at": str(actor.last_checked_at),
                "pending_decision": "apply",
                "name": actor.name,
                "slug": actor.slug,
                "kind": actor.kind,
                "description": actor.description,
                "categories": [],
                "communes": "77288",
                "intercommunalities": "",
                "departments": "",
                "address": actor.address,
                "postcode": actor.postcode,
                "email": actor.email,
                "phone": actor.phone,
                "website": "",
                "opening_hours": "",
                "languages": "",
                "accessibility_notes": "",
            }
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    actor.refresh_from_db()
    assert actor.phone == "01 64 99 99 99"
    assert sorted(actor.categories.values_list("slug", flat=True)) == [
        "aines",
        "entraide-numerique",
    ]
    assert actor.pending_changes == {}
    assert actor.last_checked_at == TODAY
    assert "pending_decision" not in client.get(edit_url).content.decode()


def test_a_form_with_nothing_changed_counts_as_a_confirmation(client, actor):
    response = client.post(_check_link(actor), _form(actor))
    assert response.status_code == 200
    actor.refresh_from_db()
    assert actor.pending_changes == {} and actor.last_checked_at == TODAY


def test_bad_input_in_the_form_gets_a_message_and_changes_nothing(client, actor):
    link = _check_link(actor)
    response = client.post(link, _form(actor, website="javascript:alert(1)", name=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Indiquez le nom de l&#x27;acteur." in html or "Indiquez le nom de l'acteur." in html
    actor.refresh_from_db()
    assert actor.pending_changes == {}
    # The link still works.
    assert client.get(link).status_code == 200


def test_entries_not_checked_for_two_years_are_flagged_in_the_admin(client, site, actor):
    ActorFactory(name="ActeurJamaisVerifie")
    ActorFactory(name="ActeurVerifieIlYADeuxAnsEtPlus", last_checked_at=_days_ago(731))
    ActorFactory(name="ActeurVerifieRecemment", last_checked_at=_days_ago(30))
    client.force_login(
        get_user_model().objects.create_superuser(username="admin", password="x", email="a@b.c")
    )
    html = client.get(
        reverse("wagtailsnippets_directory_actor:list") + "?to_check=true"
    ).content.decode()
    assert "ActeurJamaisVerifie" in html and "ActeurVerifieIlYADeuxAnsEtPlus" in html
    assert "ActeurVerifieRecemment" not in html
    # 400 days is due for the yearly email, not yet flagged.
    assert "Épicerie solidaire" not in html
