"""Malformed requests get a 4xx with a clear page in the visitor's language, never a 500
(issue 12): charsets Python cannot decode the body with, broken multipart, bodies over
DATA_UPLOAD_MAX_MEMORY_SIZE, content types a form never sends."""

from django.test import Client

import pytest

from stories.factories import StoryIndexPageFactory
from volunteers import emails
from volunteers.factories import VolunteerFactory, VolunteerSignupPageFactory

pytestmark = pytest.mark.django_db

BODY = "first_name=Anne&email=anne%40example.org&csrfmiddlewaretoken=x"


@pytest.fixture
def urls(home_page):
    signup = VolunteerSignupPageFactory(parent=home_page, locale=home_page.locale)
    stories = StoryIndexPageFactory(parent=home_page, locale=home_page.locale)
    volunteer = VolunteerFactory(language="fr")
    confirm = emails.confirmation_url(volunteer).split("testserver", 1)[-1]
    return {
        "signup": signup.url,
        "confirmation": confirm,
        "search": "/recherche/",
        "nomination": stories.url + stories.reverse_subpage("nominate_route"),
    }


def _client():
    return Client(raise_request_exception=False)


CASES = {
    "utf-16": ("application/x-www-form-urlencoded; charset=utf-16", BODY.encode("utf-16"), 400),
    "utf-16 declared, ascii sent": (
        "application/x-www-form-urlencoded; charset=utf-16",
        BODY.encode() + b"%",
        400,
    ),
    "utf-32": ("application/x-www-form-urlencoded; charset=utf-32", BODY.encode(), 400),
    "unknown charset": ("application/x-www-form-urlencoded; charset=klingon", BODY.encode(), 400),
    "multipart utf-16": (
        "multipart/form-data; boundary=xx; charset=utf-16",
        b'--xx\r\nContent-Disposition: form-data; name="first_name"\r\n\r\n\xff\xfeA\r\n--xx--\r\n',
        400,
    ),
    "multipart without boundary": ("multipart/form-data", b"--xx\r\nnope\r\n", 400),
    "multipart bad boundary": ("multipart/form-data; boundary=\x01\x02", b"--\x01\x02\r\n", 400),
    "json on a form": ("application/json", b'{"first_name": "Anne"}', 400),
    "text on a form": ("text/plain", BODY.encode(), 400),
    "xml on a form": ("application/xml", b"<a/>", 400),
    "too big": ("application/x-www-form-urlencoded", b"a=" + b"x" * (6 * 1024 * 1024), 413),
    "too many fields": ("application/x-www-form-urlencoded", b"&".join([b"a=1"] * 3000), 400),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("target", ["signup", "confirmation", "search", "nomination"])
def test_malformed_posts_get_a_clear_4xx(urls, target, case):
    content_type, body, status = CASES[case]
    response = _client().generic("POST", urls[target], body, content_type=content_type)
    assert response.status_code == status, (target, case, response.status_code)
    html = response.content.decode()
    if status == 413:
        assert "Envoi trop volumineux" in html
    else:
        assert "Demande illisible" in html
    assert "Rien n'a été enregistré" in html or "Rien n&#x27;a été enregistré" in html


@pytest.mark.parametrize("target", ["signup", "confirmation", "search", "nomination"])
def test_a_truncated_multipart_body_is_never_a_500(urls, target):
    # Django reads what arrived (the form then says what is missing): no 500.
    body = b'--xx\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue'
    response = _client().generic(
        "POST", urls[target], body, content_type="multipart/form-data; boundary=xx"
    )
    assert response.status_code < 500


def test_the_page_is_in_the_visitors_language(urls):
    content_type, body, _status = CASES["utf-16"]
    response = _client().generic("POST", "/en/search/", body, content_type=content_type)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "We could not read what your browser sent" in html


def test_nothing_is_saved_from_a_malformed_signup(urls):
    from volunteers.models import Volunteer

    before = Volunteer.objects.count()
    content_type, body, _status = CASES["utf-16"]
    _client().generic("POST", urls["signup"], body, content_type=content_type)
    assert Volunteer.objects.count() == before


def test_a_well_formed_post_still_reaches_the_view(urls):
    # The ordinary path reaches the sign-up view: its form answers with the missing fields
    # (400, the sign-up page), not the malformed-request page. Since issue 14 the sign-up's
    # POST is checked by its origin instead of a token (campaign/csrf.py): a cross-site one is
    # refused there (403), a same-origin one goes on.
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        urls["signup"], {"first_name": "Anne"}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "volunteer-signup" in html
    assert "Nous n'avons pas pu lire" not in html
    response = client.post(
        urls["signup"], {"first_name": "Anne"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403
