"""Programmatic translation through wagtail-localize, for demo content and data imports.

Editors translate in Wagtail's translation editor; commands that ship content in both
languages (load_demo, import_gestures) go through the same records, so that the English
version stays a wagtail-localize translation an editor can keep working on."""

from django.db import transaction

from wagtail.models import Locale, Page
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
    translation.save_target(publish=publish)
    translated = instance.get_translation(target_locale)
    if isinstance(translated, Page):
        translated = translated.specific
    return translated, missing
