"""`{% done_counts %}…{% enddone_counts %}`: the catalogue's cards with their live
"N personnes l'ont fait" counts.

The hundred cards cost most of the catalogue's render (cProfile, 2026-12-06: the catalogue's
query and about 400 template lookups a card) and change only with the site data, so the
catalogue keeps them as a fragment of that data (`{% datacache %}`, campaign/templatetags/
campaign_cache.py). Their counts change with every click on "J'ai fait ce geste": the
fragment holds a marker in their place, `<!--done:TRANSLATION-KEY-->`, and this tag replaces
the markers with the counts of the moment, read in one query (selectors.done_counts), on a
kept fragment as on a new one. The markers cannot come from content: the cards' text is
escaped, so a "<!--" typed by an editor arrives as "&lt;!--".
"""

import re

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

from gestures import selectors

register = template.Library()

MARKER = re.compile(r"<!--done:([0-9a-f-]{36})-->")


def _count_text(count):
    if not count:
        return ""
    text = ngettext("%(counter)s personne l'a fait", "%(counter)s personnes l'ont fait", count) % {
        "counter": count
    }
    # As {% blocktranslate %} does: the translation is ours and trusted, only the number is
    # a value (an integer).
    return " · " + text


class DoneCountsNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        html = str(self.nodelist.render(context))
        if "<!--done:" not in html:
            return mark_safe(html)  # noqa: S308 - our templates' output, unchanged
        counts = selectors.done_counts()
        filled = MARKER.sub(lambda match: _count_text(counts.get(match[1], 0)), html)
        return mark_safe(filled)  # noqa: S308 - our templates' output and our translations


@register.tag("done_counts")
def do_done_counts(parser, token):
    nodelist = parser.parse(("enddone_counts",))
    parser.delete_first_token()
    return DoneCountsNode(nodelist)
