"""The admin's sign-in is throttled per client address and per account (campaign/accounts.py):
failed attempts only, refused with 429 and a date to come back, and a fixed cool-off after
which the right password works again."""

from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import translation

import pytest

from campaign import accounts, ratelimit

LOGIN_URL = "/admin/login/"
# The start of a 15-minute window, so that a test knows when its cool-off ends.
T0 = 900 * 2_000_000
PASSWORD = "le-bon-mot-de-passe"


@pytest.fixture
def clock(monkeypatch):
    """The limiter's time, moved by the test."""
    state = {"now": float(T0)}
    monkeypatch.setattr(ratelimit, "now", lambda: state["now"])
    return state


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser(
        username="redaction", email="redaction@example.org", password=PASSWORD
    )


@pytest.fixture
def other_staff(db):
    return get_user_model().objects.create_superuser(
        username="communication", email="communication@example.org", password="un-autre-secret"
    )


@pytest.fixture
def authentications(monkeypatch):
    """How many times a password was checked."""
    calls = []
    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        calls.append(username)
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return calls


def sign_in(client, username, password, address=None, **extra):
    if address is not None:
        extra["HTTP_X_FORWARDED_FOR"] = address
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def test_the_right_password_signs_in(client, staff, clock):
    response = sign_in(client, "redaction", PASSWORD)

    assert response.status_code == 302
    assert signed_in_as(client) == str(staff.pk)


def test_a_wrong_password_is_an_ordinary_error_below_the_limit(client, staff, clock):
    response = sign_in(client, "redaction", "faux")

    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "invalid_login")
    assert signed_in_as(client) is None


def test_thirty_wrong_passwords_then_the_right_one_during_and_after_the_cool_off(
    client, staff, clock, authentications
):
    statuses = [sign_in(client, "redaction", f"essai-{i}").status_code for i in range(30)]

    # The first failures are ordinary errors; once the account's limit is reached the attempts
    # are refused without checking the password.
    account_limit, window = ratelimit.rate("admin_login_account")
    assert statuses[:account_limit] == [200] * account_limit
    assert statuses[account_limit:] == [429] * (30 - account_limit)
    assert len(authentications) == account_limit

    clock["now"] = T0 + window - 60  # a minute before the cool-off ends
    response = sign_in(client, "redaction", PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "no-store" in response["Cache-Control"]
    assert "réessayez dans 1 minute" in response.content.decode()
    assert signed_in_as(client) is None
    assert len(authentications) == account_limit  # the right password was not even checked

    clock["now"] = T0 + window  # the cool-off is over
    response = sign_in(client, "redaction", PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == str(staff.pk)


def test_the_refusal_says_when_to_come_back(client, staff, clock):
    limit, window = ratelimit.rate("admin_login_account")
    for i in range(limit):
        sign_in(client, "redaction", f"essai-{i}")

    response = sign_in(client, "redaction", "encore")

    assert response.status_code == 429
    assert response["Retry-After"] == str(window)
    page = response.content.decode()
    assert "Trop de tentatives de connexion ont échoué" in page
    assert f"réessayez dans {window // 60} minutes" in page


def test_the_refusal_is_translated(client, staff, clock):
    """The sign-in page is in the site's language (French: an anonymous visitor has no admin
    language yet); the refusal is translated like the rest of the admin."""
    form = accounts.LoginForm()
    with translation.override("en"):
        message = str(form.throttled_message) % {"delay": ratelimit.retry_delay_text(900)}
    assert message.startswith("Too many failed sign-in attempts")
    assert "try again in 15 minutes" in message


def test_the_account_limit_holds_across_many_addresses(
    client, staff, clock, settings, authentications
):
    settings.TRUSTED_PROXY_COUNT = 1
    limit, window = ratelimit.rate("admin_login_account")
    for i in range(limit):
        response = sign_in(client, "redaction", f"essai-{i}", address=f"203.0.113.{i + 1}")
        assert response.status_code == 200

    # Fresh addresses, and the name typed differently: the same account.
    for i, name in enumerate(["redaction", "Redaction", " REDACTION "]):
        response = sign_in(client, name, "encore", address=f"198.51.100.{i + 1}")
        assert response.status_code == 429
    response = sign_in(client, "redaction", PASSWORD, address="192.0.2.200")
    assert response.status_code == 429
    assert signed_in_as(client) is None
    assert len(authentications) == limit

    clock["now"] = T0 + window
    response = sign_in(client, "redaction", PASSWORD, address="192.0.2.200")
    assert response.status_code == 302
    assert signed_in_as(client) == str(staff.pk)


def test_the_address_limit_holds_across_many_account_names(
    client, staff, clock, settings, authentications
):
    settings.TRUSTED_PROXY_COUNT = 1
    limit, window = ratelimit.rate("admin_login")
    for i in range(limit):
        response = sign_in(client, f"inconnu-{i}", "faux", address="203.0.113.7")
        assert response.status_code == 200

    response = sign_in(client, "encore-un-autre", "faux", address="203.0.113.7")
    assert response.status_code == 429
    # Even the right password of a real account, from that address.
    response = sign_in(client, "redaction", PASSWORD, address="203.0.113.7")
    assert response.status_code == 429
    assert signed_in_as(client) is None
    assert len(authentications) == limit
    # A spoofed left-most X-Forwarded-For entry changes nothing: the proxy's entry counts.
    response = sign_in(client, "redaction", PASSWORD, address="10.9.8.7, 203.0.113.7")
    assert response.status_code == 429

    # The account itself is not throttled: from another address it signs in.
    response = sign_in(client, "redaction", PASSWORD, address="198.51.100.20")
    assert response.status_code == 302
    assert signed_in_as(client) == str(staff.pk)


def test_another_account_from_another_address_is_not_affected(
    client, staff, other_staff, clock, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(30):
        sign_in(client, "redaction", f"essai-{i}", address="203.0.113.66")
    assert sign_in(client, "redaction", PASSWORD, address="203.0.113.66").status_code == 429

    response = sign_in(client, "communication", "un-autre-secret", address="198.51.100.5")

    assert response.status_code == 302
    assert signed_in_as(client) == str(other_staff.pk)


def test_only_failures_count(client, staff, clock):
    limit, _window = ratelimit.rate("admin_login_account")
    for _ in range(limit + 5):
        assert sign_in(client, "redaction", PASSWORD).status_code == 302
        client.logout()

    response = sign_in(client, "redaction", "faux")

    assert response.status_code == 200  # an ordinary "wrong password", not a refusal
    assert response.context["form"].has_error("__all__", "invalid_login")


def test_an_incomplete_form_is_not_counted(client, staff, clock, authentications):
    limit, _window = ratelimit.rate("admin_login_account")
    for _ in range(limit + 5):
        assert client.post(LOGIN_URL, {"username": "redaction"}).status_code == 200
    assert authentications == []

    assert sign_in(client, "redaction", PASSWORD).status_code == 302


def test_the_admin_uses_the_throttled_form_and_view():
    from wagtail.admin.views.account import get_password_reset_form, get_user_login_form

    assert get_user_login_form() is accounts.LoginForm
    assert get_password_reset_form() is accounts.PasswordResetForm
    assert resolve(LOGIN_URL).func.view_class is accounts.LoginView
    assert resolve("/admin/password_reset/").func.view_class is accounts.PasswordResetView


def _every_pattern(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _every_pattern(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_no_other_sign_in_or_reset_path_bypasses_the_limits():
    """Every sign-in or password-reset view the site's URLs reach (Wagtail's admin and
    front-end ones, Django's if any app added them) answers at an address that resolves to a
    throttled view. Wagtail's front-end sign-in at /_util/login/ was one: unthrottled."""
    guarded = {
        auth_views.LoginView: accounts.ThrottledLoginViewMixin,
        auth_views.PasswordResetView: accounts.PasswordResetView,
    }
    found = []
    for language in ("fr", "en"):
        with translation.override(language):
            for route, callback in _every_pattern(get_resolver().url_patterns):
                view_class = getattr(callback, "view_class", None)
                for base, ours in guarded.items():
                    if view_class is not None and issubclass(view_class, base):
                        found.append(route)
                        assert not any(c in route for c in "<(^$"), route  # a plain address
                        assert issubclass(resolve("/" + route).func.view_class, ours), route
    assert {"admin/login/", "admin/password_reset/", "_util/login/", "en/_util/login/"} <= set(
        found
    )


def test_the_front_end_sign_in_shares_the_limits(client, staff, clock, authentications):
    limit, window = ratelimit.rate("admin_login_account")
    for i in range(limit // 2):
        assert (
            client.post(
                "/_util/login/", {"username": "redaction", "password": f"essai-{i}"}
            ).status_code
            == 200
        )
    for i in range(limit - limit // 2):
        assert sign_in(client, "redaction", f"autre-{i}").status_code == 200

    for url in ("/_util/login/", "/en/_util/login/", LOGIN_URL):
        response = client.post(url, {"username": "redaction", "password": PASSWORD})
        assert response.status_code == 429, url
        assert "réessayez" in response.content.decode() or "try again" in response.content.decode()
    assert signed_in_as(client) is None
    assert len(authentications) == limit

    clock["now"] = T0 + window
    response = client.post("/_util/login/", {"username": "redaction", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_as(client) == str(staff.pk)


def test_the_owner_keeps_signing_in_while_an_attacker_fails_elsewhere(
    client, staff, other_staff, clock, settings
):
    """The per-account limit does not apply to a browser that already signed into the account
    (a signed cookie, without the account's name in clear): an attacker who keeps failing on
    that account from elsewhere never keeps its owner out."""
    from django.test import Client

    settings.TRUSTED_PROXY_COUNT = 1
    owner_address = "198.51.100.10"
    assert sign_in(client, "redaction", PASSWORD, address=owner_address).status_code == 302
    device = client.cookies[accounts.DEVICE_COOKIE]
    assert "redaction" not in device.value
    assert device["httponly"]
    client.post("/admin/logout/")
    assert signed_in_as(client) is None

    attacker = Client()
    for i in range(30):
        sign_in(attacker, "redaction", f"essai-{i}", address=f"203.0.113.{i + 1}")
    assert sign_in(attacker, "redaction", PASSWORD, address="203.0.113.99").status_code == 429

    # The owner's browser signs in; the attacker, even with the right password, does not.
    response = sign_in(client, "redaction", PASSWORD, address=owner_address)
    assert response.status_code == 302
    assert signed_in_as(client) == str(staff.pk)

    # A cookie for another account, or a forged one, exempts nothing.
    colleague = Client()
    assert (
        sign_in(colleague, "communication", "un-autre-secret", address=owner_address).status_code
        == 302
    )
    colleague.post("/admin/logout/")
    assert sign_in(colleague, "redaction", PASSWORD, address=owner_address).status_code == 429
    forger = Client()
    forger.cookies[accounts.DEVICE_COOKIE] = device.value[:-2] + "xx"
    assert sign_in(forger, "redaction", PASSWORD, address=owner_address).status_code == 429


def test_the_sign_in_page_labels_the_password_in_french(client, db):
    import re

    page = client.get(LOGIN_URL).content.decode()

    label = re.search(r'<label[^>]*for="id_password"[^>]*>(.*?)</label>', page, re.S).group(1)
    assert label.strip().startswith("Mot de passe"), label


def test_sign_in_still_works_when_the_cache_is_down(client, staff, clock, monkeypatch):
    """The limiter fails open: a broken cache never keeps staff out."""
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    for method in ("get", "add", "incr", "set"):
        monkeypatch.setattr(cache, method, broken)

    assert sign_in(client, "redaction", "faux").status_code == 200
    assert sign_in(client, "redaction", PASSWORD).status_code == 302
    assert signed_in_as(client) == str(staff.pk)
