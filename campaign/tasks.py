"""What the task queue's priorities mean here (django-tasks: higher runs first, default 0), and
the campaign package's own tasks."""

from django_tasks import task

# A person is waiting for this email (confirmation, welcome, a link they asked for): it goes
# before background work such as search and reference re-indexing after a bulk publish.
PERSON_WAITING = 50


@task(priority=PERSON_WAITING)
def send_password_reset_email(*, user_id: int, language: str = "") -> None:
    """Send an admin user the link that resets their password (asked for at
    ``/admin/password_reset/``, see campaign/accounts.py). The link and its token are made here,
    so that no token waits in the task queue; the email is in the user's admin language, or the
    language of the page they asked from."""
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import EmailMultiAlternatives
    from django.template import loader
    from django.utils import translation
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    User = get_user_model()
    user = User._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return  # deactivated or without a password since it was asked for: nothing to reset
    email = getattr(user, User.get_email_field_name(), "")
    if not email:
        return
    profile = getattr(user, "wagtail_userprofile", None)
    language = (profile.preferred_language if profile else "") or language
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    base_url = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    context = {
        "email": email,
        "domain": base_url.netloc,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "uid": urlsafe_base64_encode(force_bytes(User._meta.pk.value_to_string(user))),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": base_url.scheme or "https",
    }
    with translation.override(language):
        subject = loader.render_to_string(
            "wagtailadmin/account/password_reset/email_subject.txt", context
        )
        body = loader.render_to_string("wagtailadmin/account/password_reset/email.txt", context)
    subject = "".join(subject.splitlines()).strip()
    EmailMultiAlternatives(subject, body, None, [email]).send()
