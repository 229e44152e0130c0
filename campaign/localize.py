"""Programmatic translation through wagtail-localize, for demo content and data imports.

Editors translate in Wagtail's translation editor; commands that ship content in both
languages (load_demo, import_gestures) go through the same records, so that the English
version stays a wagtail-localize translation an editor can keep working on."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from modelcluster.models import ClusterableModel, get_serializable_data_for_fields
from wagtail.models import Locale, Page, Revision
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)


def locale_get(language_code):
    return Locale.objects.get(language_code=language_code)


@transaction.atomic
def instance_translate(*, instance, language_code, strings, publish=True):
    """Create or update the translation of `instance` into `language_code`.

    `strings` maps each source text (as wagtail-localize segments it: a field's text, one
    paragraph of rich text) to its translation. A source text missing from `strings` keeps
    its source wording. Returns (translated instance, list of untranslated source texts).
    """
    target_locale = locale_get(language_code)
    current = _translation_current(instance, target_locale, strings)
    if current is not None:
        if isinstance(current[0], Page):
            page_numchild_fix(current[0])  # a count left stale by an earlier load
        return current
    source, created = TranslationSource.get_or_create_from_instance(instance)
    if not created:
        source.update_from_db()
    translation, _ = Translation.objects.get_or_create(
        source=source, target_locale=target_locale, defaults={"enabled": True}
    )
    missing = []
    segments = StringSegment.objects.filter(source=source).select_related("string", "context")
    for segment in segments:
        text = segment.string.data
        if text not in strings:
            missing.append(text)
            continue
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=target_locale,
            context=segment.context,
            defaults={"data": strings[text], "translation_type": "manual"},
        )
    if isinstance(instance, Page):
        translated = _page_translation_save(instance, translation, publish=publish)
    else:
        translation.save_target(publish=publish)
        translated = instance.get_translation(target_locale)
    return translated, missing


# Wagtail's bookkeeping of a page, not its content: it changes when a child is added or a
# revision of the same text is saved, which is no reason to translate again.
_BOOKKEEPING_FIELDS = {
    "path",
    "depth",
    "numchild",
    "url_path",
    "draft_title",
    "live",
    "has_unpublished_changes",
    "first_published_at",
    "last_published_at",
    "latest_revision",
    "latest_revision_created_at",
    "live_revision",
    "locked",
    "locked_at",
    "locked_by",
}


def _normalised(value):
    """A StreamField is serialised as a JSON string whose key order depends on the database
    (PostgreSQL's jsonb sorts keys, SQLite keeps them): compare what it says, not its text."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _content(data):
    return {
        key: _normalised(value) for key, value in data.items() if key not in _BOOKKEEPING_FIELDS
    }


def _serialized(instance):
    if isinstance(instance, ClusterableModel):
        return json.loads(instance.to_json())
    return json.loads(json.dumps(get_serializable_data_for_fields(instance), cls=DjangoJSONEncoder))


def _translation_current(instance, target_locale, strings):
    """(translated instance, untranslated texts) when translating `instance` again would
    change nothing: its content is the one last sent to translation, each text of `strings`
    is already translated so, and a translated page is live with nothing unpublished. Else
    None. Keeps a second load_demo from writing a new revision of every English page."""
    if isinstance(instance, Page):
        instance = instance.specific
    translated = instance.get_translation_or_none(target_locale)
    if translated is None:
        return None
    if isinstance(translated, Page) and (
        not translated.live or translated.has_unpublished_changes or translated.alias_of_id
    ):
        return None
    source = TranslationSource.objects.filter(
        object_id=instance.translation_key, locale_id=instance.locale_id
    ).first()
    if source is None or not source.translations.filter(target_locale=target_locale).exists():
        return None
    if _content(_serialized(instance)) != _content(json.loads(source.content_json)):
        return None
    segments = list(StringSegment.objects.filter(source=source).select_related("string"))
    done = {
        (t.translation_of_id, t.context_id): t.data
        for t in StringTranslation.objects.filter(
            locale=target_locale, translation_of__in=[s.string_id for s in segments]
        )
    }
    missing = []
    for segment in segments:
        text = segment.string.data
        if text not in strings:
            missing.append(text)
        elif done.get((segment.string_id, segment.context_id)) != strings[text]:
            return None
    return translated, missing


def _page_translation_save(instance, translation, *, publish):
    """Save (and publish) the translated page now, not when the transaction commits.

    wagtail-localize publishes a translated page in `transaction.on_commit`, with the
    in-memory page it saved: when pages are added under that page's translation before the
    transaction commits (a loader that translates an index page, then its children), the late
    publish writes back the child count it had in memory (often 0), and Wagtail stops routing
    to the children. Publishing here, from the page as it is in the database, leaves nothing
    stale to write later."""
    translation.save_target(publish=False)
    translated = instance.get_translation(translation.target_locale)
    if publish:
        # Read back: the revision's own page object, loaded now, carries the current tree
        # fields (path, depth, numchild) that Wagtail keeps when it publishes a revision.
        revision = Revision.objects.get(pk=translated.latest_revision_id)
        revision.publish()
    translated = Page.objects.get(pk=translated.pk).specific
    page_numchild_fix(translated)
    return translated


def page_numchild_fix(page):
    """Set `page.numchild` (treebeard's child count, which Wagtail routes by) to the number of
    pages under it. Returns True when it had to be corrected."""
    children = Page.objects.filter(path__startswith=page.path, depth=page.depth + 1).count()
    if page.numchild == children:
        return False
    Page.objects.filter(pk=page.pk).update(numchild=children)
    page.numchild = children
    return True
