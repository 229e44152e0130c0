"""What the story pages show, and the nomination form ("Proposer un héros"). Served as
routes of the story index page (see StoryIndexPage), so that both exist in every language."""

import json
from functools import partial

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from campaign import ratelimit
from campaign.datacache import remember
from campaign.geography.models import Commune, Department
from campaign.models import CampaignSettings
from campaign.site_address import public_url

from . import services
from .forms import NominationForm
from .models import StoryPage, StoryTheme
from .models.pages import STORIES_PER_PAGE, localize_themes, themes_in

# The escapes of django.utils.html.json_script: no "</script>" or "<!--" can close the block.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _filter_options(stories, locale):
    """The themes (in `locale`), regions and departments that have at least one story in
    this list, in two queries. Themes match on their translation key: an English story
    may point at French themes (see localize_themes)."""
    keys = StoryTheme.objects.filter(stories__in=stories).values("translation_key")
    themes = list(StoryTheme.objects.filter(locale=locale, translation_key__in=keys))
    # The regions are those of the departments (a commune's region is its department's):
    # one query for both.
    departments = list(
        Department.objects.filter(communes__stories__in=stories).select_related("region").distinct()
    )
    regions = sorted(
        {department.region for department in departments if department.region is not None},
        key=lambda region: region.name,
    )
    return themes, regions, departments


def _chosen(request, name, allowed):
    """The GET value of `name` if it is one of `allowed`, else None: an unknown or stale
    value (a theme renamed, a hand-edited address) is ignored rather than an error."""
    value = (request.GET.get(name) or "").strip()[:40]
    return value if value in allowed else None


def story_index_context(*, index, request):
    locale = index.locale_id  # an id: no query (Locale.get_active() cost one)
    all_stories = index.stories()
    # The options change only with the stories: kept under the site data's generation.
    themes, regions, departments = remember(
        f"story-filter-options:{index.pk}",
        lambda: _filter_options(all_stories, locale),
        request,
    )
    theme = _chosen(request, "theme", {t.slug for t in themes})
    region = _chosen(request, "region", {r.code for r in regions})
    department = _chosen(request, "departement", {d.code for d in departments})

    stories = all_stories
    if theme:
        stories = stories.with_theme(theme)
    if region:
        stories = stories.in_region(region)
    if department:
        stories = stories.in_department(department)
    stories = stories.for_cards().newest_first()

    paginator = Paginator(stories, STORIES_PER_PAGE)
    try:
        page_obj = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page_obj = paginator.page(1)

    filters = {"theme": theme, "region": region, "departement": department}
    query = {k: v for k, v in filters.items() if v}
    return {
        # Lazy: the cards are kept in the site-data cache with the template's {% datacache %}
        # (keyed on the page, these filters and this page number), so that a visit after
        # the first of a generation runs neither their queries nor their render.
        "stories": SimpleLazyObject(
            lambda: localize_themes(page_obj.object_list, locale, themes=themes)
        ),
        "page_obj": page_obj,
        "result_count": paginator.count,
        "themes": themes,
        "regions": regions,
        "departments": departments,
        "filters": filters,
        "is_filtered": bool(query),
        "filter_query": query,
        "feed_url": index.url + index.reverse_subpage("feed_route"),
        "nominate_url": index.url + index.reverse_subpage("nominate_route"),
    }


def json_ld_script(data):
    """A `<script type="application/ld+json">` block: data, not code, escaped like
    Django's json_script so that no value can close the element."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_SCRIPT_ESCAPES)),  # noqa: S308 - escaped above
    )


def _article_data(*, story, url, language, campaign_name, image_url):
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": story.title,
        "description": story.summary,
        "inLanguage": language,
        "datePublished": story.publication_date.isoformat(),
        "mainEntityOfPage": url,
        "url": url,
        "author": {"@type": "Organization", "name": campaign_name},
        "publisher": {"@type": "Organization", "name": campaign_name},
    }
    if story.last_published_at:
        data["dateModified"] = story.last_published_at.isoformat()
    if image_url:
        data["image"] = [image_url]
    if story.commune_id and not StoryPage.commune.is_cached(story):
        data["contentLocation"] = {"@type": "Place", "name": story.commune.name}
    return data


def share_links(*, url, title):
    """Plain sharing addresses: no third-party script, nothing loads until clicked."""
    from urllib.parse import urlencode

    return [
        (_("e-mail"), "mailto:?" + urlencode({"subject": title, "body": url}, quote_via=_quote)),
        ("Mastodon", "https://mastodon.social/share?" + urlencode({"text": f"{title} {url}"})),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url})),
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": f"{title} {url}"})),
        ("Bluesky", "https://bsky.app/intent/compose?" + urlencode({"text": f"{title} {url}"})),
    ]


def _quote(value, safe="", encoding=None, errors=None):
    # mailto: wants %20 for spaces, not "+".
    from urllib.parse import quote

    return quote(value, safe=safe, encoding=encoding, errors=errors)


STORY_PAGE_CONTEXT = (
    "display_themes",
    "related_stories",
    "previous_story",
    "next_story",
    "share_links",
    "json_ld",
    "gestures",
)


def story_page_context(*, story, request):
    """What the story page shows besides the story's own fields, computed only when the
    template asks for it: the page keeps its head and its body in the site-data cache
    ({% datacache %}), so that a visit after the first of a generation runs none of these
    queries. Every value comes from one computation (`_story_page_data`)."""
    data = SimpleLazyObject(lambda: _story_page_data(story=story, request=request))
    return {name: SimpleLazyObject(partial(_item, data, name)) for name in STORY_PAGE_CONTEXT}


def _item(data, name):
    return data[name]


def _story_page_data(*, story, request):
    # The story's own locale (an id: no query; Locale.get_active() cost one) and the active
    # language, the one Wagtail served the page in.
    locale = story.locale_id
    language = translation.get_language() or settings.LANGUAGE_CODE
    story_themes = list(story.themes.all())
    if story.commune_id and not StoryPage.commune.is_cached(story):
        # One query for the commune and its department, shown in the header.
        story.commune = Commune.objects.select_related("department").get(pk=story.commune_id)
    locale_themes = themes_in(locale, request)
    related = localize_themes(
        story.related_stories(themes=story_themes), locale, themes=locale_themes
    )
    by_key = {t.translation_key: t for t in locale_themes}
    display_themes = [by_key.get(t.translation_key, t) for t in story_themes]
    campaign = CampaignSettings.for_request(request)
    image_url = ""
    share_image = story.get_share_image()  # the portraits and their renditions, once
    if share_image:
        og = share_image.get_rendition("fill-1200x630|format-jpeg")
        image_url = public_url(og.url)
    url = public_url(story.url)
    previous_story, next_story = story.neighbours()
    return {
        "display_themes": display_themes,
        "related_stories": related,
        "previous_story": previous_story,
        "next_story": next_story,
        "share_links": share_links(url=url, title=story.title),
        "json_ld": json_ld_script(
            _article_data(
                story=story,
                url=url,
                language=language,
                campaign_name=campaign.campaign_name,
                image_url=image_url,
            )
        ),
        "gestures": services.story_gestures(story=story, locale=locale),
    }


def nominate(request, *, index):
    """ "Proposer un héros": the form, then a redirect to the thank-you page (POST, redirect,
    GET), so that reloading never sends it twice."""
    thanks_url = index.url + index.reverse_subpage("nominate_thanks_route")
    if request.method == "POST":
        # Over the address's limit: refused before the form is validated or its photo checked.
        early = ratelimit.peek(request, "nomination")
        if not early.allowed:
            return ratelimit.too_many_requests(request, early)
        form = NominationForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            if services.nomination_is_repeat(data=data):
                # The same nomination again (a double click, a reload): saved once, and the
                # visitor is told it was already received.
                return HttpResponseRedirect(thanks_url + "?deja=1")
            refused = services.nomination_refused(request=request, data=data)
            if refused:
                # Too many: the 429 page says so and when to try again; nothing is saved.
                services.nomination_forget_repeat(data=data)
                return ratelimit.too_many_requests(request, refused)
            with transaction.atomic():
                services.nomination_create(data=data, language=request.LANGUAGE_CODE)
            return HttpResponseRedirect(thanks_url)
    else:
        form = NominationForm()
    # A refused post comes back with its errors and a 400, like every other form of the site.
    return render(
        request,
        "stories/nominate.html",
        {"page": index, "form": form, "self": index, "intro": index.nomination_intro},
        status=400 if form.is_bound else 200,
    )


def nominate_thanks(request, *, index):
    context = {"page": index, "self": index, "already": request.GET.get("deja") == "1"}
    return render(request, "stories/nominate_thanks.html", context)
