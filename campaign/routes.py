"""Addresses in the visitor's language, and the French ones kept for what is already out.

The apps' URL patterns are translated (Django's "Translating URL patterns"): the French
route is the msgid, its English form the msgstr, so that `/en/` pages have English paths
(`/en/search/`, `/en/volunteers/confirm/<token>/`). Posters, emails and bookmarks already
carry the French paths under `/en/`, so each app also lists its French routes through
`french_path()`: a GET is sent on (301) to the address in the active language, any other
method (a mail client's one-click unsubscribe POST) is served where it lands.

Routable pages (`TranslatedRoutablePageMixin`) do the same for their sub-routes, in the
page's own language: `/en/stories/feed/`, and `/en/stories/flux/` sent on to it.
"""

import functools

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, ResolverMatch, path, reverse
from django.utils import translation

from wagtail.contrib.routable_page.models import RoutablePageMixin

SAFE_METHODS = ("GET", "HEAD")


def _with_query(request, url):
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


def french_path(route, view, name):
    """The French `route` of the pattern `name` ("namespace:name"), answered in every
    language: GET and HEAD are redirected (301) to the address in the active language,
    other methods reach `view` itself."""

    @functools.wraps(view)  # keeps csrf_exempt and the like
    def french_address(request, *args, **kwargs):
        if request.method in SAFE_METHODS:
            url = reverse(name, args=args, kwargs=kwargs)
            if url != request.path:
                return HttpResponsePermanentRedirect(_with_query(request, url))
        return view(request, *args, **kwargs)

    return path(route, french_address)


class TranslatedRoutablePageMixin(RoutablePageMixin):
    """Sub-routes (`@path(_("flux/"))`) in the language of the page, whatever language is
    active; on a page of another language, the French route redirects (GET) to the page's
    own, or is served (other methods)."""

    def _route_language(self):
        # The language of the page's own address, found as Wagtail's get_url_parts() finds
        # it (the cached site root paths): no query for the page's locale.
        for root in self._get_relevant_site_root_paths():
            return root.language_code
        return self.locale.language_code

    def reverse_subpage(self, name, args=None, kwargs=None):
        with translation.override(self._route_language()):
            return super().reverse_subpage(name, args=args, kwargs=kwargs)

    def resolve_subpage(self, path):
        language = self._route_language()
        with translation.override(language):
            try:
                return super().resolve_subpage(path)
            except Resolver404:
                if language == settings.LANGUAGE_CODE:
                    raise
        with translation.override(settings.LANGUAGE_CODE):
            match = super().resolve_subpage(path)  # Resolver404 again: no such route at all
        view = match.func

        def french_route(request, *args, **kwargs):
            if request.method in SAFE_METHODS:
                url = self.get_url(request) + self.reverse_subpage(
                    match.url_name, args=args, kwargs=kwargs
                )
                return HttpResponsePermanentRedirect(_with_query(request, url))
            return view(request, *args, **kwargs)

        return ResolverMatch(
            french_route, match.args, match.kwargs, url_name=match.url_name, route=match.route
        )
