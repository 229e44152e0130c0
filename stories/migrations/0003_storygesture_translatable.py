"""StoryGesture becomes translatable (locale and translation_key, like KitFile), so that
wagtail-localize updates an English story's gesture links in place instead of deleting and
recreating them at every sync.

Existing rows take their story's locale; a French link and its English copy (same story
translation key, same position) share one translation key."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    StoryGesture = apps.get_model("stories", "StoryGesture")
    keys = {}
    rows = StoryGesture.objects.select_related("story").order_by("story__locale_id", "pk")
    for link in rows:
        story = link.story
        position = (story.translation_key, link.sort_order)
        key = keys.setdefault(position, uuid.uuid4())
        # A story holding two links at the same position would share a key: keep them apart.
        if StoryGesture.objects.filter(translation_key=key, locale_id=story.locale_id).exists():
            key = uuid.uuid4()
        link.locale_id = story.locale_id
        link.translation_key = key
        link.save(update_fields=["locale", "translation_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0002_story_gestures"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="storygesture",
            name="locale",
            field=models.ForeignKey(
                null=True,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wagtailcore.locale",
                verbose_name="locale",
            ),
        ),
        migrations.AddField(
            model_name="storygesture",
            name="translation_key",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="storygesture",
            name="locale",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wagtailcore.locale",
                verbose_name="locale",
            ),
        ),
        migrations.AlterField(
            model_name="storygesture",
            name="translation_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterUniqueTogether(
            name="storygesture",
            unique_together={("translation_key", "locale")},
        ),
    ]
