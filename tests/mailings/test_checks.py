"""The system checks of the sending's timings (mailings/checks.py)."""

from mailings.checks import check_mailing_timings

BREVO = "anymail.backends.brevo.EmailBackend"


def ids(settings):
    return [error.id for error in check_mailing_timings()]


def test_the_default_timings_pass_with_brevo(settings):
    settings.EMAIL_BACKEND = BREVO
    settings.MAILING_RETRY_BASE_SECONDS = 30
    settings.MAILING_LEASE_SECONDS = 300
    assert ids(settings) == []


def test_retries_that_outlive_brevos_key_are_refused(settings):
    settings.EMAIL_BACKEND = BREVO
    settings.MAILING_RETRY_BASE_SECONDS = 120  # 2, 4, 8, 15, 15 min: past 25 min
    [error] = check_mailing_timings()
    assert error.id == "mailings.E001"
    assert "brevo" in error.msg and "MAILING_RETRY_BASE_SECONDS" in error.msg


def test_without_an_idempotency_key_the_retry_timings_are_not_bound(settings):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.MAILING_RETRY_BASE_SECONDS = 120
    assert ids(settings) == []


def test_a_lease_shorter_than_a_call_is_refused(settings):
    settings.EMAIL_BACKEND = BREVO
    settings.ANYMAIL = {**settings.ANYMAIL, "REQUESTS_TIMEOUT": (5, 60)}
    settings.MAILING_LEASE_SECONDS = 60
    assert "mailings.E002" in ids(settings)


def test_an_outage_bound_in_minutes_is_refused(settings):
    settings.MAILING_OUTAGE_HOURS = 0.5
    assert ids(settings) == ["mailings.E003"]


def test_the_checks_are_registered():
    from django.core import checks

    assert "mailings" in checks.registry.registry.tags_available()
