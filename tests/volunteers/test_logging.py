"""No signed token in a log line: Django's request loggers (fr and en addresses, 400, 403,
404, 405) and gunicorn's access log. The token is a key to a person's data (issue 13: a 400
on a token URL wrote "Bad Request: /benevoles/preferences/<token>/")."""

import logging
from datetime import timedelta
from types import SimpleNamespace

from django.test import Client
from django.urls import reverse
from django.utils import translation

import pytest
from gunicorn.config import Config

from campaign.access_log import RedactingLogger
from campaign.logging import TOKEN, redact
from volunteers import tokens
from volunteers.factories import VolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(home_page):
    return VolunteerFactory(email="journal@example.org", first_name="Lou")


def _token(volunteer, purpose=tokens.PREFERENCES):
    return tokens.token_make(volunteer=volunteer, purpose=purpose)


def _url(name, token, language="fr"):
    with translation.override(language):
        return reverse(f"volunteers:{name}", kwargs={"token": token})


def _assert_absent(caplog, secret):
    assert caplog.records, "the request should have been logged"
    for record in caplog.records:
        assert secret not in record.getMessage(), record.getMessage()
        assert secret not in str(record.msg)
        assert secret not in repr(record.args)
        request = getattr(record, "request", None)
        assert request is None or secret not in getattr(request, "path", "")
    assert secret not in caplog.text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_400_on_a_token_url_logs_no_token(client, volunteer, caplog, language):
    # A valid token with a wrong signature: most of it is the real, secret payload.
    token = _token(volunteer)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with caplog.at_level(logging.DEBUG):
        response = client.get(_url("preferences", tampered, language))
    assert response.status_code == 400
    assert any(r.name == "django.request" for r in caplog.records)
    _assert_absent(caplog, tampered)
    _assert_absent(caplog, token.split(":")[0])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_403_csrf_failure_on_a_token_url_logs_no_token(volunteer, caplog, language):
    token = _token(volunteer)
    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.DEBUG):
        response = client.post(_url("erase", token, language), {})
    assert response.status_code == 403
    assert any(r.name == "django.security.csrf" for r in caplog.records)
    _assert_absent(caplog, token)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_404_under_a_token_url_logs_no_token(client, volunteer, caplog, language):
    token = _token(volunteer)
    with caplog.at_level(logging.DEBUG):
        response = client.get(_url("preferences", token, language) + "inconnu/")
    assert response.status_code == 404
    _assert_absent(caplog, token)


@pytest.mark.parametrize(
    "name,purpose",
    [
        ("data_download", tokens.PREFERENCES),
        ("data_page", tokens.PREFERENCES),
        ("confirm", tokens.CONFIRM),
        ("unsubscribe", tokens.UNSUBSCRIBE),
    ],
)
def test_a_wrong_method_on_a_token_url_logs_no_token(client, volunteer, caplog, name, purpose):
    token = _token(volunteer, purpose)
    with caplog.at_level(logging.DEBUG):
        response = client.put(_url(name, token))
    assert response.status_code == 405
    _assert_absent(caplog, token)


def test_an_encoded_token_is_redacted_too():
    assert redact("GET /benevoles/preferences/eyJ2IjoxfQ%3A1abcd%3Asig-nature/ HTTP/1.1") == (
        f"GET /benevoles/preferences/{TOKEN}/ HTTP/1.1"
    )


def test_paths_without_a_token_are_left_alone():
    for line in (
        "Not Found: /histoires/une-histoire/",
        "GET /en/volunteers/preferences/ HTTP/1.1",
        "http://127.0.0.1:8000/admin/",
    ):
        assert redact(line) == line


def test_gunicorn_access_log_prints_no_token(volunteer):
    token = _token(volunteer)
    path = _url("preferences", token)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path + "?x=1",
        "PATH_INFO": path,
        "QUERY_STRING": "x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "http://127.0.0.1" + path,
        "HTTP_USER_AGENT": "test",
    }
    resp = SimpleNamespace(status="400 Bad Request", sent=10, headers=[])
    req = SimpleNamespace(headers=[("REFERER", "http://127.0.0.1" + path)])
    logger = RedactingLogger(Config())
    atoms = logger.atoms(resp, req, environ, timedelta(seconds=0, microseconds=5))
    line = logger.cfg.access_log_format % atoms
    assert token not in line and TOKEN in line
    assert all(token not in str(value) for value in atoms.values())
