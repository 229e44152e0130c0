"""The ESP's tracking events (delivered, bounced, complained, unsubscribed), applied to
the deliveries; a hard bounce, a complaint or an unsubscribe suppresses the volunteer, for a
transactional email too."""

import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from anymail.signals import EventType

from volunteers.models import Volunteer
from volunteers.models.volunteers import email_hash_from_legacy
from volunteers.services import volunteer_suppress

from ..models import Delivery, DeliveryEvent

# Anymail's normalised events that change a delivery, and the volunteer status they set.
TRACKED = {
    EventType.DELIVERED: (Delivery.Status.DELIVERED, None),
    EventType.BOUNCED: (Delivery.Status.BOUNCED, Volunteer.Status.BOUNCED),
    EventType.REJECTED: (Delivery.Status.BOUNCED, Volunteer.Status.BOUNCED),
    EventType.COMPLAINED: (Delivery.Status.COMPLAINED, Volunteer.Status.COMPLAINED),
    EventType.UNSUBSCRIBED: (Delivery.Status.UNSUBSCRIBED, Volunteer.Status.UNSUBSCRIBED),
}
# ESP event names that Anymail reports as "bounced" but that are temporary.
SOFT_BOUNCES = {"soft_bounce"}


def _event_key(event) -> str:
    if event.event_id:
        raw = f"id:{event.event_id}"
    else:
        stamp = event.timestamp.isoformat() if event.timestamp else ""
        esp_type = event.esp_event.get("event", "") if isinstance(event.esp_event, dict) else ""
        raw = f"{event.message_id}|{event.event_type}|{esp_type}|{stamp}|{event.recipient}"
    # Keyed, like the suppression marker: without an event id the raw line holds the
    # recipient's address, and a plain SHA-256 of it would let anyone holding the address
    # find that person's events after an erasure (migration 0004 re-keys older rows).
    return email_hash_from_legacy(hashlib.sha256(raw.encode()).hexdigest())


def _delivery_of(event) -> Delivery | None:
    delivery_id = (event.metadata or {}).get("delivery")
    qs = Delivery.objects.select_related("volunteer")
    if delivery_id and str(delivery_id).isdigit():
        found = qs.filter(pk=int(delivery_id)).first()
        if found is not None:
            return found
    if event.message_id:
        return qs.filter(esp_message_id=event.message_id).first()
    return None


def tracking_event_record(*, event) -> bool:
    """Apply one tracking event from the ESP (an Anymail `AnymailTrackingEvent`): move the
    delivery forward and, for a hard bounce, a complaint or an unsubscribe, stop emailing
    the volunteer at once. A replayed event changes nothing. Returns True when applied."""
    esp_type = event.esp_event.get("event") if isinstance(event.esp_event, dict) else None
    if event.event_type not in TRACKED or esp_type in SOFT_BOUNCES:
        return False  # opens, clicks, deferrals: not recorded
    delivery_status, volunteer_status = TRACKED[event.event_type]
    delivery = _delivery_of(event)
    try:
        with transaction.atomic():
            DeliveryEvent.objects.create(
                key=_event_key(event),
                delivery=delivery,
                event_type=str(event.event_type),
                occurred_at=event.timestamp,
            )
    except IntegrityError:
        return False  # seen before
    if delivery is not None:
        lower = [s for s, rank in Delivery.RANK.items() if rank < Delivery.RANK[delivery_status]]
        Delivery.objects.filter(pk=delivery.pk, status__in=lower).update(
            status=delivery_status, event_at=event.timestamp or timezone.now()
        )
        volunteer = delivery.volunteer
    else:
        # A transactional email (the confirmation, the welcome): find the person by address.
        volunteer = (
            Volunteer.objects.filter(email=(event.recipient or "").strip().lower()).first()
            if event.recipient
            else None
        )
    if volunteer_status and volunteer is not None:
        volunteer_suppress(volunteer=volunteer, status=volunteer_status)
    return True
