"""The admin's sign-in and password reset, throttled by the site's rate limiter.

Sign-in (``/admin/login/``): failed attempts count per client address (scope ``admin_login``)
and per account name (``admin_login_account``: the typed name lower-cased; the limiter digests
it). Before authenticating, both counters are read; once either is full, the attempt is refused
with status 429, a ``Retry-After`` header and a message saying when to try again, and no password
is checked. A successful sign-in counts nothing. Windows are fixed (``RATE_LIMITS``, 15 minutes
by default): an attacker slows themselves down, staff are never locked out for good; and a
browser that already signed into an account is exempt from that account's limit (a signed
"device cookie"), so that an attacker who keeps failing on it elsewhere does not keep its owner
out either. Wagtail's front-end sign-in (``/_util/login/``) shares the same counters.

Password reset (``/admin/password_reset/``): each request counts per client address
(``password_reset``: over the limit, 429) and per typed email (``password_reset_email``: over
the limit, nothing is sent but the answer is the usual "check your inbox" page, so that nobody
learns whether an account exists or was asked for). The email goes out from the task worker
(``campaign.tasks.send_password_reset_email``), never inside the request.

Wagtail reads these forms from ``WAGTAILADMIN_USER_LOGIN_FORM`` and
``WAGTAILADMIN_USER_PASSWORD_RESET_FORM``; ``campaign/urls.py`` puts the two views below at
Wagtail's own addresses, before Wagtail's admin, so that a refusal answers 429.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core import signing
from django.db import transaction
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm
from wagtail.admin.forms.auth import PasswordResetForm as WagtailPasswordResetForm
from wagtail.admin.views import account as wagtail_account_views

from campaign import ratelimit

LOGIN_SCOPE = "admin_login"
LOGIN_ACCOUNT_SCOPE = "admin_login_account"
RESET_SCOPE = "password_reset"
RESET_EMAIL_SCOPE = "password_reset_email"


def account_key(username: str) -> str:
    """What the per-account limit counts on: the typed name, trimmed and lower-cased, so that
    "Admin" and "admin " share one counter."""
    return (username or "").strip().lower()


def _refusal(*verdicts: ratelimit.Verdict) -> ratelimit.Verdict | None:
    """The refusal that lasts longest among ``verdicts``, or None when all are allowed."""
    refused = [verdict for verdict in verdicts if not verdict.allowed]
    if not refused:
        return None
    return max(refused, key=lambda verdict: verdict.retry_after)


def _with_retry_after(response, verdict: ratelimit.Verdict):
    response.status_code = 429
    response["Retry-After"] = str(max(1, int(verdict.retry_after or 1)))
    add_never_cache_headers(response)
    return response


# A browser that signed into an account keeps a signed cookie saying so (an HMAC of the account
# name, nothing in clear). The per-account limit does not apply to that browser: an attacker who
# keeps failing on an account from elsewhere never locks its owner out (the per-address limit
# still applies to everyone). OWASP's "device cookies".
DEVICE_COOKIE = "tv_signin_device"
DEVICE_COOKIE_SALT = "campaign.accounts.device"
DEVICE_COOKIE_AGE = 180 * 24 * 3600
DEVICE_COOKIE_ACCOUNTS = 5  # accounts remembered per browser


def _account_digest(key: str) -> str:
    return salted_hmac(DEVICE_COOKIE_SALT, key, algorithm="sha256").hexdigest()[:32]


def _known_accounts(request) -> list[str]:
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return []
    try:
        accounts = signing.loads(value, salt=DEVICE_COOKIE_SALT, max_age=DEVICE_COOKIE_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return []
    if not isinstance(accounts, list):
        return []
    return [a for a in accounts if isinstance(a, str)][:DEVICE_COOKIE_ACCOUNTS]


def is_known_device(request, username: str) -> bool:
    """Whether this browser signed into this account before."""
    return _account_digest(account_key(username)) in _known_accounts(request)


def remember_device(request, response, username: str) -> None:
    """After a successful sign-in: this browser is known for this account."""
    digest = _account_digest(account_key(username))
    accounts = [digest] + [a for a in _known_accounts(request) if a != digest]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(accounts[:DEVICE_COOKIE_ACCOUNTS], salt=DEVICE_COOKIE_SALT),
        max_age=DEVICE_COOKIE_AGE,
        path="/",  # the admin's and the front-end sign-in
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class ThrottledAuthenticationMixin:
    """For a Django ``AuthenticationForm``: check the limits before authenticating and count
    each failure. ``refusal`` is set (a ``ratelimit.Verdict``) when the attempt was refused."""

    throttled_message = _(
        "Trop de tentatives de connexion ont échoué. Par sécurité, la connexion est "
        "suspendue : réessayez %(delay)s."
    )

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.refusal: ratelimit.Verdict | None = None

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password or self.request is None:
            return super().clean()  # nothing is authenticated without both fields
        key = account_key(username)
        verdicts = [ratelimit.peek(self.request, LOGIN_SCOPE)]
        if not is_known_device(self.request, key):
            verdicts.append(ratelimit.peek(self.request, LOGIN_ACCOUNT_SCOPE, key=key))
        refusal = _refusal(*verdicts)
        if refusal is not None:
            self.refusal = refusal
            raise forms.ValidationError(
                self.throttled_message,
                code="throttled",
                params={"delay": ratelimit.retry_delay_text(refusal.retry_after)},
            )
        try:
            return super().clean()
        except forms.ValidationError as error:
            if getattr(error, "code", None) == "invalid_login":
                ratelimit.consume(self.request, LOGIN_SCOPE)
                ratelimit.consume(self.request, LOGIN_ACCOUNT_SCOPE, key=key)
            raise


class LoginForm(ThrottledAuthenticationMixin, WagtailLoginForm):
    """Wagtail's admin sign-in form, throttled."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Wagtail redefines the field without a label, so the page said "Password" in French.
        self.fields["password"].label = auth_forms.AuthenticationForm.base_fields["password"].label


class AuthenticationForm(ThrottledAuthenticationMixin, auth_forms.AuthenticationForm):
    """Django's sign-in form, throttled: Wagtail's front-end sign-in (pages restricted to
    signed-in users) uses it."""


class ThrottledLoginViewMixin:
    """A refused attempt answers 429 with ``Retry-After``."""

    def form_valid(self, form):
        response = super().form_valid(form)
        remember_device(self.request, response, form.get_user().get_username())
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "refusal", None) is not None:
            return _with_retry_after(response, form.refusal)
        return response


class LoginView(ThrottledLoginViewMixin, wagtail_account_views.LoginView):
    """Wagtail's admin sign-in view, throttled (with ``LoginForm`` whatever the setting)."""

    def get_form_class(self):
        form_class = super().get_form_class()
        if not issubclass(form_class, ThrottledAuthenticationMixin):
            return LoginForm
        return form_class


class FrontendLoginView(ThrottledLoginViewMixin, auth_views.LoginView):
    """Wagtail's front-end sign-in (``/_util/login/``, ``wagtailcore_login``), throttled with
    the same counters as the admin's: it signs into the same accounts."""

    form_class = AuthenticationForm
    template_name = getattr(settings, "WAGTAIL_FRONTEND_LOGIN_TEMPLATE", "wagtailcore/login.html")


class PasswordResetForm(WagtailPasswordResetForm):
    """Wagtail's password-reset form whose ``save`` counts the request and hands the email to
    the task worker. ``refusal`` is set when the client address is over its limit."""

    error_messages = {
        "throttled": _(
            "Trop de demandes de réinitialisation venant de votre connexion. Réessayez %(delay)s."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refusal: ratelimit.Verdict | None = None

    def save(self, request=None, **kwargs):
        """Queue one reset email per active account with this address (the task builds the
        link and its token). The other arguments of Django's ``save`` (templates, domain,
        token generator) are those of Wagtail's view: the task uses the same templates."""
        email = self.cleaned_data["email"]
        if request is not None:
            verdict = ratelimit.consume(request, RESET_SCOPE)
            if not verdict.allowed:
                self.refusal = verdict
                self.add_error(
                    None,
                    forms.ValidationError(
                        self.error_messages["throttled"],
                        code="throttled",
                        params={"delay": ratelimit.retry_delay_text(verdict.retry_after)},
                    ),
                )
                return
            if not ratelimit.consume(request, RESET_EMAIL_SCOPE, key=email.strip().lower()).allowed:
                return  # silently: the page must not tell whether this address was asked for
        from campaign.tasks import send_password_reset_email

        language = get_language()
        for user in self.get_users(email):
            user_id = user.pk
            transaction.on_commit(
                lambda user_id=user_id: send_password_reset_email.enqueue(
                    user_id=user_id, language=language
                )
            )


class PasswordResetView(wagtail_account_views.PasswordResetView):
    """Wagtail's password-reset view: a client address over its limit gets the form again with
    the reason and status 429; every other request gets the same "check your inbox" page."""

    def get_form_class(self):
        form_class = super().get_form_class()
        if not issubclass(form_class, PasswordResetForm):
            return PasswordResetForm
        return form_class

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.refusal is not None:
            return _with_retry_after(self.form_invalid(form), form.refusal)
        return response


# --- shared passwords of restricted pages and documents ---------------------------------------

# A page (or a collection of documents) restricted by a shared password is unlocked through
# Wagtail's forms at /_util/authenticate_with_password/<restriction>/<page>/ and
# /documents/authenticate_with_password/<restriction>/. Failed attempts count per client
# address (scope ``page_password``); once the counter is full, the attempt is refused with 429
# and the password is not checked, until the window ends. A right password counts nothing.
PAGE_PASSWORD_SCOPE = "page_password"  # noqa: S105 (a scope name)


def _throttled_password_view(wagtail_view):
    def view(request, *args, **kwargs):
        if request.method != "POST":
            return wagtail_view(request, *args, **kwargs)
        verdict = ratelimit.peek(request, PAGE_PASSWORD_SCOPE)
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, verdict)
        response = wagtail_view(request, *args, **kwargs)
        # Wagtail redirects once the password is right; any other answer to a POST (the form
        # again, with its error) is a failed attempt.
        if response.status_code not in (301, 302, 303):
            ratelimit.consume(request, PAGE_PASSWORD_SCOPE)
        return response

    view.__name__ = wagtail_view.__name__
    view.__doc__ = wagtail_view.__doc__
    return view


def _page_password_view():
    from wagtail import views as wagtail_views

    return _throttled_password_view(wagtail_views.authenticate_with_password)


def _document_password_view():
    from wagtail.documents.views import serve as document_views

    return _throttled_password_view(document_views.authenticate_with_password)


page_authenticate_with_password = _page_password_view()
document_authenticate_with_password = _document_password_view()
