"""The mailings moved from `volunteers` to their own app without losing anything: a database
at the last migration before the move, with a mailing, its deliveries, a tracking event and
a group allowed to send, migrated to the latest state, still has every row, every link and
the group's permission (now `mailings.send_mailing`)."""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations.special import RunPython

import pytest

from mailings.models import Delivery, DeliveryEvent, Mailing

BEFORE_THE_MOVE = [("volunteers", "0007_emailtemplate_body_paragraphs")]


def _executor():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


def _allow_going_back(executor, targets, monkeypatch):
    """Later migrations that cannot be undone (a one-way data conversion) are stepped back
    over without undoing them: the data this test writes is made after they are undone."""
    for migration, backwards in executor.migration_plan(targets):
        if not backwards:
            continue
        for operation in migration.operations:
            if isinstance(operation, RunPython) and operation.reverse_code is None:
                monkeypatch.setattr(operation, "reverse_code", RunPython.noop)


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_rows_links_and_group_permissions(monkeypatch, settings):
    settings.SUPPRESSION_HASH_KEY = "test-key-for-the-migration"
    executor = _executor()
    latest = executor.loader.graph.leaf_nodes()
    _allow_going_back(executor, BEFORE_THE_MOVE, monkeypatch)
    try:
        executor.migrate(BEFORE_THE_MOVE)
        ContentType.objects.clear_cache()
        old = executor.loader.project_state(BEFORE_THE_MOVE).apps
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
    finally:
        # Whatever happens, the database goes back to the latest state for the other tests.
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
