"""Operations on the gestures that are not plain CMS editing: the import of the data file,
the anonymous "J'ai fait ce geste" counter, the booklet."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wagtail.models import Locale
from wagtail_localize.strings import StringValue

from campaign.localize import instance_translate
from campaign.translated import translated_only

from .importing import (
    CATEGORIES_FILE,
    GESTURES_FILE,
    DataFileError,
    categories_read,
    gestures_read,
)
from .models import GestureCategory, GestureCounter, GestureIndexPage, GesturePage


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    translated: int = 0  # English versions created or brought up to date


@dataclass
class ImportReport:
    categories: ImportCounts = field(default_factory=ImportCounts)
    gestures: ImportCounts = field(default_factory=ImportCounts)
    changed_numbers: list = field(default_factory=list)

    @property
    def changed(self):
        return any(c.created or c.updated or c.translated for c in (self.categories, self.gestures))

    def lines(self):
        return [
            _(
                "Catégories : %(created)s créées, %(updated)s modifiées, %(unchanged)s "
                "inchangées, %(translated)s traductions anglaises mises à jour."
            )
            % vars(self.categories),
            _(
                "Gestes : %(created)s créés, %(updated)s modifiés, %(unchanged)s inchangés, "
                "%(translated)s traductions anglaises mises à jour."
            )
            % vars(self.gestures),
        ]


def _segment(text):
    """A text as wagtail-localize stores it in a segment (escaped, <br> for line breaks)."""
    return StringValue.from_plaintext(text).data


def _strings(pairs):
    return {_segment(fr): _segment(en) for fr, en in pairs if fr}


def _category_fields(row):
    return {
        "name": row.name[0],
        "slug": row.slug,
        "description": row.description[0],
        "colour": row.colour,
        "icon": row.icon,
    }


def _differs(instance, values):
    return any(getattr(instance, name) != value for name, value in values.items())


def _import_categories(rows, *, fr, en, counts):
    existing = {c.slug: c for c in GestureCategory.objects.filter(locale=fr)}
    english = {c.translation_key: c for c in GestureCategory.objects.filter(locale=en)}
    categories = {}
    for row in rows:
        values = _category_fields(row)
        category = existing.get(row.slug)
        if category is None:
            category = GestureCategory.objects.create(locale=fr, **values)
            counts.created += 1
            changed = True
        elif _differs(category, values):
            for name, value in values.items():
                setattr(category, name, value)
            category.save()
            counts.updated += 1
            changed = True
        else:
            counts.unchanged += 1
            changed = False
        translation = english.get(category.translation_key)
        expected = {**values, "name": row.name[1], "description": row.description[1]}
        if changed or translation is None or _differs(translation, expected):
            instance_translate(
                instance=category,
                language_code="en",
                strings=_strings([row.name, row.description]),
            )
            counts.translated += 1
        categories[row.slug] = category
    return categories


def _gesture_fields(row, category):
    return {
        "number": row.number,
        "title": row.title[0],
        "description": row.description[0],
        "howto": row.howto[0],
        "category_id": category.pk,
        "time_needed": row.time_needed,
        "audiences": row.audiences,
        "places": row.places,
        "heure_civique": row.heure_civique,
    }


def _import_gestures(rows, *, index_page, categories, en, report):
    counts = report.gestures
    existing = {
        p.number: p for p in GesturePage.objects.filter(locale=index_page.locale).specific()
    }
    english = {
        p.translation_key: p
        for p in GesturePage.objects.filter(locale=en).select_related("category")
    }
    for row in rows:
        category = categories[row.category]
        values = _gesture_fields(row, category)
        page = existing.get(row.number)
        if page is None:
            page = GesturePage(slug=slugify(row.title[0])[:100].strip("-"), **values)
            index_page.add_child(instance=page)
            page.save_revision().publish()
            counts.created += 1
            changed = True
        elif _differs(page, values) or not page.live or page.has_unpublished_changes:
            for name, value in values.items():
                setattr(page, name, value)
            page.save_revision().publish()
            counts.updated += 1
            changed = True
        else:
            counts.unchanged += 1
            changed = False
        if changed:
            report.changed_numbers.append(row.number)
        translation = english.get(page.translation_key)
        expected = {
            **values,
            "title": row.title[1],
            "description": row.description[1],
            "howto": row.howto[1],
            "live": True,
        }
        expected.pop("category_id")
        out_of_date = (
            translation is None
            or _differs(translation, expected)
            or translation.category.translation_key != category.translation_key
        )
        if changed or out_of_date:
            english_slug = translation.slug if translation else slugify(row.title[1])[:100]
            instance_translate(
                instance=page,
                language_code="en",
                strings={
                    **_strings([row.title, row.description, row.howto]),
                    page.slug: english_slug.strip("-"),
                },
            )
            counts.translated += 1


def gestures_import(*, gestures_path=GESTURES_FILE, categories_path=CATEGORIES_FILE):
    """Load the data files into the French catalogue and its English translation.

    Checks both files whole first: a faulty file raises DataFileError, whose messages name
    each faulty line, and changes nothing. Then creates or updates the categories by slug and
    the gestures by number, publishes them and creates or syncs their English translations
    through wagtail-localize. Running it twice changes nothing the second time. Gestures
    missing from the file are left as they are. Returns an ImportReport."""
    categories = categories_read(categories_path)
    gestures = gestures_read(gestures_path, category_slugs={c.slug for c in categories})
    fr = Locale.objects.filter(language_code="fr").first()
    en = Locale.objects.filter(language_code="en").first()
    index_page = GestureIndexPage.objects.filter(locale=fr).first() if fr is not None else None
    if index_page is None or en is None:
        raise DataFileError(
            [
                _(
                    "Il n'y a pas encore de page « catalogue des gestes » en français : "
                    "créez-la sous la page d'accueil (ou lancez load_demo), puis relancez "
                    "l'import."
                )
            ]
        )
    report = ImportReport()
    with transaction.atomic():
        if not index_page.has_translation(en):
            # The English gestures need their English parent; an editor translates its
            # wording later in wagtail-localize (load_demo ships it translated).
            instance_translate(instance=index_page, language_code="en", strings={})
        by_slug = _import_categories(categories, fr=fr, en=en, counts=report.categories)
        _import_gestures(gestures, index_page=index_page, categories=by_slug, en=en, report=report)
    return report


def gesture_done_first_time(*, request, page) -> bool:
    """Whether this client address has not yet reported `page` (any of its translations)
    within the window of the "gesture_done_once" rate limit; records that it now has. The
    key is digested by the limiter: no address is stored in clear."""
    from campaign import ratelimit

    key = f"{page.translation_key}:{ratelimit.address_bucket(ratelimit.client_address(request))}"
    return ratelimit.consume(request, "gesture_done_once", key=key).allowed


def gesture_mark_done(*, page):
    """Add one to the anonymous "J'ai fait ce geste" counter of `page` (shared by its
    translations). An atomic UPDATE … SET count = count + 1, so concurrent clicks are all
    counted. Returns the new count."""
    counter, _created = GestureCounter.objects.get_or_create(translation_key=page.translation_key)
    GestureCounter.objects.filter(pk=counter.pk).update(count=F("count") + 1)
    return GestureCounter.objects.values_list("count", flat=True).get(pk=counter.pk)


BOOKLET_DIR = "gestures/livret"
# Bump when the layout changes, so that cached booklets are drawn again.
BOOKLET_LAYOUT_VERSION = "1"


def _booklet_sources(*, language_code, index_page=None):
    """What the booklet of a language is made of, in a fixed number of queries."""
    from campaign.models import CampaignSettings
    from campaign.site_address import page_public_url

    locale = Locale.objects.get(language_code=language_code)
    if index_page is None:
        index_page = GestureIndexPage.objects.live().filter(locale=locale).first()
    gestures = list(
        translated_only(GesturePage.objects.live())
        .filter(locale=locale)
        .select_related("category")
        .order_by("number")
    )
    categories = sorted({g.category for g in gestures}, key=lambda c: c.pk)
    site = index_page.get_site() if index_page is not None else None
    settings = CampaignSettings.load() if site is None else CampaignSettings.for_site(site)
    return {
        "gestures": gestures,
        "categories": categories,
        "language_code": language_code,
        "campaign_name": settings.campaign_name,
        "tagline": settings.tagline_en if language_code == "en" else settings.tagline_fr,
        "site_url": page_public_url(index_page) if index_page is not None else "",
    }


def _booklet_fingerprint(sources):
    import hashlib

    digest = hashlib.sha256(BOOKLET_LAYOUT_VERSION.encode())
    parts = [sources["language_code"], sources["campaign_name"], sources["tagline"]]
    parts.append(sources["site_url"])
    for category in sources["categories"]:
        parts += [category.slug, category.name, category.description, category.colour]
    for gesture in sources["gestures"]:
        parts += [
            str(gesture.pk),
            str(gesture.number),
            gesture.last_published_at.isoformat() if gesture.last_published_at else "",
        ]
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _booklets_stored(language_code):
    """The booklet files of a language in the default storage, newest first."""
    from django.core.files.storage import default_storage

    try:
        _directories, files = default_storage.listdir(BOOKLET_DIR)
    except FileNotFoundError:
        return []
    names = [f"{BOOKLET_DIR}/{f}" for f in files if f.startswith(f"{language_code}-")]
    return sorted(names, key=default_storage.get_modified_time, reverse=True)


def booklet_get(*, language_code, index_page=None, allow_stale=False):
    """The storage name of the booklet of `language_code`, drawn from the published gestures
    when the file for the current content (its name holds a hash of it) is missing; older
    booklets of the language are then deleted.

    With `allow_stale` (web requests), a missing up-to-date booklet does not keep the request
    waiting while an older one exists: the older one is returned and its redraw is enqueued.
    Only the very first booklet of a language is drawn during a request."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from .booklet import booklet_pdf

    sources = _booklet_sources(language_code=language_code, index_page=index_page)
    name = f"{BOOKLET_DIR}/{language_code}-{_booklet_fingerprint(sources)}.pdf"
    if default_storage.exists(name):
        return name
    stored = _booklets_stored(language_code)
    if allow_stale and stored:
        from .tasks import booklet_refresh

        locale_id = Locale.objects.values_list("pk", flat=True).get(language_code=language_code)
        transaction.on_commit(lambda: booklet_refresh.enqueue(locale_id=locale_id))
        return stored[0]
    saved = default_storage.save(name, ContentFile(booklet_pdf(**sources)))
    if saved != name:
        # Another process drew the same booklet at the same time: keep one copy.
        default_storage.delete(saved)
    for other in stored:
        if other != name:
            default_storage.delete(other)
    return name
