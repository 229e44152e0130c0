"""Photos received before uploads were re-encoded (issue 12) kept the visitor's extension and
bytes: a valid PNG named `.html` with a script in a text chunk was one. Each is re-encoded
from its pixels and stored under a new random name with the extension of its verified
format (campaign/uploads.py); the old file is deleted. A file that is no image we accept
stays where it is, never served (/media/ does not serve nominations/, and the admin view
serves image extensions only)."""

import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import migrations


def reencode_photos(apps, schema_editor):
    from campaign.uploads import safe_image

    Nomination = apps.get_model("stories", "Nomination")
    for nomination in Nomination.objects.exclude(photo="").iterator():
        old_name = nomination.photo.name
        storage = nomination.photo.storage
        try:
            with storage.open(old_name, "rb") as handle:
                handle.size = storage.size(old_name)
                image = safe_image(handle, max_bytes=10 * 1024 * 1024, max_pixels=40_000_000)
        except (OSError, ValidationError):
            continue
        new_name = storage.save(
            f"nominations/{uuid.uuid4().hex}.{image.extension}", ContentFile(image.content)
        )
        Nomination.objects.filter(pk=nomination.pk).update(photo=new_name)
        storage.delete(old_name)


class Migration(migrations.Migration):
    dependencies = [("stories", "0004_editors_nominations_and_themes")]

    operations = [migrations.RunPython(reencode_photos, migrations.RunPython.noop)]
