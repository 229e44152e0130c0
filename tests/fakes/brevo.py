"""FakeBrevo: a stand-in for Brevo's API v3, served on 127.0.0.1, for tests and benchmarks.

Tests point the real Anymail Brevo backend (and our own calls to Brevo's API) at it::

    with FakeBrevo() as esp, override_settings(**esp.django_settings()):
        send_the_mailing()
    assert esp.delivered_to()["camille@example.org"] == 1

It behaves as Brevo's API reference says Brevo behaves, not as would suit our code. What it
models, and where Brevo documents it (read in December 2026):

``POST /v3/smtp/email`` -- https://developers.brevo.com/reference/sendtransacemail
    A single message (``to``) or a batch (``messageVersions``, at most 1,000 versions,
    https://developers.brevo.com/docs/batch-send-transactional-emails), ``{{ params.NAME }}``
    substitution, ``tags``, ``headers``. Answers 201 ``{"messageId": …}`` or, for a batch,
    ``{"messageIds": [one per version]}``.

Idempotency -- https://developers.brevo.com/docs/heterogenous-versions-batch-emails
    "The API processes a request only once per unique key, ignoring subsequent requests with
    the same key within the time-to-live (TTL) period." "The TTL for idempotencyKey is 30
    minutes." A repeated ``headers.idempotencyKey`` within the TTL is refused with
    ``400 {"code": "duplicate_parameter", …}`` and NOT processed: it does not replay the first
    answer (the first call's message ids are not given again). Past the TTL the key is
    forgotten and the same call is processed again: delivered twice. (The 2021 changelog,
    https://developers.brevo.com/changelog/email-api-now-supports-idempotency, said 15
    minutes; the current guide says 30: ``IDEMPOTENCY_TTL``.) The documentation is silent
    on the wording of the error's ``message`` (ours is made up: read the ``code``), on
    whether a refused call (400) uses up its key (here it does not: nothing was processed),
    and on what a key that is not a UUID gets (here: accepted).

An invalid address -- the reference lists 400 with ``{"code": "invalid_parameter",
    "message": "email is not valid in to"}`` (Brevo's wording as users report it, e.g.
    https://www.drupal.org/node/3546064). The reference is SILENT on what becomes of the
    other recipients of a batch that holds one invalid address, so both readings are here,
    chosen by ``invalid_in_batch``: ``"refuse_call"`` (the whole call is refused, nobody
    gets it) or ``"drop_recipient"`` (the call is accepted, the invalid recipient is not
    sent and gets an ``invalid`` event; everybody else is sent). A single message whose
    only recipient is invalid is refused either way.

429 -- https://developers.brevo.com/docs/api-limits and
    https://developers.brevo.com/docs/limit-headers: "429 Too Many Requests" with the
    headers ``x-sib-ratelimit-limit``, ``x-sib-ratelimit-remaining`` and
    ``x-sib-ratelimit-reset`` (seconds until the window resets). Brevo does not document a
    ``Retry-After`` header; ``retry_after_header=True`` adds one to test a client that
    prefers it. Nothing is processed.

``GET /v3/smtp/statistics/events`` -- https://developers.brevo.com/reference/get-email-event-report
    The transactional activity, unaggregated: ``limit`` (default 2,500), ``offset``,
    ``startDate``/``endDate`` (YYYY-MM-DD, both or neither, range at most 90 days) or
    ``days`` (not with the dates; default: the last 30 days), ``email``, ``event`` (one of
    ``EVENTS``), ``tags`` ("serialized and urlencoded array": a JSON array, or one tag or a
    comma-separated list), ``messageId``, ``templateId``, ``sort`` (``desc`` by default).
    Answers ``{"events": [{email, date, messageId, event, tag, subject, from}, …]}``; the
    schema allows ``events`` to be missing or null when nothing matches, and so the fake
    answers ``{}`` then. Every recipient Brevo accepted gets a ``requests`` event, then a
    ``delivered`` one (``deliver_events=False`` keeps only ``requests``). The reference is
    silent on how soon an event can be read after the call: here, at once.

``DELETE /v3/contacts/{identifier}`` -- https://developers.brevo.com/reference/delete-contact
    ``identifier``: the email (urlencoded) or the contact's id; ``identifierType``
    (``email_id``, ``contact_id``, ``ext_id``, ``phone_id``, ``whatsapp_id``,
    ``landline_number_id``) optional. 204 when deleted; 404 ``document_not_found`` when no
    such contact; 400 ``invalid_parameter`` for an unknown identifierType. Contacts exist
    only if a test adds them (``add_contact``): sending a transactional email does not
    create one.

``DELETE /v3/smtp/log/{identifier}`` -- https://developers.brevo.com/reference/delete-an-smtp-transactional-log
    ``identifier``: a message id ("enclosed in angle brackets with an @ sign") or an email
    address, anything else 400 ``invalid_parameter``; ``from_date``/``to_date`` narrow it.
    The reference answers "204 Transactional Logs deleted"; its guide
    (https://developers.brevo.com/docs/deleting-transactional-logs-based-on-recipient-address-to)
    speaks of an asynchronous job with a ``process_id`` that takes 24 to 48 hours. The fake
    answers 204 and forgets the events at once; it answers 404 ``document_not_found`` when no
    log matched (the reference is silent on that case). What was delivered stays in
    ``delivered``: an email cannot be unsent.

Every route needs the ``api-key`` header (401 ``unauthorized`` otherwise). A body that is
not JSON gets 400 ``bad_request``; a route not listed gets 404.

Faults, to see how our code copes with a bad day (each applies to every route unless
``path`` narrows it):

- ``latency``: seconds every request waits before it is handled;
- ``fail_next(n, status)``: the next n requests fail with that status, nothing processed;
- ``rate_limit_next(n, reset)``: the next n requests get Brevo's 429, nothing processed;
- ``timeout_next(n, delay)``: the next n requests ARE processed, and answered after
  ``delay`` seconds (past the client's time-out: a lost answer);
- ``garble_next(n, status)``: the next n answers are not JSON (an HTML page); with a 2xx
  status the call WAS processed (a truncated answer), otherwise not (a proxy's error page);
- ``outage(seconds, status)``: every request fails with that status for that long.

Time: Brevo's clock here is ``now()`` -- the wall clock given to the constructor
(``clock``, default ``time.time``) plus whatever ``advance(seconds)`` added, so that a test
passes the key's TTL or the end of an outage without sleeping.

Standard library only, so that it runs wherever the tests run.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

SEND_PATH = "/v3/smtp/email"
EVENTS_PATH = "/v3/smtp/statistics/events"
CONTACTS_PREFIX = "/v3/contacts/"
LOG_PREFIX = "/v3/smtp/log/"

MAX_MESSAGE_VERSIONS = 1000
IDEMPOTENCY_TTL = 30 * 60.0
EVENTS_DEFAULT_LIMIT = 2500
EVENTS_DEFAULT_DAYS = 30
EVENTS_MAX_DAYS = 90
# The `event` filter's values, as the reference lists them.
EVENTS = {
    "bounces",
    "hardBounces",
    "softBounces",
    "delivered",
    "spam",
    "requests",
    "opened",
    "clicks",
    "invalid",
    "deferred",
    "blocked",
    "unsubscribed",
    "error",
    "loadedByProxy",
}
IDENTIFIER_TYPES = {
    "email_id",
    "contact_id",
    "ext_id",
    "phone_id",
    "whatsapp_id",
    "landline_number_id",
}
INVALID_IN_BATCH = ("refuse_call", "drop_recipient")

# The simple form of Brevo's template language: {{ params.NAME }}, spaces optional.
_PARAM = re.compile(r"\{\{\s*params\.([A-Za-z0-9_]+)\s*\}\}")
# What the fake takes for a deliverable address: one @, something on each side, no space.
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MESSAGE_ID = re.compile(r"^<[^<>@\s]+@[^<>@\s]+>$")
_JSON = "application/json; charset=utf-8"
_GARBLED = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


@dataclass(frozen=True)
class Delivered:
    """One message as Brevo would have sent it to one recipient."""

    to: str
    subject: str
    html: str
    text: str
    headers: dict[str, str]
    message_id: str
    params: dict[str, Any]
    tags: tuple[str, ...] = ()


@dataclass
class _Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = _JSON


class _BadRequest(Exception):
    """A request Brevo refuses with a 400; args are (code, message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message


def _error(status: int, code: str, message: str, **extra: Any) -> _Answer:
    return _Answer(status, json.dumps({"code": code, "message": message}).encode(), **extra)


def _substitute(template: str, params: dict[str, Any], global_params: dict[str, Any]) -> str:
    """Replace {{ params.NAME }} by the version's value, else the global one, else "".

    Like Brevo, no escaping: the caller escapes what goes into HTML."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        found = params.get(name, global_params.get(name))
        return "" if found is None else str(found)

    return _PARAM.sub(value, template)


def _merge_headers(base: dict[str, str], override: dict[str, str]) -> dict[str, str]:
    """Top-level headers overridden by a version's headers (names compared without case)."""
    overridden = {name.lower() for name in override}
    merged = {name: value for name, value in base.items() if name.lower() not in overridden}
    merged.update(override)
    return merged


def _recipients(holder: dict[str, Any]) -> list[tuple[str, str]]:
    """The (field, address) pairs of a message or message version, in to/cc/bcc order."""
    pairs = []
    for name in ("to", "cc", "bcc"):
        entries = holder.get(name) or []
        if not isinstance(entries, list):
            raise _BadRequest("invalid_parameter", f"{name} must be a list")
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("email"), str):
                raise _BadRequest("invalid_parameter", f"email is missing in {name}")
            pairs.append((name, entry["email"]))
    return pairs


def _dict_field(holder: dict[str, Any], name: str) -> dict[str, Any]:
    value = holder.get(name) or {}
    if not isinstance(value, dict):
        raise _BadRequest("invalid_parameter", f"{name} must be an object")
    return value


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _BadRequest("invalid_parameter", f"{name} is not a valid date") from None


def _tag_filter(raw: str) -> set[str]:
    """`tags` as the reference describes it ("serialized and urlencoded array"): a JSON
    array; one tag or a comma-separated list is taken too."""
    raw = raw.strip()
    if raw.startswith("["):
        try:
            tags = json.loads(raw)
        except ValueError:
            raise _BadRequest("invalid_parameter", "tags is not valid") from None
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise _BadRequest("invalid_parameter", "tags is not valid")
        return set(tags)
    return {tag.strip() for tag in raw.split(",") if tag.strip()}


def _peek_key(raw: bytes) -> str | None:
    """The idempotency key of a send, for the record of a call that a fault stopped."""
    try:
        headers = json.loads(raw).get("headers") or {}
        return next((str(v) for k, v in headers.items() if k.lower() == "idempotencykey"), None)
    except (ValueError, AttributeError):
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Benchmarks open many connections at once; the default backlog of 5 is too small.
    request_queue_size = 256

    esp: FakeBrevo

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (read time-out) closes its socket: not an error here.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    # Keep-alive, as the real API: Anymail's requests session reuses its connection.
    protocol_version = "HTTP/1.1"
    server: _Server

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        answer = self.server.esp._handle(method, self.path, self.headers, raw)
        if answer.delay:
            # A lost answer: the work is done, the answer comes after the client gave up.
            time.sleep(answer.delay)
        try:
            self.send_response(answer.status)
            if answer.status != 204:
                self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)
            self.wfile.flush()
        except ConnectionError:
            # BrokenPipe / ConnectionReset: the client is gone (it timed out).
            self.close_connection = True

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        # No line per request: benchmarks send thousands.
        pass


@dataclass
class _Fault:
    kind: str  # "fail", "rate_limit", "timeout", "garble"
    status: int = 0
    delay: float = 0.0
    reset: int = 0
    path: str | None = None


class FakeBrevo:
    """Brevo's API v3 on 127.0.0.1, with a record of what it "delivered".

    Inspection (thread-safe, returning copies):
      ``calls``             one dict per request: time, method, path, status, versions,
                            recipients, idempotency_key, duplicate, fault, late, tags
      ``delivered``         the Delivered messages, one per recipient, in order
      ``delivered_to()``    a Counter of delivered addresses
      ``events()``          the activity log, oldest first (what the events route reads)
      ``contacts``          address -> contact id; ``add_contact(email)`` adds one
      ``deleted_contacts``, ``deleted_logs``  the identifiers of accepted DELETE calls
      ``reset()``           forget everything but the settings
    """

    def __init__(
        self,
        api_key: str = "test-key",
        *,
        latency: float = 0.0,
        idempotency_ttl: float = IDEMPOTENCY_TTL,
        invalid_in_batch: str = "refuse_call",
        deliver_events: bool = True,
        retry_after_header: bool = False,
        rate_limit: int = 1000,
        clock=time.time,
    ) -> None:
        if invalid_in_batch not in INVALID_IN_BATCH:
            raise ValueError(f"invalid_in_batch must be one of {INVALID_IN_BATCH}")
        self.api_key = api_key
        self.latency = latency
        self.idempotency_ttl = idempotency_ttl
        self.invalid_in_batch = invalid_in_batch
        self.deliver_events = deliver_events
        self.retry_after_header = retry_after_header
        self.rate_limit = rate_limit
        self._clock = clock
        self._offset = 0.0
        # Lower-case addresses Brevo takes as invalid, besides malformed ones. Mutate under
        # `with esp.lock:` if requests may be in flight.
        self.invalid_addresses: set[str] = set()
        self.contacts: dict[str, int] = {}
        self.lock = threading.Lock()

        self._calls: list[dict[str, Any]] = []
        self._delivered: list[Delivered] = []
        self._events: list[dict[str, Any]] = []
        self._deleted_contacts: list[str] = []
        self._deleted_logs: list[str] = []
        # idempotency key -> expiry on our clock; insertion order is expiry order.
        self._keys: dict[str, float] = {}
        self._faults: list[_Fault] = []
        self._outage_until = 0.0
        self._outage_status = 503

        self._sequence = itertools.count(1)
        self._contact_ids = itertools.count(1)
        # So that two fakes never hand out the same message id.
        self._tag = uuid.uuid4().hex[:8]

        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ----------------------------------------------------------------

    def start(self) -> FakeBrevo:
        if self._server is not None:
            raise RuntimeError("FakeBrevo is already started")
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.esp = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-brevo",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeBrevo:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL to give Anymail as BREVO_API_URL."""
        if self._server is None:
            raise RuntimeError("FakeBrevo is not started")
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/v3/"

    def django_settings(self, **anymail: Any) -> dict[str, Any]:
        """Settings that send through the real Anymail Brevo backend to this fake."""
        return {
            "EMAIL_BACKEND": "anymail.backends.brevo.EmailBackend",
            "ANYMAIL": {"BREVO_API_KEY": self.api_key, "BREVO_API_URL": self.url, **anymail},
        }

    # -- time ------------------------------------------------------------------------

    def now(self) -> float:
        """Brevo's clock, in seconds since the epoch."""
        return self._clock() + self._offset

    def advance(self, seconds: float) -> None:
        """Move Brevo's clock forward: keys expire, outages end, without sleeping."""
        with self.lock:
            self._offset += seconds

    # -- inspection ------------------------------------------------------------------

    @property
    def calls(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(call) for call in self._calls]

    @property
    def delivered(self) -> list[Delivered]:
        with self.lock:
            return list(self._delivered)

    def delivered_to(self) -> Counter[str]:
        with self.lock:
            return Counter(message.to for message in self._delivered)

    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [self._public_event(event) for event in self._events]

    @property
    def deleted_contacts(self) -> list[str]:
        with self.lock:
            return list(self._deleted_contacts)

    @property
    def deleted_logs(self) -> list[str]:
        with self.lock:
            return list(self._deleted_logs)

    def add_contact(self, email: str) -> int:
        with self.lock:
            contact_id = next(self._contact_ids)
            self.contacts[email.lower()] = contact_id
            return contact_id

    def reset(self) -> None:
        with self.lock:
            self._calls.clear()
            self._delivered.clear()
            self._events.clear()
            self._deleted_contacts.clear()
            self._deleted_logs.clear()
            self._keys.clear()
            self._faults.clear()
            self._outage_until = 0.0
            self.invalid_addresses.clear()
            self.contacts.clear()

    # -- faults ------------------------------------------------------------------------

    def fail_next(self, n: int = 1, status: int = 503, *, path: str | None = None) -> None:
        with self.lock:
            self._faults.extend(_Fault("fail", status=status, path=path) for _ in range(n))

    def rate_limit_next(self, n: int = 1, reset: int = 1, *, path: str | None = None) -> None:
        with self.lock:
            self._faults.extend(_Fault("rate_limit", reset=reset, path=path) for _ in range(n))

    def timeout_next(self, n: int = 1, delay: float = 2.0, *, path: str | None = None) -> None:
        with self.lock:
            self._faults.extend(_Fault("timeout", delay=delay, path=path) for _ in range(n))

    def garble_next(self, n: int = 1, status: int = 201, *, path: str | None = None) -> None:
        with self.lock:
            self._faults.extend(_Fault("garble", status=status, path=path) for _ in range(n))

    def outage(self, seconds: float, status: int = 503) -> None:
        with self.lock:
            self._outage_until = self.now() + seconds
            self._outage_status = status

    # -- request handling ------------------------------------------------------------

    def _handle(self, method: str, target: str, headers: Any, raw: bytes) -> _Answer:
        parts = urlsplit(target)
        path = parts.path
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        call: dict[str, Any] = {
            "time": self.now(),  # arrival, before any latency
            "method": method,
            "path": path,
            "status": 0,
            "versions": 0,
            "recipients": 0,
            "idempotency_key": None,
            "duplicate": False,
            "fault": None,
            "late": False,
            "tags": [],
        }
        if self.latency > 0:
            time.sleep(self.latency)

        # Injected faults come first, as from a load balancer in front of the API.
        with self.lock:
            fault = None
            for index, pending in enumerate(self._faults):
                if pending.path is None or pending.path == path:
                    fault = self._faults.pop(index)
                    break
            if fault is None and self.now() < self._outage_until:
                fault = _Fault("fail", status=self._outage_status)
        if fault is not None:
            call["fault"] = fault.kind
            call["idempotency_key"] = _peek_key(raw)
        if fault is not None and fault.kind == "fail":
            if fault.status == 429:
                return self._record(call, self._too_many(1))
            return self._record(call, _error(fault.status, "internal_error", "injected"))
        if fault is not None and fault.kind == "rate_limit":
            return self._record(call, self._too_many(fault.reset))
        if fault is not None and fault.kind == "garble" and not 200 <= fault.status < 300:
            # A proxy's error page: Brevo never saw the call.
            return self._record(call, _Answer(fault.status, _GARBLED, content_type="text/html"))

        if headers.get("api-key") != self.api_key:
            answer = _error(401, "unauthorized", "Key not found")
        else:
            try:
                answer = self._route(method, path, query, raw, call)
            except _BadRequest as err:
                answer = _error(400, err.code, err.message)
        if fault is not None and fault.kind == "timeout":
            call["late"] = True
            answer.delay = fault.delay
        if fault is not None and fault.kind == "garble":
            # Processed, but the answer is cut: not JSON.
            answer = _Answer(fault.status, _GARBLED[:20], content_type=_JSON)
        return self._record(call, answer)

    def _record(self, call: dict[str, Any], answer: _Answer) -> _Answer:
        call["status"] = answer.status
        with self.lock:
            self._calls.append(call)
        return answer

    def _too_many(self, reset: int) -> _Answer:
        headers = {
            "x-sib-ratelimit-limit": str(self.rate_limit),
            "x-sib-ratelimit-remaining": "0",
            "x-sib-ratelimit-reset": str(reset),
        }
        if self.retry_after_header:
            headers["Retry-After"] = str(reset)
        return _error(429, "too_many_requests", "Too many requests", headers=headers)

    def _route(
        self, method: str, path: str, query: dict[str, str], raw: bytes, call: dict[str, Any]
    ) -> _Answer:
        if path == SEND_PATH and method == "POST":
            try:
                data = json.loads(raw)
            except ValueError as err:  # JSONDecodeError and UnicodeDecodeError
                raise _BadRequest("bad_request", f"invalid JSON: {err}") from None
            if not isinstance(data, dict):
                raise _BadRequest("bad_request", "the body must be a JSON object")
            return self._send(data, call)
        if path == EVENTS_PATH and method == "GET":
            return self._read_events(query)
        if path.startswith(CONTACTS_PREFIX) and method == "DELETE":
            return self._delete_contact(unquote(path[len(CONTACTS_PREFIX) :]), query)
        if path.startswith(LOG_PREFIX) and method == "DELETE":
            return self._delete_log(unquote(path[len(LOG_PREFIX) :]), query)
        return _error(404, "not_found", f"no route for {method} {path}")

    # -- POST /v3/smtp/email -------------------------------------------------------------

    def _is_invalid(self, address: str) -> bool:
        return not _ADDRESS.match(address) or address.lower() in self.invalid_addresses

    def _send(self, data: dict[str, Any], call: dict[str, Any]) -> _Answer:
        messages, ids, recipients = self._render(data, call)
        key = next(
            (
                str(value)
                for name, value in _dict_field(data, "headers").items()
                if name.lower() == "idempotencykey" and value
            ),
            None,
        )
        call["idempotency_key"] = key
        tags = data.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise _BadRequest("invalid_parameter", "tags must be a list of strings")
        call["tags"] = list(tags)

        invalid = [(name, address) for name, address in recipients if self._is_invalid(address)]
        single = "messageVersions" not in data
        if invalid and (self.invalid_in_batch == "refuse_call" or single):
            raise _BadRequest("invalid_parameter", f"email is not valid in {invalid[0][0]}")
        dropped = {address for _, address in invalid}

        # Refusal of a repeated key or delivery: atomic, so that two concurrent calls with
        # one key are processed once.
        with self.lock:
            now = self.now()
            while self._keys:
                oldest = next(iter(self._keys))
                if self._keys[oldest] > now:
                    break
                del self._keys[oldest]
            if key is not None and key in self._keys:
                call["duplicate"] = True
                return _error(
                    400,
                    "duplicate_parameter",
                    "A request with this idempotencyKey was already processed",
                )
            if key is not None:
                self._keys[key] = now + self.idempotency_ttl
            stamp = datetime.fromtimestamp(now, UTC)
            for message in messages:
                if message.to in dropped:
                    self._events.append(self._event(message, "invalid", stamp))
                    continue
                self._delivered.append(message)
                self._events.append(self._event(message, "requests", stamp))
                if self.deliver_events:
                    self._events.append(self._event(message, "delivered", stamp))
        body = {"messageId": ids[0]} if single else {"messageIds": ids}
        return _Answer(201, json.dumps(body).encode())

    @staticmethod
    def _event(message: Delivered, kind: str, stamp: datetime) -> dict[str, Any]:
        return {
            "email": message.to,
            "date": stamp,
            "messageId": message.message_id,
            "event": kind,
            "tags": message.tags,
            "subject": message.subject,
            "from": "",
        }

    @staticmethod
    def _public_event(event: dict[str, Any]) -> dict[str, Any]:
        public = {k: v for k, v in event.items() if k != "tags"}
        public["date"] = event["date"].isoformat(timespec="milliseconds").replace("+00:00", "Z")
        public["tag"] = event["tags"][0] if event["tags"] else ""
        return public

    def _message_id(self) -> str:
        stamp = datetime.fromtimestamp(self.now(), UTC).strftime("%Y%m%d%H%M")
        return f"<{stamp}.{next(self._sequence):09d}.{self._tag}@fake-brevo.test>"

    def _render(
        self, data: dict[str, Any], call: dict[str, Any]
    ) -> tuple[list[Delivered], list[str], list[tuple[str, str]]]:
        """Validate a send; build what it would deliver, its message ids, and the (field,
        address) pairs of all its recipients. Outside the lock: a 1,000-version body takes
        a moment, and ids wasted on a refused call do not matter."""
        if not isinstance(data.get("sender"), dict) or not data["sender"].get("email"):
            raise _BadRequest("missing_parameter", "sender is missing")
        html = data.get("htmlContent") or ""
        text = data.get("textContent") or ""
        if not (html or text or data.get("templateId")):
            raise _BadRequest("missing_parameter", "htmlContent or textContent is missing")
        subject = data.get("subject") or ""
        headers = _dict_field(data, "headers")
        global_params = _dict_field(data, "params")
        tags = tuple(data.get("tags") or ()) if isinstance(data.get("tags"), list) else ()
        recipients = _recipients(data)

        def deliver(version: dict[str, Any], message_id: str) -> list[Delivered]:
            params = _dict_field(version, "params")
            version_subject = version.get("subject") or subject
            merged = _merge_headers(headers, _dict_field(version, "headers"))
            return [
                Delivered(
                    to=address,
                    # Brevo substitutes params in the subject too.
                    subject=_substitute(version_subject, params, global_params),
                    html=_substitute(html, params, global_params),
                    text=_substitute(text, params, global_params),
                    headers=dict(merged),
                    message_id=message_id,
                    params={**global_params, **params},
                    tags=tags,
                )
                for _, address in _recipients(version)
            ]

        if "messageVersions" in data:
            versions = data["messageVersions"]
            if not isinstance(versions, list) or not versions:
                raise _BadRequest("missing_parameter", "messageVersions is empty")
            call["versions"] = len(versions)
            if len(versions) > MAX_MESSAGE_VERSIONS:
                raise _BadRequest(
                    "bad_request",
                    f"messageVersions: at most {MAX_MESSAGE_VERSIONS} versions per call",
                )
            messages: list[Delivered] = []
            ids = []
            for version in versions:
                if not isinstance(version, dict) or not version.get("to"):
                    raise _BadRequest("missing_parameter", "to is missing in messageVersions")
                recipients.extend(_recipients(version))
                ids.append(self._message_id())
                messages.extend(deliver(version, ids[-1]))
            call["recipients"] = len(messages)
            return messages, ids, recipients

        if not data.get("to"):
            raise _BadRequest("missing_parameter", "to is missing")
        # A single send is one message, whatever the number of recipients; Brevo
        # substitutes the global params only.
        message_id = self._message_id()
        messages = deliver({**data, "params": {}, "headers": {}, "subject": subject}, message_id)
        call["recipients"] = len(messages)
        return messages, [message_id], recipients

    # -- GET /v3/smtp/statistics/events ----------------------------------------------------

    def _read_events(self, query: dict[str, str]) -> _Answer:
        def integer(name: str, default: int) -> int:
            raw = query.get(name)
            if raw is None:
                return default
            if not raw.isdigit():
                raise _BadRequest("invalid_parameter", f"{name} is not valid")
            return int(raw)

        limit = integer("limit", EVENTS_DEFAULT_LIMIT)
        offset = integer("offset", 0)
        today = datetime.fromtimestamp(self.now(), UTC).date()
        has_dates = "startDate" in query or "endDate" in query
        if has_dates and "days" in query:
            raise _BadRequest("invalid_parameter", "days is not compatible with the dates")
        if has_dates:
            if "startDate" not in query or "endDate" not in query:
                raise _BadRequest("missing_parameter", "startDate and endDate go together")
            start = _day(query["startDate"], "startDate")
            end = _day(query["endDate"], "endDate")
            if start > end:
                raise _BadRequest("invalid_parameter", "startDate is after endDate")
            if (end - start).days >= EVENTS_MAX_DAYS:
                raise _BadRequest("invalid_parameter", "the date range exceeds 90 days")
        else:
            days = integer("days", EVENTS_DEFAULT_DAYS)
            if not 0 < days <= EVENTS_MAX_DAYS:
                raise _BadRequest("invalid_parameter", "days is not valid")
            start, end = today - timedelta(days=days - 1), today
        kind = query.get("event")
        if kind is not None and kind not in EVENTS:
            raise _BadRequest("invalid_parameter", "event is not valid")
        sort = query.get("sort", "desc")
        if sort not in ("asc", "desc"):
            raise _BadRequest("invalid_parameter", "sort is not valid")
        tags = _tag_filter(query["tags"]) if "tags" in query else None
        email = query.get("email", "").lower()
        message_id = query.get("messageId")

        with self.lock:
            found = [
                event
                for event in self._events
                if start <= event["date"].date() <= end
                and (not email or event["email"].lower() == email)
                and (kind is None or event["event"] == kind)
                and (message_id is None or event["messageId"] == message_id)
                and (tags is None or tags & set(event["tags"]))
            ]
            if sort == "desc":
                found.reverse()
            page = [self._public_event(event) for event in found[offset : offset + limit]]
        return _Answer(200, json.dumps({"events": page} if page else {}).encode())

    # -- DELETE /v3/contacts/{identifier} and /v3/smtp/log/{identifier} -----------------------

    def _delete_contact(self, identifier: str, query: dict[str, str]) -> _Answer:
        kind = query.get("identifierType")
        if kind is not None and kind not in IDENTIFIER_TYPES:
            raise _BadRequest("invalid_parameter", "identifierType is not valid")
        with self.lock:
            if kind == "contact_id" or (kind is None and identifier.isdigit()):
                email = next((e for e, i in self.contacts.items() if str(i) == identifier), None)
            elif kind in (None, "email_id"):
                email = identifier.lower() if identifier.lower() in self.contacts else None
            else:
                email = None  # no ext_id, phone or WhatsApp number here
            if email is None:
                return _error(404, "document_not_found", "Contact does not exist")
            del self.contacts[email]
            self._deleted_contacts.append(identifier)
        return _Answer(204)

    def _delete_log(self, identifier: str, query: dict[str, str]) -> _Answer:
        by_message = bool(_MESSAGE_ID.match(identifier))
        if not by_message and not _ADDRESS.match(identifier):
            raise _BadRequest(
                "invalid_parameter", "identifier must be a message id or an email address"
            )
        start = _day(query["from_date"], "from_date") if "from_date" in query else date.min
        end = _day(query["to_date"], "to_date") if "to_date" in query else date.max

        def matches(event: dict[str, Any]) -> bool:
            if not start <= event["date"].date() <= end:
                return False
            if by_message:
                return event["messageId"] == identifier
            return event["email"].lower() == identifier.lower()

        with self.lock:
            kept = [event for event in self._events if not matches(event)]
            if len(kept) == len(self._events):
                return _error(404, "document_not_found", "No transactional log found")
            self._events = kept
            self._deleted_logs.append(identifier)
        return _Answer(204)
