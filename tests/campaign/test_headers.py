"""Security headers on every page type, in French and English (issue 12): a
Content-Security-Policy without 'unsafe-inline' for scripts (admin included), the directives
that stop framing, plugins and base/form hijacking, Permissions-Policy, Referrer-Policy."""

import re
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

import pytest

from campaign.csp import style_hash
from campaign.geography.services import communes_import
from campaign.middleware import _known_admin_script

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The whole demo, loaded once for the module, rolled back after its last test."""
    media = tmp_path_factory.mktemp("media")
    with (
        override_settings(DEBUG=True, MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        name = str(connection.settings_dict["NAME"])
        assert "memory" in name or Path(name).name.startswith("test"), name
        communes_import()
        call_command("load_demo", stdout=StringIO())
        with override_settings(MEDIA_ROOT=media):
            yield
        transaction.set_rollback(True)


def _page_url(model_path, language):
    from django.apps import apps

    model = apps.get_model(model_path)
    page = model.objects.live().filter(locale__language_code=language).first()
    assert page is not None, (model_path, language)
    return page.url


def _token_urls(language):
    from volunteers import emails
    from volunteers.models import Volunteer

    volunteer = Volunteer.objects.filter(language=language).first() or Volunteer.objects.first()
    volunteer.language = language
    return [
        emails.confirmation_url(volunteer).split("testserver", 1)[-1],
        emails.preferences_url(volunteer).split("testserver", 1)[-1],
    ]


def _public_urls(language):
    urls = [
        "/" if language == "fr" else "/en/",
        _page_url("stories.StoryIndexPage", language),
        _page_url("stories.StoryPage", language),
        _page_url("gestures.GestureIndexPage", language),
        _page_url("gestures.GesturePage", language),
        _page_url("kits.KitIndexPage", language),
        _page_url("kits.KitPage", language),
        _page_url("volunteers.VolunteerSignupPage", language),
    ]
    with translation.override(language):
        urls += [
            reverse("kits:engaged_communes"),
            reverse("search") + "?q=voisin",
            reverse("search") + '?q="',
            reverse("geography:search"),
        ]
    return urls


def _policy(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False  # the demo loads with DEBUG on; pages are served as in production


def _assert_strict(response, url, *, referrer=True):
    policy = _policy(response)
    assert "'unsafe-inline'" not in policy["script-src"], url
    assert "'unsafe-eval'" not in policy["script-src"], url
    assert policy["script-src-attr"] == ["'none'"], url
    assert policy["object-src"] == ["'none'"], url
    assert policy["base-uri"] == ["'self'"], url
    assert policy["form-action"] == ["'self'"], url
    assert policy["frame-ancestors"] == ["'self'"], url
    assert policy["default-src"] == ["'self'"], url
    assert "camera=()" in response["Permissions-Policy"], url
    assert "microphone=()" in response["Permissions-Policy"], url
    assert "geolocation=()" in response["Permissions-Policy"], url
    assert "interest-cohort=()" in response["Permissions-Policy"], url
    if referrer:
        assert response["Referrer-Policy"] == "same-origin", url
    return policy


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_public_page_type_has_a_strict_policy(demo, client, language):
    urls = _public_urls(language) + _token_urls(language)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = _assert_strict(response, url)
        # Public pages: no inline style either, neither element nor attribute.
        assert "'unsafe-inline'" not in policy["style-src"], url
        assert policy["style-src-attr"] == ["'none'"], url
        # No inline script without the header's nonce; an inline <style> (the gesture
        # categories' colours, campaign/csp.py) only with its hash in the header's style-src.
        html = response.content.decode()
        nonces = [s[len("'nonce-") : -1] for s in policy["script-src"] if s.startswith("'nonce")]
        for tag in ("<script>", '<script type="text/javascript">'):
            assert tag not in html, (url, tag)
        for css in re.findall(r"<style>(.*?)</style>", html, re.S):
            assert style_hash(css) in policy["style-src"], (url, css[:60])
        if "nonce=" in html:
            assert nonces and f'nonce="{nonces[0]}"' in html, url


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_error_pages_have_the_policy(demo, client, language):
    prefix = "" if language == "fr" else "/en"
    response = client.get(f"{prefix}/nulle-part-ici/")
    assert response.status_code == 404
    _assert_strict(response, "404")


def test_the_too_many_requests_page_has_the_policy(demo, rf):
    from campaign import ratelimit
    from campaign.middleware import SecurityHeadersMiddleware

    # The 429 page as the rate limiter writes it, through the headers middleware.
    request = rf.get("/")
    page = ratelimit.too_many_requests(request, ratelimit.Verdict(allowed=False, retry_after=60))
    assert page.status_code == 429
    response = SecurityHeadersMiddleware(lambda _request: page)(request)
    _assert_strict(response, "429", referrer=False)  # SecurityMiddleware adds it


def test_public_pages_need_no_nonce(demo, client):
    # Cached pages are served to everyone: a nonce in them would be replayed. The catalogue
    # used one for its categories' colours; they are allowed by their hash now
    # (campaign/csp.py), the only inline style of the site.
    gestures = _page_url("gestures.GestureIndexPage", "fr")
    for url in ("/", gestures):
        response = client.get(url)
        style_src = _policy(response)["style-src"]
        assert style_src[0] == "'self'", url
        assert all(source.startswith("'sha256-") for source in style_src[1:]), url
        assert len(style_src) == (2 if url == gestures else 1), url
        assert _policy(response)["script-src"] == ["'self'"], url
        assert "nonce=" not in response.content.decode(), url


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_admin_login_and_pages_have_a_policy_without_unsafe_inline_scripts(
    demo, client, language
):
    from django.contrib.auth import get_user_model

    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    _assert_strict(response, "/admin/login/")
    admin = get_user_model().objects.get(username="admin")
    client.force_login(admin)
    from stories.models import StoryPage

    story = StoryPage.objects.filter(locale__language_code="fr").first()
    for url in [
        "/admin/",
        f"/admin/pages/{story.pk}/edit/",
        f"/admin/pages/{story.get_parent().pk}/",
        "/admin/images/",
        "/admin/images/chooser/",
        "/admin/documents/",
        "/admin/snippets/",
    ]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        policy = _assert_strict(response, url)
        # The admin's exception is for styles only (attributes, <style> made by scripts).
        assert policy["style-src-attr"] == ["'unsafe-inline'"], url
        assert policy["style-src-elem"] == ["'self'", "'unsafe-inline'"], url
        assert "'unsafe-inline'" not in policy["script-src"], url
        assert "script-src-elem" not in policy, url
        # Wagtail's inline chooser and panel scripts carry the nonce, so they run.
        nonce = [s for s in policy["script-src"] if s.startswith("'nonce-")]
        html = response.content.decode()
        if "<script>new " in html.replace("\n", ""):
            raise AssertionError(f"{url}: an inline admin script without the nonce")
        if url.endswith("/edit/"):
            assert nonce and f'nonce="{nonce[0][7:-1]}">new ' in html, url


def test_only_the_admins_own_inline_scripts_get_the_nonce():
    assert _known_admin_script(
        '\n (function() {\n var panel = new InlinePanel(JSON.parse("{\\u0022a\\u0022: 1}"));\n'
        " })();\n"
    )
    assert _known_admin_script(
        'initDateTimeChooser("id_go_live_at", {"dayOfWeekStart": 1, "format": "Y-m-d H:i"});'
    )
    assert _known_admin_script(
        'new PageChooser("id_gesture_links-0-gesture", {"modelNames": ["gestures.gesturepage"],'
        ' "canChooseRoot": false, "userPerms": null, "modalUrl": "/admin/choose-page/",'
        ' "parentId": 13});'
    )
    assert _known_admin_script('new ImageChooser("id_portrait", {"modalUrl": "/admin/images/"});')
    for hostile in [
        "alert(1)",
        'initDateChooser("x", {});alert(1);({});',
        'initDateChooser("x", {"a": 1}); alert(1); initDateChooser("y", {});',
        '(function() { var panel = new InlinePanel(JSON.parse("x"));alert(1) })();',
        '(function(){var panel=new InlinePanel(JSON.parse("x"+alert(1)+""));})();',
        'new ImageChooser("x", {"a": alert(1)});',
        'new ImageChooser("x", {}); alert(1); new ImageChooser("y", {});',
        'new ImageChooser("x", {"a": [1]}, fetch("//evil"));',
        'new Function("alert(1)")',
    ]:
        assert not _known_admin_script(hostile), hostile


def _admin_urls():
    from django.urls import reverse

    from wagtail.models import Page
    from wagtail.snippets.models import get_snippet_models

    urls = ["/admin/", "/admin/workflows/list/", "/admin/workflows/tasks/index/"]
    for model in get_snippet_models():
        viewset = model.snippet_viewset
        urls += [reverse(viewset.get_url_name("list")), reverse(viewset.get_url_name("add"))]
        first = model.objects.first()
        if first is not None:
            urls.append(reverse(viewset.get_url_name("edit"), args=[first.pk]))
    seen = set()
    for page in Page.objects.filter(depth__gt=1).order_by("pk"):
        if (page.content_type_id, page.locale_id) not in seen:
            seen.add((page.content_type_id, page.locale_id))
            urls.append(f"/admin/pages/{page.pk}/edit/")
    return urls


def test_every_inline_script_of_the_admin_carries_the_nonce(demo, client):
    """Every snippet's listing, creation and edit form, every page type's editor in both
    languages (wagtail-localize's translation editor for English): no inline script the
    policy would block, so nothing in these screens breaks under it."""
    import re

    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    unnonced = re.compile(r'<script(?:\s+type="text/javascript")?>(?!\s*</script>)')
    urls = _admin_urls()
    checked = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302), url  # 302: a snippet staff cannot add
        if response.status_code == 302:
            continue
        checked += 1
        html = response.content.decode()
        blocked = [html[m.start() : m.start() + 80] for m in unnonced.finditer(html)]
        assert not blocked, (url, blocked)
    assert checked > 40


# Admin addresses without parameters that are no screen: actions, JSON, JavaScript, error tests.
_NOT_SCREENS = {
    "admin/logout/",
    "admin/test404/",
    "admin/failwhale/",
    "admin/dismissibles/",
    "admin/block-preview/",
    "admin/sprite/",
    "admin/jsi18n/",
    "admin/localize/jsi18n/",
    "admin/tag-autocomplete/",
    "admin/redirects/import/process/",
}


def _admin_screens_without_parameters():
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            else:
                yield route

    return sorted(
        {
            "/" + route
            for route in walk(get_resolver().url_patterns)
            if route.startswith("admin/")
            and not any(c in route for c in "<^$(")
            and route not in _NOT_SCREENS
            and "chosen-multiple" not in route
        }
    )


def _admin_screens_with_parameters():
    """One edit screen of each other kind of object the admin manages: promoted search
    results, redirects, workflows and tasks, sites, locales, collections, users, groups, the
    site settings, images and documents, a page's history."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wagtail.contrib.redirects.models import Redirect
    from wagtail.contrib.search_promotions.models import Query, SearchPromotion
    from wagtail.contrib.settings.registry import registry as settings_registry
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Collection, Locale, Page, Site, Task, Workflow

    query = Query.get("bénévole")
    SearchPromotion.objects.create(
        query=query, page=Page.objects.filter(depth=2).first(), sort_order=0
    )
    redirect = Redirect.objects.create(old_path="/ancienne-adresse", redirect_link="/")
    site = Site.objects.get(is_default_site=True)
    urls = [
        reverse("wagtailsearchpromotions:edit", args=[query.pk]),
        reverse("wagtailredirects:edit", args=[redirect.pk]),
        reverse("wagtailsites:edit", args=[site.pk]),
        reverse("wagtaillocales:edit", args=[Locale.objects.first().pk]),
        reverse(
            "wagtailadmin_collections:edit",
            args=[Collection.get_first_root_node().add_child(name="Mairies").pk],
        ),
        reverse("wagtailusers_users:edit", args=[get_user_model().objects.first().pk]),
        reverse("wagtailusers_groups:edit", args=[Group.objects.first().pk]),
        reverse("wagtailimages:edit", args=[get_image_model().objects.first().pk]),
        f"/admin/pages/{Page.objects.filter(depth=2).first().pk}/history/",
    ]
    document = get_document_model().objects.first()
    if document is not None:
        urls.append(reverse("wagtaildocs:edit", args=[document.pk]))
    workflow = Workflow.objects.first()
    if workflow is not None:
        urls.append(reverse("wagtailadmin_workflows:edit", args=[workflow.pk]))
    task = Task.objects.first()
    if task is not None:
        urls.append(reverse("wagtailadmin_workflows:edit_task", args=[task.pk]))
    for model in settings_registry:
        urls.append(
            reverse(
                "wagtailsettings:edit",
                args=[model._meta.app_label, model._meta.model_name, site.pk],
            )
        )
    assert apps.is_installed("wagtail.contrib.search_promotions")
    return urls


def test_every_other_admin_screen_has_no_blocked_inline_script(demo, client):
    """Every admin address without parameters (reports, workflows, redirects, promoted search
    results and their add screen, forms, localize's report, users, groups, sites, locales,
    collections...) and one edit screen of each other kind of object: no inline script the
    policy would block."""
    import re

    from django.contrib.auth import get_user_model

    from wagtail.contrib.search_promotions.models import Query

    client.force_login(get_user_model().objects.get(username="admin"))
    unnonced = re.compile(r'<script(?:\s+type="text/javascript")?>(?!\s*</script>)')
    urls = _admin_screens_without_parameters() + _admin_screens_with_parameters()
    assert "/admin/searchpicks/add/" in urls and "/admin/reports/site-history/" in urls
    checked = []
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        checked.append(url)
        html = response.content.decode()
        blocked = [html[m.start() : m.start() + 120] for m in unnonced.finditer(html)]
        assert not blocked, (url, blocked)
    assert "/admin/searchpicks/add/" in checked
    assert reverse("wagtailsearchpromotions:edit", args=[Query.get("bénévole").pk]) in checked
    assert len(checked) > 60, checked
