import re

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wagtail.contrib.search_promotions.models import Query
from wagtail.models import Locale, Page

from campaign.cache import cacheable
from campaign.site_address import public_url
from campaign.translated import translated_only_searchable

SEARCH_PAGE_SIZE = 10
MAX_QUERY_LENGTH = 200
MAX_SEARCH_TERMS = 12
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
_WORD = re.compile(r"\w+")
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


def search_terms(query: str) -> str:
    """What the visitor typed, as plain words the search engine takes literally: letters and
    digits only (no quotes, `*`, `-`, `:`, parentheses or control characters, which SQLite's
    FTS5 and PostgreSQL's tsquery would read as syntax), at most MAX_SEARCH_TERMS of them.
    The engines' operators typed in capitals (AND, OR, NOT, NEAR) are left out: every word
    must match."""
    words = [word for word in _WORD.findall(query) if word not in _OPERATORS]
    return " ".join(words[:MAX_SEARCH_TERMS])


@require_GET
def search(request):
    """Site search over the live pages of the visitor's language."""
    raw = request.GET.get("q") or ""
    # Shown back as typed (escaped by the template), without control characters.
    query = _CONTROL_CHARACTERS.sub(" ", raw).strip()[:MAX_QUERY_LENGTH].strip()
    terms = search_terms(query)
    results = Page.objects.none()
    if terms:
        # specific() before search(): one query per page type, not one per result.
        pages = (
            translated_only_searchable(Page.objects.live().public())
            .filter(locale=Locale.get_active(), depth__gt=1)
            .specific()
        )
        results = pages.search(terms)
        Query.get(terms).add_hit()
    paginator = Paginator(results, SEARCH_PAGE_SIZE)
    try:
        page_obj = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page_obj = paginator.page(1)
    return render(
        request,
        "campaign/search.html",
        {
            "search_query": query,
            "page_obj": page_obj,
            "results": page_obj.object_list if terms else [],
            "result_count": paginator.count if terms else 0,
        },
    )


@require_GET
@cacheable
def robots_txt(request):
    return render(
        request,
        "robots.txt",
        {"sitemap_url": public_url("/sitemap.xml")},
        content_type="text/plain; charset=utf-8",
    )
