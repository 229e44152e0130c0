"""The address's fingerprint becomes keyed (issue 13): HMAC-SHA256 with SUPPRESSION_HASH_KEY
over the unkeyed SHA-256 stored until now, so that every row is converted without its address,
erased rows included (they keep nothing else). Irreversible: the unkeyed value cannot be
recovered from the keyed one, which is the point."""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

BATCH = 2000


def key_the_hashes(apps, schema_editor):
    Volunteer = apps.get_model("volunteers", "Volunteer")
    key = getattr(settings, "SUPPRESSION_HASH_KEY", "")
    if not Volunteer.objects.using(schema_editor.connection.alias).exists():
        return
    if not key:
        raise ImproperlyConfigured("SUPPRESSION_HASH_KEY must be set to convert the fingerprints.")
    rows = Volunteer.objects.using(schema_editor.connection.alias)
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).order_by("pk").only("pk", "email_hash")[:BATCH])
        if not batch:
            break
        for row in batch:
            row.email_hash = hmac.new(
                key.encode(), row.email_hash.encode(), hashlib.sha256
            ).hexdigest()
        rows.bulk_update(batch, ["email_hash"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0008_mailings_moved_out")]

    operations = [migrations.RunPython(key_the_hashes, elidable=False)]
