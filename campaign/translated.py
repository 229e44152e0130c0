"""Untranslated pages: wagtail-localize's locale synchronisation makes every new French page
an *alias* in English (`alias_of` set, live, the French content) until someone translates
it. The alias stays reachable at its address (the language switcher and shared links work),
shown as French content with a notice, canonical to the French page and not indexed
(templates/base.html); it is left out of every listing, feed, search, sitemap and email.

Every app lists pages through `translated_only`, so that the rule lives in one place."""


def translated_only(queryset, *, through=""):
    """`queryset` without the pages that are aliases (untranslated copies of a page of
    another language, or same-language copies that would list a page twice). `through` is
    the lookup path to the page when `queryset` holds other rows, e.g. "story" for a link
    to a story. Adds a condition to the query, never a query."""
    lookup = f"{through}__alias_of__isnull" if through else "alias_of__isnull"
    return queryset.filter(**{lookup: True})


def translated_only_searchable(queryset):
    """translated_only for pages about to be searched: Wagtail's search backends filter only
    on the fields that Page.search_fields declares, `id` but not `alias_of`. The aliases
    are few (they wait for a translation): leave them out by id, in a subquery."""
    from wagtail.models import Page

    return queryset.exclude(id__in=Page.objects.filter(alias_of__isnull=False).values("id"))


def is_translated(page):
    """False for an alias (see translated_only), True for any other page."""
    return page.alias_of_id is None
