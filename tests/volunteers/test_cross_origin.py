"""The public forms of cached pages carry no CSRF token: their POSTs are accepted only from
the site's own pages (campaign/csrf.py, Fetch metadata then Origin then Referer)."""

from django.test import Client

import pytest

from stories.factories import StoryIndexPageFactory
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict(signup_page):
    # Django's token check on, as in production.
    return Client(enforce_csrf_checks=True)


def _post(client, url, data, headers, callbacks):
    with callbacks(execute=True):
        return client.post(url, data, headers=headers)


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/form.html"},
        # Fetch metadata wins over an Origin a proxy might rewrite.
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"},
    ],
)
def test_cross_site_signups_are_refused_with_a_clear_page(
    strict, signup_page, signup_data, geography, headers, django_capture_on_commit_callbacks
):
    response = _post(
        strict, signup_page.url, signup_data(), headers, django_capture_on_commit_callbacks
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "envoyé depuis un autre site" in html
    assert 'lang="fr"' in html
    assert "no-store" in response["Cache-Control"]
    assert Volunteer.objects.count() == 0


def test_the_refusal_is_in_the_visitors_language(
    strict, english_signup_page, signup_data, geography, django_capture_on_commit_callbacks
):
    response = _post(
        strict,
        english_signup_page.url,
        signup_data(),
        {"Sec-Fetch-Site": "cross-site"},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "sent from another site" in html


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},
        {"Origin": "http://testserver"},
        {"Referer": "http://testserver/je-m-inscris/"},
    ],
)
def test_same_origin_signups_are_stored_once_without_a_token(
    strict, signup_page, signup_data, geography, headers, django_capture_on_commit_callbacks
):
    response = _post(
        strict, signup_page.url, signup_data(), headers, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert Volunteer.objects.count() == 1


def test_a_trusted_origin_is_accepted(
    strict, signup_page, signup_data, geography, settings, django_capture_on_commit_callbacks
):
    settings.CSRF_TRUSTED_ORIGINS = ["https://www.tousvoisins.example"]
    response = _post(
        strict,
        signup_page.url,
        signup_data(),
        {"Origin": "https://www.tousvoisins.example"},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    assert Volunteer.objects.count() == 1


def test_the_cached_sign_up_page_carries_no_token(strict, signup_page, settings):
    settings.PAGE_CACHE_ENABLED = True
    first = strict.get(signup_page.url)
    second = strict.get(signup_page.url)
    assert second["X-Page-Cache"] == "hit"
    for response in (first, second):
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert "csrftoken" not in response.cookies


def test_other_pages_keep_djangos_token_check(strict, home_page):
    # Only the marked sub-routes skip the token: a POST to any other page is refused by
    # Django's CSRF check, even from the site itself.
    response = strict.post(home_page.url, {}, headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 403
    assert "envoyé depuis un autre site" not in response.content.decode()


def test_a_cross_site_nomination_is_refused(strict, home_page):
    index = StoryIndexPageFactory(parent=home_page, locale=home_page.locale)
    url = index.url + index.reverse_subpage("nominate_route")
    assert "csrfmiddlewaretoken" not in strict.get(url).content.decode()
    response = strict.post(url, {}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert "envoyé depuis un autre site" in response.content.decode()
