"""A stand-in for Brevo's transactional email API (v3), served on loopback.

Tests and benchmarks point the real Anymail Brevo backend at it instead of the Internet::

    with LoopbackBrevo(api_key="test-key") as esp:
        with override_settings(
            EMAIL_BACKEND="anymail.backends.brevo.EmailBackend",
            ANYMAIL={"BREVO_API_KEY": "test-key", "BREVO_API_URL": esp.url},
        ):
            send_the_mailing()
        assert esp.delivered_to()["camille@example.org"] == 1

Only the part of the API that Anymail's backend uses is spoken: ``POST /v3/smtp/email``,
either a single message (``to``) or a batch (``messageVersions``), with Brevo's
``{{ params.NAME }}`` substitution, the ``api-key`` header and the ``idempotencyKey``
header that makes a retried call safe. Nothing leaves the machine: "delivered" messages
are recorded in ``esp.delivered`` for the test to inspect.

Faults can be injected to see how the sending code copes with a real ESP's bad days:
added latency, 5xx answers, answers that arrive after the client gave up (the call WAS
processed), an outage window, and addresses Brevo refuses.

Standard library only, so that it can run anywhere the tests run.
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
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SEND_PATH = "/v3/smtp/email"
# Brevo documents at most 1000 messageVersions per call.
MAX_MESSAGE_VERSIONS = 1000
# Brevo remembers an idempotency key for 30 minutes.
IDEMPOTENCY_TTL = 30 * 60.0

# The simple form of Brevo's template language: {{ params.NAME }}, spaces optional.
_PARAM = re.compile(r"\{\{\s*params\.([A-Za-z0-9_]+)\s*\}\}")


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


class _BadRequest(Exception):
    """A request Brevo would refuse with a 400; args are (code, message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message


def _json_body(code: str, message: str) -> bytes:
    return json.dumps({"code": code, "message": message}).encode()


def _substitute(template: str, params: dict[str, Any], global_params: dict[str, Any]) -> str:
    """Replace {{ params.NAME }} by the version's value, else the global one, else "".

    Like Brevo, no escaping: the caller escapes what goes into HTML.
    """

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
    for field in ("to", "cc", "bcc"):
        entries = holder.get(field) or []
        if not isinstance(entries, list):
            raise _BadRequest("invalid_parameter", f"{field} must be a list")
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("email"), str):
                raise _BadRequest("invalid_parameter", f"email is missing in {field}")
            pairs.append((field, entry["email"]))
    return pairs


def _dict_field(holder: dict[str, Any], name: str) -> dict[str, Any]:
    value = holder.get(name) or {}
    if not isinstance(value, dict):
        raise _BadRequest("invalid_parameter", f"{name} must be an object")
    return value


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Benchmarks open many connections at once; the default backlog of 5 is too small.
    request_queue_size = 256

    esp: LoopbackBrevo

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (read time-out) closes its socket: not an error here.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    # Keep-alive, as the real API: Anymail's requests session reuses its connection.
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, body, delay = self.server.esp._handle(self.path, self.headers, raw)
        if delay:
            # timeout_next: the work is done, the answer comes too late.
            time.sleep(delay)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except ConnectionError:
            # BrokenPipe / ConnectionReset: the client is gone (it timed out).
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        # No line per request: benchmarks send thousands.
        pass


class LoopbackBrevo:
    """Brevo's send endpoint on 127.0.0.1, with a record of what it "delivered".

    Inspection (all thread-safe, returning copies):
      ``calls``          one dict per request: time, path, versions, recipients, status,
                         idempotency_key, replay, injected, late
      ``delivered``      the Delivered messages, one per recipient, in order
      ``delivered_to()`` a Counter of delivered addresses
      ``reset()``        forget calls, deliveries, idempotency keys, pending faults and
                         rejected addresses

    Faults:
      ``latency``               seconds every request waits before it is answered
      ``reject_addresses``      lower-case addresses; a call naming one is refused whole (400)
      ``fail_next(n, status)``  the next n requests fail with that status, nothing delivered
      ``timeout_next(n, delay)`` the next n requests are delivered but answered after delay
      ``outage(seconds, status)`` every request in the next seconds fails with that status
    """

    def __init__(
        self,
        api_key: str = "test-key",
        latency: float = 0.0,
        idempotency_ttl: float = IDEMPOTENCY_TTL,
    ) -> None:
        self.api_key = api_key
        self.latency = latency
        self.idempotency_ttl = idempotency_ttl
        # Mutate under `with esp.lock:` if requests may be in flight.
        self.reject_addresses: set[str] = set()
        self.lock = threading.Lock()

        self._calls: list[dict[str, Any]] = []
        self._delivered: list[Delivered] = []
        # idempotency key -> (monotonic expiry, status, response body)
        self._idempotency: dict[str, tuple[float, int, bytes]] = {}
        self._fail: list[int] = []  # statuses of the next injected failures
        self._timeouts: list[float] = []  # delays of the next late answers
        self._outage_until = 0.0
        self._outage_status = 503

        # Message ids: a counter, plus a tag so two servers never hand out the same id.
        self._sequence = itertools.count(1)
        self._tag = uuid.uuid4().hex[:8]

        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ------------------------------------------------------------

    def start(self) -> LoopbackBrevo:
        if self._server is not None:
            raise RuntimeError("LoopbackBrevo is already started")
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.esp = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="loopback-brevo",
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

    def __enter__(self) -> LoopbackBrevo:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL to give Anymail as BREVO_API_URL."""
        if self._server is None:
            raise RuntimeError("LoopbackBrevo is not started")
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/v3/"

    # -- inspection ------------------------------------------------------------

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

    def reset(self) -> None:
        with self.lock:
            self._calls.clear()
            self._delivered.clear()
            self._idempotency.clear()
            self._fail.clear()
            self._timeouts.clear()
            self._outage_until = 0.0
            self.reject_addresses.clear()

    # -- fault injection -------------------------------------------------------

    def fail_next(self, n: int = 1, status: int = 503) -> None:
        with self.lock:
            self._fail.extend([status] * n)

    def timeout_next(self, n: int = 1, delay: float = 2.0) -> None:
        with self.lock:
            self._timeouts.extend([delay] * n)

    def outage(self, seconds: float, status: int = 503) -> None:
        with self.lock:
            self._outage_until = time.monotonic() + seconds
            self._outage_status = status

    # -- request handling ------------------------------------------------------

    def _handle(self, path: str, headers: Any, raw: bytes) -> tuple[int, bytes, float]:
        """Answer one request: (status, body, seconds to wait before writing it)."""
        call: dict[str, Any] = {
            "time": time.time(),  # arrival, before any latency
            "path": path,
            "versions": 0,
            "recipients": 0,
            "status": 0,
            "idempotency_key": None,
            "replay": False,
            "injected": False,
            "late": False,
        }
        if self.latency > 0:
            time.sleep(self.latency)

        if path.split("?", 1)[0] != SEND_PATH:
            return self._answer(call, 404, _json_body("not_found", f"no route for {path}"))

        # Injected failures come first, as from a load balancer in front of the API.
        # A failing request does not use up a pending timeout_next.
        delay = 0.0
        with self.lock:
            injected = None
            if self._fail:
                injected = self._fail.pop(0)
            elif time.monotonic() < self._outage_until:
                injected = self._outage_status
            elif self._timeouts:
                delay = self._timeouts.pop(0)
        if injected is not None:
            call["injected"] = True
            return self._answer(call, injected, _json_body("internal_error", "injected"))
        call["late"] = bool(delay)

        if headers.get("api-key") != self.api_key:
            return self._answer(call, 401, _json_body("unauthorized", "Key not found"), delay)

        try:
            data = json.loads(raw)
        except ValueError as err:  # json.JSONDecodeError and UnicodeDecodeError
            return self._answer(call, 400, _json_body("bad_request", f"invalid JSON: {err}"), delay)
        try:
            if not isinstance(data, dict):
                raise _BadRequest("bad_request", "the body must be a JSON object")
            messages, response, recipients = self._render(data, call)
            key = self._idempotency_key(data)
        except _BadRequest as err:
            return self._answer(call, 400, _json_body(err.code, err.message), delay)
        call["idempotency_key"] = key

        # Replay, refusal or delivery: atomic, so two concurrent calls with one key
        # deliver once.
        with self.lock:
            now = time.monotonic()
            # Forget expired keys. Insertion order is expiry order (one TTL for all), so
            # stop at the first live one: no full scan per request in long benchmarks.
            while self._idempotency:
                oldest = next(iter(self._idempotency))
                if self._idempotency[oldest][0] > now:
                    break
                del self._idempotency[oldest]
            if key is not None and key in self._idempotency:
                _, status, body = self._idempotency[key]
                call["replay"] = True
                return self._answer_locked(call, status, body, delay)

            for field, address in recipients:
                if address.lower() in self.reject_addresses:
                    body = _json_body(
                        "invalid_parameter", f"email is not valid in {field}: {address}"
                    )
                    return self._answer_locked(call, 400, body, delay)

            body = json.dumps(response).encode()
            self._delivered.extend(messages)
            if key is not None:
                self._idempotency[key] = (now + self.idempotency_ttl, 201, body)
            return self._answer_locked(call, 201, body, delay)

    def _answer(
        self, call: dict[str, Any], status: int, body: bytes, delay: float = 0.0
    ) -> tuple[int, bytes, float]:
        with self.lock:
            return self._answer_locked(call, status, body, delay)

    def _answer_locked(
        self, call: dict[str, Any], status: int, body: bytes, delay: float = 0.0
    ) -> tuple[int, bytes, float]:
        call["status"] = status
        self._calls.append(call)
        return status, body, delay

    @staticmethod
    def _idempotency_key(data: dict[str, Any]) -> str | None:
        for name, value in _dict_field(data, "headers").items():
            if name.lower() == "idempotencykey" and value:
                return str(value)
        return None

    def _message_id(self) -> str:
        stamp = time.strftime("%Y%m%d%H%M")
        return f"<{stamp}.{next(self._sequence):09d}.{self._tag}@loopback>"

    def _render(
        self, data: dict[str, Any], call: dict[str, Any]
    ) -> tuple[list[Delivered], dict[str, Any], list[tuple[str, str]]]:
        """Validate a request; build what it would deliver, the success answer, and the
        (field, address) pairs of all its recipients (for reject_addresses).

        Done outside the lock (a 1000-version body takes a moment); ids wasted on a
        request that ends up refused or replayed do not matter.
        """
        if not isinstance(data.get("sender"), dict) or not data["sender"].get("email"):
            raise _BadRequest("missing_parameter", "sender is missing")
        html = data.get("htmlContent") or ""
        text = data.get("textContent") or ""
        if not (html or text or data.get("templateId")):
            raise _BadRequest("missing_parameter", "htmlContent or textContent is missing")
        subject = data.get("subject") or ""
        headers = _dict_field(data, "headers")
        global_params = _dict_field(data, "params")
        # Top-level cc/bcc of a batch are only checked against reject_addresses.
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
            return messages, {"messageIds": ids}, recipients

        if not data.get("to"):
            raise _BadRequest("missing_parameter", "to is missing")
        # A single send is one message, whatever the number of recipients; Brevo
        # substitutes the global params only.
        message_id = self._message_id()
        messages = deliver({**data, "params": {}, "headers": {}, "subject": subject}, message_id)
        call["recipients"] = len(messages)
        return messages, {"messageId": message_id}, recipients
