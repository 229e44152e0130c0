"""Run by test_migration.py in a process of its own, on a database of its own built from
nothing: migrate to the last migration before the move, write a mailing, its deliveries, a
tracking event and a group allowed to send, migrate to the latest state, and check that
every row, link and permission is there. Prints "ok" when all holds.

(In the test process this ran on the test database and left its content types in a state
that broke the next test that reloads the database.)"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaign.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402

from mailings.models import Delivery, DeliveryEvent, Mailing  # noqa: E402

BEFORE_THE_MOVE = [("volunteers", "0007_emailtemplate_body_paragraphs")]


def _executor():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


def main():
    executor = _executor()
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE_THE_MOVE)
    ContentType.objects.clear_cache()
    old = executor.loader.project_state(BEFORE_THE_MOVE).apps
    # As a database of that time has them (`migrate` creates them after its migrations).
    OldContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    mailing_type, _ = OldContentType.objects.get_or_create(app_label="volunteers", model="mailing")
    Permission.objects.get_or_create(
        content_type=mailing_type, codename="send_mailing", defaults={"name": "send"}
    )
    Volunteer = old.get_model("volunteers", "Volunteer")
    OldMailing = old.get_model("volunteers", "Mailing")
    OldDelivery = old.get_model("volunteers", "Delivery")
    OldEvent = old.get_model("volunteers", "DeliveryEvent")
    Group = old.get_model("auth", "Group")
    Permission = old.get_model("auth", "Permission")

    camille = Volunteer.objects.create(
        email="camille@example.org", email_hash="a" * 64, status="confirmed"
    )
    dominique = Volunteer.objects.create(
        email="dominique@example.org", email_hash="b" * 64, status="confirmed"
    )
    mailing = OldMailing.objects.create(subject="Merci !", body=[], status="sent")
    first = OldDelivery.objects.create(
        mailing=mailing, volunteer=camille, status="delivered", esp_message_id="<1@esp>"
    )
    OldDelivery.objects.create(mailing=mailing, volunteer=dominique, status="sent")
    OldEvent.objects.create(key="k" * 64, delivery=first, event_type="delivered")
    senders = Group.objects.create(name="Envois (test)")
    senders.permissions.add(
        Permission.objects.get(content_type__app_label="volunteers", codename="send_mailing")
    )
    user = get_user_model().objects.create_user(username="envoi", is_staff=True)
    user.groups.add(senders.pk)
    executor = _executor()
    executor.migrate(latest)
    ContentType.objects.clear_cache()

    moved = Mailing.objects.get(subject="Merci !")
    assert moved.pk == mailing.pk and moved.status == Mailing.Status.SENT
    deliveries = {d.volunteer.email: d for d in moved.deliveries.select_related("volunteer")}
    assert set(deliveries) == {"camille@example.org", "dominique@example.org"}
    assert deliveries["camille@example.org"].esp_message_id == "<1@esp>"
    event = DeliveryEvent.objects.get()
    assert event.delivery == deliveries["camille@example.org"]
    assert Delivery.objects.filter(volunteer__email="dominique@example.org").get().mailing == moved
    mailing_type = ContentType.objects.get_for_model(Mailing)
    assert mailing_type.app_label == "mailings"
    assert not ContentType.objects.filter(app_label="volunteers", model="mailing").exists()
    user = get_user_model().objects.get(username="envoi")
    assert user.has_perm("mailings.send_mailing")
    assert not user.has_perm("volunteers.send_mailing")
    print("ok")


if __name__ == "__main__":
    sys.exit(main())
