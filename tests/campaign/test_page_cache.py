"""The application's page cache (campaign/cache.py): what it stores, what it never stores,
and the headers nginx relies on."""

from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

import pytest

from campaign import cache as page_cache
from campaign.factories import ContentPageFactory
from gestures.factories import GestureCategoryFactory, GestureIndexPageFactory, GesturePageFactory
from kits.factories import KitIndexPageFactory, KitPageFactory
from stories.factories import StoryIndexPageFactory, StoryPageFactory
from volunteers.factories import VolunteerSignupPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_SECONDS = 3600


@pytest.fixture
def content_page(home_page):
    return ContentPageFactory(parent=home_page, title="À propos", slug="a-propos")


def test_anonymous_page_is_stored_then_served_with_the_shared_cache_headers(client, home_page):
    first = client.get("/")
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    second = client.get("/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    for response in (first, second):
        assert response["Cache-Control"] == "public, max-age=0, s-maxage=3600"
        assert response["X-Accel-Expires"] == "3600"
        vary = response.get("Vary", "").lower()
        # LocaleMiddleware adds Accept-Language to unprefixed French URLs: nginx would keep
        # one copy per header value, which its purge cannot reach.
        assert "cookie" not in vary and "accept-language" not in vary
        assert response["Content-Security-Policy"]
        assert response["Content-Type"].startswith("text/html")
        # Without it gunicorn sends the page in chunks, and nginx's proxy cache waits for
        # the last one: a hit says its length, as the miss did (CommonMiddleware).
        assert response["Content-Length"] == str(len(response.content))


def test_the_lifetime_comes_from_the_setting(client, home_page, settings):
    settings.PAGE_CACHE_SECONDS = 120
    response = client.get("/en/")
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=120"
    assert response["X-Accel-Expires"] == "120"


def test_query_strings_are_normalised_into_one_entry(client, home_page):
    assert client.get("/?b=2&a=1")["X-Page-Cache"] == "miss"
    assert client.get("/?a=1&b=2")["X-Page-Cache"] == "hit"
    assert client.get("/?a=1")["X-Page-Cache"] == "miss"


def test_each_language_has_its_own_entry(client, home_page):
    french = client.get("/")
    english = client.get("/en/")
    assert english["X-Page-Cache"] == "miss"
    assert french.content != english.content
    assert 'lang="en"' in client.get("/en/").content.decode()


def test_staff_with_a_session_never_get_or_fill_the_cache(client, home_page, django_user_model):
    client.get("/")  # stored for anonymous visitors
    staff = django_user_model.objects.create_superuser("editor", "e@example.org", "pw")
    client.force_login(staff)
    response = client.get("/")
    assert "X-Page-Cache" not in response
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "X-Accel-Expires" not in response


def test_admin_is_never_stored_and_says_no_store(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert "X-Page-Cache" not in response
    assert "no-store" in response["Cache-Control"]


def test_search_is_not_cached(client, home_page):
    response = client.get("/recherche/?q=voisins")
    assert response.status_code == 200
    assert "X-Page-Cache" not in response
    assert client.get("/recherche/?q=voisins")["Cache-Control"] == "private, no-cache"


def test_volunteers_token_pages_are_not_cached(client, home_page):
    response = client.get("/benevoles/preferences/not-a-valid-token/")
    assert "X-Page-Cache" not in response
    assert "public" not in response.get("Cache-Control", "")


def test_a_visitor_with_a_personal_cookie_bypasses_the_cache(home_page):
    anonymous = Client()
    anonymous.get("/")
    marked = Client()
    marked.cookies["gestes_faits"] = "1"
    response = marked.get("/")
    assert "X-Page-Cache" not in response
    assert response["Cache-Control"] == "private, no-cache"


def test_messages_cookie_bypasses_the_cache(home_page):
    Client().get("/")
    visitor = Client()
    visitor.cookies["messages"] = "x"
    assert "X-Page-Cache" not in visitor.get("/")


def test_sign_up_page_is_cached_without_a_csrf_token(client, home_page):
    VolunteerSignupPageFactory(parent=home_page, slug="je-m-inscris", title="Je m'inscris")
    first = client.get("/je-m-inscris/")
    assert first.status_code == 200
    html = first.content.decode()
    assert "<form" in html and "csrfmiddlewaretoken" not in html
    assert "csrftoken" not in first.cookies
    assert client.get("/je-m-inscris/")["X-Page-Cache"] == "hit"


# --- the storing rules, each on its own ------------------------------------------------------


def _request(**cookies):
    request = RequestFactory().get("/")
    request.COOKIES.update(cookies)
    request.session = SessionStore()
    return request


def _marked():
    return page_cache.mark_cacheable(HttpResponse("<p>page</p>"))


def test_an_unmarked_response_is_not_stored():
    assert not page_cache.storable(_request(), HttpResponse("x"))
    assert page_cache.storable(_request(), _marked())


def test_a_response_that_used_the_csrf_token_is_not_stored():
    request = _request()
    get_token(request)
    assert not page_cache.storable(request, _marked())


def test_a_response_that_read_the_csp_nonce_is_not_stored():
    request = _request()
    request._csp_nonce = "abc"  # what django-csp keeps once the nonce was read
    assert not page_cache.storable(request, _marked())


def test_a_response_that_set_a_cookie_is_not_stored():
    response = _marked()
    response.set_cookie("x", "1")
    assert not page_cache.storable(_request(), response)


def test_a_response_that_wrote_the_session_is_not_stored():
    request = _request()
    request.session["seen"] = True
    assert not page_cache.storable(request, _marked())


def test_reading_an_empty_session_alone_does_not_prevent_storing():
    request = _request()
    request.session.get("anything")
    assert page_cache.storable(request, _marked())


def test_a_response_with_messages_is_not_stored():
    request = _request()
    request._messages = FallbackStorage(request)
    request._messages.add(20, "Merci")
    assert not page_cache.storable(request, _marked())


def test_errors_and_private_answers_are_not_stored():
    not_found = _marked()
    not_found.status_code = 404
    assert not page_cache.storable(_request(), not_found)
    private = _marked()
    private["Cache-Control"] = "private"
    assert not page_cache.storable(_request(), private)


# --- CSP: no nonce in public pages -----------------------------------------------------------


@pytest.fixture
def every_page_type(home_page, content_page):
    stories = StoryIndexPageFactory(parent=home_page, locale=home_page.locale)
    story = StoryPageFactory(parent=stories, slug="josiane")
    catalogue = GestureIndexPageFactory(parent=home_page)
    category = GestureCategoryFactory(slug="aines", colour="#a3392b")
    gesture = GesturePageFactory(parent=catalogue, category=category, number=1, slug="geste-1")
    kits = KitIndexPageFactory(parent=home_page)
    kit = KitPageFactory(parent=kits)
    signup = VolunteerSignupPageFactory(parent=home_page, slug="je-m-inscris")
    return [home_page, content_page, stories, story, catalogue, gesture, kits, kit, signup]


def test_no_public_page_uses_a_csp_nonce(client, every_page_type):
    for page in every_page_type:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert "nonce=" not in response.content.decode(), page.url
        assert "nonce-" not in response["Content-Security-Policy"], page.url
        assert response["X-Page-Cache"] == "miss", page.url


def test_category_colours_are_an_inline_style_allowed_by_its_hash(client, every_page_type):
    """No nonce (a cached page replays it) and no second stylesheet (render-blocking): the
    colours are one <style> whose sha256 the stored CSP names, hit or miss."""
    from campaign.csp import style_hash

    for expected in ("miss", "hit"):
        response = client.get("/gestes/geste-1/")
        assert response["X-Page-Cache"] == expected
        html = response.content.decode()
        css = html.split("<style>", 1)[1].split("</style>", 1)[0]
        assert ".category-aines{--category-colour:#a3392b}" in css
        policy = response["Content-Security-Policy"]
        style_src = next(d for d in policy.split(";") if d.strip().startswith("style-src "))
        assert style_hash(css) in style_src.split(), style_src
        assert "unsafe-inline" not in policy and "nonce-" not in policy
    # Another page's policy allows no inline style at all.
    other = client.get("/")["Content-Security-Policy"]
    assert "sha256-" not in other


def test_feed_sitemap_and_robots_are_cached(client, every_page_type):
    for url in ("/histoires/flux/", "/sitemap.xml", "/robots.txt"):
        assert client.get(url)["X-Page-Cache"] == "miss", url
        assert client.get(url)["X-Page-Cache"] == "hit", url


def test_a_cached_sign_up_form_gets_this_visitors_display_time(
    client, every_page_type, settings, monkeypatch
):
    """The sign-up's "sent too fast" check reads the signed time the form was shown: a copy
    from the cache gets a fresh one (PAGE_CACHE_FRESH_FIELDS), so a bot that posts at once is
    still told it was too fast."""
    import re
    import time

    from django.core import signing

    from volunteers.forms import FORM_TIMESTAMP_SALT

    settings.VOLUNTEERS_MIN_FILL_SECONDS = 3
    url = every_page_type[-1].url

    def started(response):
        value = re.search(r'name="started" value="([^"]+)"', response.content.decode())[1]
        return float(signing.loads(value, salt=FORM_TIMESTAMP_SALT))

    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert started(second) == later > started(first)
    # The rest of the page is the stored copy.
    strip = re.compile(rb'name="started" value="[^"]+"')
    assert strip.sub(b"", second.content) == strip.sub(b"", first.content)
    # Posted at once from the cached copy: too fast, nothing saved.
    value = re.search(r'name="started" value="([^"]+)"', second.content.decode())[1]
    response = client.post(
        url,
        {"started": value, "first_name": "Robot", "email": "robot@exemple.fr"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 400
    assert "trop vite" in response.content.decode()


def test_a_hit_costs_one_round_trip_to_the_cache(client, home_page, monkeypatch):
    """The entry and its two version tokens are read together (one get_many): a hit asked
    Redis twice before (the tokens, then the entry under a key made of them)."""
    client.get("/")
    calls, depth = [], []
    for name in ("get", "get_many", "set", "set_many", "add"):
        original = getattr(page_cache.cache, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            if not depth:  # the local-memory get_many calls get: one round trip in Redis
                calls.append(_name)
            depth.append(_name)
            try:
                return _original(*args, **kwargs)
            finally:
                depth.pop()

        monkeypatch.setattr(page_cache.cache, name, spy)
    assert client.get("/")["X-Page-Cache"] == "hit"
    assert calls == ["get_many"]


def test_a_purge_during_a_render_leaves_no_stale_entry(client, home_page, monkeypatch):
    """The entry keeps the tokens read before the render: if a purge lands while the page
    is being rendered, the copy made from the old content is a miss for the next visitor."""
    render = page_cache.PageCacheMiddleware.__init__

    def init(self, get_response):
        def purging(request):
            response = get_response(request)
            page_cache.purge_all()  # an editor publishes while this page renders
            return response

        render(self, purging)

    monkeypatch.setattr(page_cache.PageCacheMiddleware, "__init__", init)
    assert Client().get("/")["X-Page-Cache"] == "miss"  # rendered, purged meanwhile, stored
    monkeypatch.undo()
    assert Client().get("/")["X-Page-Cache"] == "miss"
    assert Client().get("/")["X-Page-Cache"] == "hit"
