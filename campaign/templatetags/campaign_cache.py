"""`{% datacache "name" value... %}…{% enddatacache %}`: a fragment of a public page kept in
the site-data cache (campaign/datacache.py), under its generation.

The listings of the home page and of the story index (cards with their pictures, the
gesture of the month, the kits) cost most of those pages' queries and render (cProfile,
2026-12-06: the ORM's compilation of the cards' queries and prefetches, then the cards'
`{% picture %}` tags). They change only when a page is published, unpublished, moved,
renamed, saved or deleted, or a setting is saved: exactly the events that start a new
generation. A fragment is therefore rendered once per generation, site, language and the
values given after its name (the page, a page number...), then read in one cache call.

What a fragment shows must be the same for every visitor of that key: no form, no CSRF
token, nothing of the user. The context values it uses are best computed lazily (a
`SimpleLazyObject`), so that a hit skips their queries too.

Never cached: Wagtail's previews and the moderators' views (``request.is_preview``), and a
render without a request. When the cache is down the fragment is rendered, as if there were
no cache (remember() fails soft).
"""

from django import template
from django.utils import translation
from django.utils.safestring import mark_safe

from campaign.datacache import remember

register = template.Library()


class DataCacheNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        request = context.get("request")
        if request is None or getattr(request, "is_preview", False):
            return self.nodelist.render(context)
        site = getattr(request, "_wagtail_site", None)
        parts = [
            self.name.resolve(context),
            str(getattr(site, "pk", "")),
            translation.get_language() or "",
            *(str(value.resolve(context)) for value in self.vary_on),
        ]
        html = remember(
            "fragment:" + ":".join(parts), lambda: str(self.nodelist.render(context)), request
        )
        return mark_safe(html)  # noqa: S308 - the output of our own templates, as rendered


@register.tag("datacache")
def do_datacache(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' needs a name.")
    nodelist = parser.parse(("enddatacache",))
    parser.delete_first_token()
    return DataCacheNode(
        nodelist,
        parser.compile_filter(bits[1]),
        [parser.compile_filter(bit) for bit in bits[2:]],
    )
