"""The admin's password reset (campaign/accounts.py): the email goes out from the task worker,
never inside the request; requests are throttled per client address and per typed email; the
answer never tells whether an account exists or was asked for."""

import re

from django.contrib.auth import get_user_model
from django.core import mail

import pytest

from campaign import ratelimit
from campaign.tasks import PERSON_WAITING, send_password_reset_email

RESET_URL = "/admin/password_reset/"
DONE_URL = "/admin/password_reset/done/"
T0 = 3600 * 500_000  # the start of an hour, so that a test knows when its window ends
PASSWORD = "ancien-mot-de-passe"


@pytest.fixture
def clock(monkeypatch):
    state = {"now": float(T0)}
    monkeypatch.setattr(ratelimit, "now", lambda: state["now"])
    return state


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser(
        username="redaction", email="redaction@example.org", password=PASSWORD
    )


@pytest.fixture
def queued(settings):
    """Tasks are queued, not run: what the worker would be given."""
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    yield default_task_backend.results
    default_task_backend.clear()


def ask(client, email, address=None):
    extra = {"HTTP_X_FORWARDED_FOR": address} if address else {}
    return client.post(RESET_URL, {"email": email}, **extra)


def run(results):
    """Run the queued tasks as the worker would."""
    for result in results:
        result.task.call(*result.args, **result.kwargs)


def test_the_email_is_sent_by_a_task_not_in_the_request(
    client, staff, clock, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, "redaction@example.org")

    assert response.status_code == 302
    assert response["Location"] == DONE_URL
    assert mail.outbox == []  # nothing sent inside the request
    assert len(queued) == 1
    result = queued[0]
    assert result.task.func is send_password_reset_email.func
    assert result.task.priority == PERSON_WAITING
    assert result.kwargs == {"user_id": staff.pk, "language": "fr"}  # no token, no address

    run(queued)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["redaction@example.org"]


def test_the_link_in_the_email_resets_the_password(
    client, staff, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "redaction@example.org")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "redaction" in body  # the username, as Wagtail's email gives it
    link = re.search(r"http://testserver(/admin/password_reset/confirm/\S+/)", body).group(1)

    response = client.get(link)
    assert response.status_code == 302  # Django moves the token into the session
    form_url = response["Location"]
    response = client.post(
        form_url,
        {"new_password1": "un-nouveau-secret-solide", "new_password2": "un-nouveau-secret-solide"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/password_reset/complete/"

    staff.refresh_from_db()
    assert staff.check_password("un-nouveau-secret-solide")
    assert (
        client.post(
            "/admin/login/", {"username": "redaction", "password": "un-nouveau-secret-solide"}
        ).status_code
        == 302
    )
    # The link works once.
    client.logout()
    response = client.get(link)
    assert response.status_code == 200
    assert response.context["validlink"] is False


def test_the_email_is_in_the_users_admin_language(
    client, staff, clock, django_capture_on_commit_callbacks
):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(staff)
    profile.preferred_language = "en"
    profile.save()

    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "redaction@example.org")

    assert len(mail.outbox) == 1
    assert "Please follow the link below to reset your password" in mail.outbox[0].body


def test_no_account_enumeration(client, staff, clock, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = ask(client, "redaction@example.org")
        unknown = ask(client, "personne@example.org")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert (known.status_code, known["Location"]) == (302, DONE_URL)
    assert len(queued) == 1  # only the real account gets an email
    run(queued)
    assert [m.to for m in mail.outbox] == [["redaction@example.org"]]


def test_the_email_limit_is_silent_and_holds_across_addresses(
    client, staff, clock, settings, queued, django_capture_on_commit_callbacks
):
    settings.TRUSTED_PROXY_COUNT = 1
    limit, window = ratelimit.rate("password_reset_email")
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(limit + 5):
            response = ask(client, "Redaction@Example.org", address=f"203.0.113.{i + 1}")
            answers.append((response.status_code, response["Location"]))

    # The same page every time (the limit is not revealed), but only `limit` emails.
    assert answers == [(302, DONE_URL)] * (limit + 5)
    assert len(queued) == limit

    clock["now"] = T0 + window
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(client, "redaction@example.org", address="198.51.100.1").status_code == 302
    assert len(queued) == limit + 1


def test_the_address_limit_answers_429_and_holds_across_emails(
    client, staff, clock, settings, queued, django_capture_on_commit_callbacks
):
    settings.TRUSTED_PROXY_COUNT = 1
    limit, window = ratelimit.rate("password_reset")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(limit):
            assert ask(client, f"inconnu-{i}@example.org", address="203.0.113.9").status_code == 302
        response = ask(client, "redaction@example.org", address="203.0.113.9")

    assert response.status_code == 429
    assert response["Retry-After"] == str(window)
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Trop de demandes de réinitialisation" in page
    assert "Réessayez dans 60 minutes." in page
    assert queued == []  # nothing sent for the refused request

    # Another address is not affected.
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(client, "redaction@example.org", address="198.51.100.2").status_code == 302
    assert len(queued) == 1


def test_the_admin_language_translates_the_refusal():
    from django.utils import translation

    from campaign.accounts import PasswordResetForm

    with translation.override("en"):
        message = str(PasswordResetForm.error_messages["throttled"])
    assert message.startswith("Too many password reset requests")


def test_an_invalid_email_is_a_form_error_and_counts_nothing(client, staff, clock, queued):
    limit, _window = ratelimit.rate("password_reset")
    for _ in range(limit + 2):
        response = client.post(RESET_URL, {"email": "pas-une-adresse"})
        assert response.status_code == 200
        assert response.context["form"].has_error("email")
    assert ask(client, "redaction@example.org").status_code == 302


def test_the_task_sends_nothing_to_a_deactivated_account(staff):
    staff.is_active = False
    staff.save()

    send_password_reset_email.call(user_id=staff.pk, language="fr")

    assert mail.outbox == []
