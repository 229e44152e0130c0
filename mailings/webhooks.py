"""The ESP's tracking webhooks. Anymail checks the shared secret (HTTP basic auth with
ANYMAIL["WEBHOOK_SECRET"]) and normalises the events; `tracking_event_record` applies them.

Brevo's view is Anymail's own, made stricter:
- it fails closed: with no secret configured it refuses every post (Anymail would accept
  anyone's, with a warning); production requires the secret whatever EMAIL_BACKEND is;
- a malformed body (not UTF-8, not JSON, nested deeper than a Brevo event ever is, not an
  object, a field of the wrong type such as an `email` that is not a string) answers 400 with
  a short message and changes nothing, instead of a 500 an ESP would retry for days.
Other ESPs use Anymail's views as they are (`anymail/<esp>/tracking/`)."""

import json

from django.http import HttpResponseBadRequest

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.webhooks.brevo import BrevoTrackingWebhookView

from . import services

MAX_DEPTH = 4  # a Brevo event is one object whose values are scalars or a list of tags
STRING_FIELDS = ("event", "email", "message-id", "X-Mailin-custom", "tag", "reason", "link")


class MalformedPayload(ValueError):
    pass


def _depth(value, limit):
    """How deep `value` nests, counted without recursion (stops past `limit`)."""
    stack, deepest = [(value, 1)], 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


def payload_check(body: bytes) -> dict:
    """The Brevo event in `body`, or MalformedPayload with a short reason (never the body:
    it holds an address)."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise MalformedPayload("not a JSON document") from error
    if not isinstance(payload, dict):
        raise MalformedPayload("the event is not an object")
    if _depth(payload, MAX_DEPTH) > MAX_DEPTH:
        raise MalformedPayload("nested too deep")
    for name in STRING_FIELDS:
        if name in payload and payload[name] is not None and not isinstance(payload[name], str):
            raise MalformedPayload(f"{name} is not a string")
    for name in STRING_FIELDS:
        if "\x00" in (payload.get(name) or ""):
            raise MalformedPayload(f"{name} holds a NUL character")
    if payload.get("X-Mailin-custom"):
        try:
            custom = json.loads(payload["X-Mailin-custom"])
        except (ValueError, RecursionError) as error:
            raise MalformedPayload("X-Mailin-custom is not a JSON object") from error
        if not isinstance(custom, dict):
            raise MalformedPayload("X-Mailin-custom is not a JSON object")
        delivery = custom.get("delivery")
        if delivery is not None and not (
            isinstance(delivery, str | int)
            and not isinstance(delivery, bool)
            and str(delivery).isascii()
            and str(delivery).isdigit()
            and len(str(delivery)) <= 18
        ):
            raise MalformedPayload("the delivery is not an identifier")
    ts = payload.get("ts_epoch")
    if ts is not None and (isinstance(ts, bool) or not isinstance(ts, int | float)):
        raise MalformedPayload("ts_epoch is not a number")
    tags = payload.get("tags")
    if tags is not None and not (
        isinstance(tags, list) and all(isinstance(tag, str) for tag in tags)
    ):
        raise MalformedPayload("tags is not a list of strings")
    return payload


class TrackingWebhookView(BrevoTrackingWebhookView):
    def validate_request(self, request):
        if not self.basic_auth:
            # Fail closed: no secret configured, nobody is believed.
            raise AnymailWebhookValidationFailure("Brevo tracking webhook without a secret")
        super().validate_request(request)

    def post(self, request, *args, **kwargs):
        self.run_validators(request)  # authentication first: 400 before reading the body
        try:
            payload_check(request.body)
        except MalformedPayload as error:
            return HttpResponseBadRequest(
                f"Malformed Brevo tracking event: {error}.", content_type="text/plain"
            )
        return super().post(request, *args, **kwargs)

    def parse_events(self, request):
        try:
            events = super().parse_events(request)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            # A SuspiciousOperation: Django answers 400. The body is not logged: it holds
            # an address.
            raise AnymailWebhookValidationFailure("Malformed Brevo tracking payload") from error
        return events


def tracking_received(sender, event, esp_name, **kwargs):
    """Anymail's `tracking` signal: hand the event to the service, nothing more."""
    services.tracking_event_record(event=event)
