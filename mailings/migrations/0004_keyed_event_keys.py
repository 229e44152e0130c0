"""Tracking events' keys become keyed hashes (HMAC-SHA256 with SUPPRESSION_HASH_KEY) of the
unkeyed SHA-256 they were: an event received without an id was keyed on a line holding the
recipient's address, which anyone holding the address could recompute. Built on the old
value, so a replay of an event received before this migration is still recognised."""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations


def rekey(apps, schema_editor):
    DeliveryEvent = apps.get_model("mailings", "DeliveryEvent")
    db = schema_editor.connection.alias
    events = DeliveryEvent.objects.using(db)
    if not events.exists():
        return
    key = settings.SUPPRESSION_HASH_KEY.encode()
    for pk, old in events.values_list("pk", "key").iterator():
        new = hmac.new(key, old.encode(), hashlib.sha256).hexdigest()
        events.filter(pk=pk).update(key=new)


class Migration(migrations.Migration):
    dependencies = [("mailings", "0003_sending_exactly_once")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop, elidable=False)]
