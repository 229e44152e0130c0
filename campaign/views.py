from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wagtail.contrib.search_promotions.models import Query
from wagtail.models import Locale, Page

from campaign.site_address import public_url
from campaign.translated import translated_only_searchable

SEARCH_PAGE_SIZE = 10
MAX_QUERY_LENGTH = 200


@require_GET
def search(request):
    """Site search over the live pages of the visitor's language."""
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY_LENGTH]
    results = Page.objects.none()
    if query:
        # specific() before search(): one query per page type, not one per result.
        pages = (
            translated_only_searchable(Page.objects.live().public())
            .filter(locale=Locale.get_active(), depth__gt=1)
            .specific()
        )
        results = pages.search(query)
        Query.get(query).add_hit()
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
            "results": page_obj.object_list if query else [],
            "result_count": paginator.count if query else 0,
        },
    )


@require_GET
def robots_txt(request):
    return render(
        request,
        "robots.txt",
        {"sitemap_url": public_url("/sitemap.xml")},
        content_type="text/plain; charset=utf-8",
    )
