"""What the mailings app keeps about a person, for the registry in campaign/personal_data.py:
the deliveries of campaign emails to them and the ESP's tracking events about those.

Erasure unlinks: each delivery loses its volunteer, its ESP message id (the key to the ESP's
own logs of that email) and its error text (which may quote the address); a pending one is
marked "not sent". The rows stay, with their status and dates, for the mailing's figures:
nothing in them leads back to anyone. Their tracking events are deleted: they are only the
webhooks' replay guard (a replayed event later finds an unlinked delivery and changes nothing
that names anyone); their keys are keyed hashes (services/tracking.py), so the events of
transactional emails, which no delivery ties to a person, lead to nobody either.

Then the ESP is asked to forget the address (services/forget.py), from a task: the address
waits in an `EspForgetRequest` row until the ESP has answered, and the task's arguments carry
only that row's id, so no task result ever holds the address."""

import logging

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from campaign.personal_data import Person, Section, iso

from .models import Delivery, DeliveryEvent, EspForgetRequest
from .services.forget import esp_forget_enqueue, esp_forget_supported

logger = logging.getLogger(__name__)


def export(person: Person) -> list[Section]:
    if person.volunteer_id is None:
        return []
    deliveries = list(
        Delivery.objects.filter(volunteer_id=person.volunteer_id)
        .select_related("mailing")
        .order_by("pk")
    )
    events = (
        DeliveryEvent.objects.filter(delivery__in=[d.pk for d in deliveries])
        .select_related("delivery__mailing")
        .order_by("occurred_at", "pk")
    )
    return [
        Section(
            key="deliveries",
            title=_("Les e-mails de la campagne qui vous ont été envoyés"),
            columns={
                "mailing": _("E-mail"),
                "status": _("État"),
                "sent_at": _("Envoyé le"),
                "event_at": _("Dernier événement le"),
            },
            rows=[
                {
                    "mailing": d.mailing.sent_subject or d.mailing.subject,
                    "status": d.status,
                    "sent_at": iso(d.sent_at),
                    "event_at": iso(d.event_at),
                }
                for d in deliveries
            ],
            choices={"status": dict(Delivery.Status.choices)},
        ),
        Section(
            key="tracking_events",
            title=_("Ce que le prestataire d'envoi nous a signalé"),
            columns={
                "mailing": _("E-mail"),
                "event": _("Événement"),
                "occurred_at": _("Date"),
            },
            rows=[
                {
                    "mailing": e.delivery.mailing.sent_subject or e.delivery.mailing.subject,
                    "event": e.event_type,
                    "occurred_at": iso(e.occurred_at),
                }
                for e in events
            ],
        ),
    ]


def erase(person: Person) -> None:
    if person.volunteer_id is not None:
        deliveries = Delivery.objects.filter(volunteer_id=person.volunteer_id)
        # The events are only the webhooks' replay guard: the figures live on the delivery's
        # status.
        DeliveryEvent.objects.filter(delivery__in=deliveries).delete()
        deliveries.filter(status=Delivery.Status.PENDING).update(status=Delivery.Status.SKIPPED)
        deliveries.update(volunteer=None, esp_message_id="", error="")
    if not person.email:
        return
    if not esp_forget_supported():
        logger.info("mailings: erasure: the ESP was not asked to forget the address (not Brevo)")
        return
    request = EspForgetRequest.objects.create(email=person.email)
    transaction.on_commit(lambda: esp_forget_enqueue(request_id=request.pk))
