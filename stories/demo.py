"""Demo content of the stories app: the themes, the story index (French and English) with
its moderation workflow and groups, and twelve stories with generated portraits.

Idempotent: each object is found by a stable key (theme slug, page slug, image title)
before it is created. Communes are looked up by INSEE code in the geography tables (the
set-up imports them before load_demo); a story whose commune is missing is skipped."""

import io
import json
import random

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.text import slugify

from wagtail.images import get_image_model
from wagtail.models import Locale, Site

from PIL import Image, ImageDraw

from campaign.demo import account_ensure, fields_update, page_publish
from campaign.geography.models import Commune
from campaign.localize import instance_translate
from gestures.models import GesturePage

from . import services
from .demo_content import COLOUR_NAMES, INDEX, STORIES, THEMES
from .models import StoryGesture, StoryIndexPage, StoryPage, StoryTheme

PORTRAIT_SIZE = 900


def _rgb(hex_colour):
    hex_colour = hex_colour.lstrip("#")
    return tuple(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))


def portrait_png(*, background, clothes, accent, seed):
    """A warm illustrated portrait: a coloured background, a simple bust silhouette and a
    few shapes, distinct for each seed. Drawn with Pillow: no photo of anyone."""
    rng = random.Random(seed)
    size = PORTRAIT_SIZE
    image = Image.new("RGB", (size, size), _rgb(background))
    draw = ImageDraw.Draw(image)
    # A few soft shapes behind the figure.
    for _ in range(5):
        r = rng.randint(30, 90)
        x, y = rng.randint(0, size), rng.randint(0, size // 2)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=_rgb(accent))
    # The sun (or moon) in a corner.
    draw.ellipse(
        (size - 230, 50, size - 70, 210), fill=_rgb(accent), outline=_rgb(clothes), width=6
    )
    # Shoulders and body.
    draw.rounded_rectangle((170, 600, size - 170, size + 120), radius=220, fill=_rgb(clothes))
    # Neck and head, in a warm skin-like neutral shared by every portrait.
    skin = (214, 160, 120) if seed % 2 else (150, 100, 70)
    draw.rectangle((size // 2 - 55, 500, size // 2 + 55, 640), fill=skin)
    draw.ellipse((size // 2 - 150, 230, size // 2 + 150, 560), fill=skin)
    # Hair: a cap of colour, shaped differently for each seed.
    hair = (60, 40, 30) if seed % 3 else (200, 200, 200)
    if seed % 4 == 0:
        draw.pieslice((size // 2 - 160, 210, size // 2 + 160, 470), 180, 360, fill=hair)
    elif seed % 4 == 1:
        draw.ellipse((size // 2 - 170, 200, size // 2 + 170, 420), fill=hair)
        draw.ellipse((size // 2 - 150, 280, size // 2 + 150, 560), fill=skin)
    elif seed % 4 == 2:
        draw.rectangle((size // 2 - 165, 230, size // 2 + 165, 600), fill=hair)
        draw.ellipse((size // 2 - 145, 250, size // 2 + 145, 560), fill=skin)
    else:
        draw.chord((size // 2 - 155, 215, size // 2 + 155, 420), 180, 360, fill=hair)
    # A smile and two eyes, simple strokes.
    draw.arc((size // 2 - 60, 400, size // 2 + 60, 480), 20, 160, fill=(90, 40, 30), width=8)
    for dx in (-55, 55):
        draw.ellipse((size // 2 + dx - 12, 370, size // 2 + dx + 12, 394), fill=(40, 30, 25))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def portrait_alt(story):
    background, clothes, accent = story["palette"]
    bg, cl, ac = COLOUR_NAMES[background], COLOUR_NAMES[clothes], COLOUR_NAMES[accent]
    return (
        f"Illustration : le buste stylisé d'une personne souriante, vêtue de {cl[0]}, sur un "
        f"fond {bg[0]} parsemé de ronds {ac[0]}.",
        f"Illustration: the stylised bust of a smiling person dressed in {cl[1]}, on a "
        f"{bg[1]} background dotted with {ac[1]} circles.",
    )


def _ensure_portrait(story, seed):
    image_model = get_image_model()
    title = f"Illustration – {story['slug']}"
    image = image_model.objects.filter(title=title).first()
    if image is None:
        background, clothes, accent = story["palette"]
        data = portrait_png(background=background, clothes=clothes, accent=accent, seed=seed)
        image = image_model(title=title)
        image.file = ImageFile(io.BytesIO(data), name=f"{story['slug']}.png")
        image.save()
    return image


def _ensure_themes(fr):
    themes = {}
    for slug, (name_fr, name_en), _slug_en in THEMES:
        theme = StoryTheme.objects.filter(locale=fr, slug=slug).first() or StoryTheme(
            locale=fr, slug=slug
        )
        if fields_update(theme, {"name": name_fr}) or theme.pk is None:
            theme.save()
        instance_translate(instance=theme, language_code="en", strings={name_fr: name_en})
        themes[slug] = theme
    return themes


def _ensure_index(home):
    index = StoryIndexPage.objects.filter(locale=home.locale, slug=INDEX["slug"][0]).first()
    if index is None:
        index = StoryIndexPage(title=INDEX["title"][0], slug=INDEX["slug"][0], locale=home.locale)
        home.add_child(instance=index)
    changed = fields_update(
        index, {field: INDEX[field][0] for field in ("title", "introduction", "nomination_intro")}
    )
    page_publish(index, changed=changed)
    # instance_translate publishes the English index at once, so the stories added under it
    # in this same transaction are counted as its children.
    instance_translate(instance=index, language_code="en", strings=dict(INDEX.values()))
    return index


def _body(paragraphs):
    return json.dumps([{"type": "paragraph", "value": f"<p>{fr}</p>"} for fr, _en in paragraphs])


def _gesture_pages(numbers, locale):
    """The French gesture pages by number, when the gestures demo has loaded them."""
    pages = {g.number: g for g in GesturePage.objects.filter(locale=locale, number__in=numbers)}
    return [pages[n] for n in numbers if n in pages]


def _ensure_story(index, data, *, themes, seed, stdout=None):
    commune = Commune.objects.filter(insee_code=data["insee"]).first()
    if commune is None:
        if stdout:
            stdout.write(
                f"  Histoire « {data['slug']} » ignorée : commune {data['insee']} absente "
                "(lancez d'abord manage.py import_communes)."
            )
        return None
    story = StoryPage.objects.filter(locale=index.locale, slug=data["slug"]).first()
    if story is None:
        story = StoryPage(slug=data["slug"], locale=index.locale, live=False)
        story.title = data["title"][0]
        story.hero_first_name = data["hero"][0]
        story.summary = data["summary"][0]
        index.add_child(instance=story)
    alt = portrait_alt(data)
    changed = fields_update(
        story,
        {
            "title": data["title"][0],
            "hero_first_name": data["hero"][0],
            "hero_initial": data["hero"][1],
            "commune": commune,
            "portrait": _ensure_portrait(data, seed),
            "portrait_alt": alt[0],
            "summary": data["summary"][0],
            "body": _body(data["paragraphs"]),
            "pull_quote": data["quote"][0],
            "publication_date": data["date"],
            "credit": data["credit"][0],
            "consent_given": True,  # every person portrayed agreed (demo content)
        },
    )
    wanted_themes = [themes[slug] for slug in data["themes"]]
    if {t.pk for t in story.themes.all()} != {t.pk for t in wanted_themes}:
        story.themes.set(wanted_themes)
        changed = True
    gestures = _gesture_pages(data["gestures"], index.locale)
    # Replaced only when they change: a second run leaves the links (and their ids) alone.
    if [link.gesture_id for link in story.gesture_links.all()] != [g.pk for g in gestures]:
        story.gesture_links = [StoryGesture(gesture=gesture) for gesture in gestures]
        changed = True
    page_publish(story, changed=changed)
    # As published: the links built above are still without ids in memory, and the
    # translation source would record them so (a second run would see a change).
    story = StoryPage.objects.get(pk=story.pk)
    strings = {
        data["slug"]: slugify(data["title"][1]),
        data["title"][0]: data["title"][1],
        data["summary"][0]: data["summary"][1],
        data["quote"][0]: data["quote"][1],
        data["credit"][0]: data["credit"][1],
        alt[0]: alt[1],
        **dict(data["paragraphs"]),
    }
    instance_translate(instance=story, language_code="en", strings=strings)
    return story


# The two roles of the story moderation (services.moderation_setup):
# (username, password, group, description)
ACCOUNTS = [
    (
        "communication",
        "communication-demo",
        services.COMMUNICATION_GROUP,
        "équipe communication : modère et publie les histoires, traite les propositions",
    ),
    (
        "contributeur-melun",
        "contributeur-demo-melun",
        services.CONTRIBUTORS_GROUP,
        "contributeur de la mairie de Melun : écrit une histoire et la soumet à la modération",
    ),
]


def _ensure_accounts(stdout=None):
    for username, password, group, description in ACCOUNTS:
        account_ensure(
            username=username,
            password=password,
            description=description,
            groups=[group],
            stdout=stdout,
        )


@transaction.atomic
def load(stdout=None):
    """The themes, the story index under the home page, its moderation, twelve stories.
    Runs after home.demo (the home page) and gestures' loader if any (story links)."""
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    fr = Locale.objects.get(language_code="fr")
    themes = _ensure_themes(fr)
    index = _ensure_index(home)
    stories = [
        _ensure_story(index, data, themes=themes, seed=n, stdout=stdout)
        for n, data in enumerate(STORIES)
    ]
    services.moderation_setup(index=index)
    _ensure_accounts(stdout)
    return [s for s in stories if s is not None]
