from django import template
from django.conf import settings
from django.db.models import Q
from django.urls import NoReverseMatch, translate_url
from django.utils import translation

from wagtail.models import Page

from campaign.datacache import remember
from campaign.models import Navigation
from campaign.site_address import public_url

register = template.Library()


class MenuLink:
    __slots__ = ("text", "url")

    def __init__(self, text, url):
        self.text, self.url = text, url


def _menu_links(raw_streams, language, request):
    """Resolve the links of several StreamFields in the visitor's language with one query
    for every page they point to and their live translations (the raw stream data gives the
    page ids: no per-stream bulk fetch of the chosen pages): a link to a French page leads to
    its live English translation on the English site, whatever wagtail-localize stored."""
    ids = {
        block["value"].get("page")
        for stream in raw_streams
        for block in stream
        if block.get("type") == "link" and block["value"].get("page")
    }
    chosen, localized = {}, {}
    if ids:
        pages = Page.objects.filter(
            Q(pk__in=ids)
            | Q(
                translation_key__in=Page.objects.filter(pk__in=ids).values("translation_key"),
                locale__language_code=language,
                live=True,
            )
        ).select_related("locale")
        for page in pages:
            if page.pk in ids:
                chosen[page.pk] = page
            if page.live and page.locale.language_code == language:
                localized[page.translation_key] = page
    result = []
    for stream in raw_streams:
        links = []
        for block in stream:
            value = block.get("value") or {}
            page = chosen.get(value.get("page"))
            if page is not None:
                page = localized.get(page.translation_key, page)
                links.append(MenuLink(value.get("label") or page.title, page.get_url(request)))
            elif value.get("link_url"):
                url = value["link_url"]
                links.append(MenuLink(value.get("label") or url, url))
        result.append(links)
    return result


def _build_navigation(language, request):
    navs = {
        nav.locale.language_code: nav
        for nav in Navigation.objects.select_related("locale").filter(
            locale__language_code__in=[language, settings.LANGUAGE_CODE]
        )
    }
    nav = navs.get(language) or navs.get(settings.LANGUAGE_CODE)
    if nav is None:
        return None
    header, footer = _menu_links(
        [nav.header_links.raw_data, nav.footer_links.raw_data], language, request
    )
    return {
        "header_links": [(link.text, link.url) for link in header],
        "footer_links": [(link.text, link.url) for link in footer],
        "footer_text": nav.footer_text,
    }


@register.simple_tag(takes_context=True)
def campaign_navigation(context):
    """The header and footer of the active language (the French ones as a fallback), their
    links resolved in the active language. Once per request, from Django's cache when it
    holds them (campaign/datacache.py: a navigation or a page saved starts a new generation)."""
    request = context.get("request")
    cache_owner = request if request is not None else context
    if not hasattr(cache_owner, "_campaign_navigation"):
        language = translation.get_language() or settings.LANGUAGE_CODE
        menu = remember(
            f"navigation:{language}", lambda: _build_navigation(language, request), request
        )
        if menu is not None:
            menu = {
                "header_links": [MenuLink(text, url) for text, url in menu["header_links"]],
                "footer_links": [MenuLink(text, url) for text, url in menu["footer_links"]],
                "footer_text": menu["footer_text"],
            }
        cache_owner._campaign_navigation = menu
    return cache_owner._campaign_navigation


def _home_for(language_code, request):
    site_root = Page.objects.filter(depth=2, locale__language_code=language_code, live=True)
    home = site_root.first()
    return home.get_url(request) if home else f"/{language_code}/"


def _sub_page(page, request, language_code):
    """The sub-page of a routable page the request is on ("Proposer un héros", a thank-you
    page), as its route in `language_code`; "" on the page itself."""
    match = getattr(request, "routable_resolver_match", None)
    if match is None or not match.route or not hasattr(page, "get_resolver"):
        return ""
    with translation.override(language_code):
        try:
            return page.get_resolver().reverse(match.url_name, *match.args, **match.kwargs)
        except NoReverseMatch:
            return ""


def _translation_targets(page, request):
    """{language: (url, is the page's translation, is translated)}: the live translation of
    the page, or that language's home page. An alias is the untranslated page
    (campaign/translated.py): the switcher links to it, the hreflang alternates leave it out."""
    targets = {}
    translations = Page.objects.filter(translation_key=page.translation_key, live=True)
    for other in translations.select_related("locale"):
        code = other.locale.language_code
        targets[code] = (other.get_url(request), True, other.alias_of_id is None)
    for code, _name in settings.LANGUAGES:
        if code not in targets:
            targets[code] = (_home_for(code, request), False, True)
    return targets


@register.simple_tag(takes_context=True)
def language_links(context):
    """One entry per language: the translation of the current page, or that language's
    home page when the page has no live translation. Also used for hreflang alternates."""
    request = context.get("request")
    if request is None:
        return []
    if hasattr(request, "_campaign_language_links"):
        return request._campaign_language_links
    page = context.get("page")
    current = translation.get_language() or settings.LANGUAGE_CODE
    links = []
    is_page = isinstance(page, Page) and page.pk
    if is_page:
        # The page's translations (or each language's home page), from the cache: one query
        # for every translation when the cache does not hold them (campaign/datacache.py).
        targets = remember(
            f"language-links:{page.pk}:{request._get_raw_host()}",
            lambda: _translation_targets(page, request),
            request,
        )
    for code, name in settings.LANGUAGES:
        translated = True
        if is_page:
            url, is_translation, translated = targets[code]
            if is_translation:
                url, exact = url + _sub_page(page, request, code), True
            else:
                exact = False
        else:
            url, exact = translate_url(request.get_full_path(), code), True
        links.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "current": code == current,
                "exact": exact,
                "translated": translated,
            }
        )
    request._campaign_language_links = links
    return links


@register.filter
def absolute_url(path, request):
    """An absolute address for meta tags (canonical, Open Graph), on the site's public
    address whatever host the request came through (`request` is kept for the templates)."""
    if not path:
        return ""
    return public_url(path)
