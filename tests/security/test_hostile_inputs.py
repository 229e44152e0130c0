"""The hostile-input battery: every public form field and URL parameter, in French and in
English, receives every payload of tests/security/payloads.py (XSS with `javascript:` and SVG,
1 MB values, NUL bytes, CRLF, look-alike unicode, SQL-ish strings, template syntax, broken
encodings), the other fields valid.

For each form: no response >= 500, no unescaped reflection of a payload in any HTML response
(nor an injected header, an open or `javascript:` redirect, the secret key), nothing stored
that should not be (a refused post stores no row; a stored row holds no control character, no
value over its field's length, no file the server did not name), and the pages that show what
was stored (public, and the admin as a superuser) escape it.

Production-like: DEBUG False, `Client(raise_request_exception=False)` so that a 500 is counted,
not raised. The rate limits are raised (conftest.py): the battery tests the forms, not the
limiter. Each test writes its counts to var/security/battery.json; `python -m tests.security.
report` prints the table of docs/SECURITY.md from it."""

import csv
import io
import json
import math
import os
import re
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote, quote_plus, urlsplit

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from wagtail.models import Locale

import pytest
from PIL import Image

from .payloads import ALL, XSS, Payload, Raw, find_danger

# SECURITY_BATTERY_REPORT: another file (two runs at once, e.g. SQLite and PostgreSQL).
REPORT = Path(
    os.environ.get("SECURITY_BATTERY_REPORT")
    or Path(settings.BASE_DIR) / "var" / "security" / "battery.json"
)
ORIGINAL_RATE_LIMITS = dict(getattr(settings, "RATE_LIMITS", {}))
LANGUAGES = ("fr", "en")
HTML_TYPES = ("html", "xml")
SINGLE_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
ANY_NUL = re.compile(r"\x00")
SERVER_CHOSEN_EXTENSIONS = {"jpg", "jpeg", "png", "webp", "gif", "pdf"}
# Requests per form, roughly (each form gets at least 200: see Battery.assert_clean).
BUDGET = 260
SECONDARY = 80  # for a form's other parameters (its GET search, its tokens)
RUNNABLE_EXTENSIONS = {"html", "htm", "xhtml", "svg", "svgz", "xml", "js", "mjs", "php", "shtml"}

pytestmark = pytest.mark.django_db


# Requests -------------------------------------------------------------------------------------


class Shot:
    """One request: a payload in one field, the other fields valid."""

    def __init__(self, *, field, payload, lang, method, path, pairs=(), multipart=None, **extra):
        self.field = field
        self.payload = payload
        self.lang = lang
        self.method = method
        self.path = path
        self.pairs = list(pairs)
        self.multipart = multipart  # a dict for a multipart body, else None
        self.extra = extra  # body=, content_type=, headers as WSGI keys


def urlencode_pairs(pairs):
    parts = []
    for name, value in pairs:
        if isinstance(value, Raw):
            parts.append(f"{quote_plus(name)}={value.encoded}")
        else:
            parts.append(f"{quote_plus(name)}={quote_plus(str(value))}")
    return "&".join(parts)


def path_segment(value):
    """A payload as one path segment (a Raw one as it is)."""
    if isinstance(value, Raw):
        return value.encoded
    return quote(str(value), safe="")


def with_payload(valid, field, payload):
    """The valid pairs with `field` replaced by the payload."""
    pairs = [(name, value) for name, value in valid if name != field]
    pairs.append((field, payload.value))
    return pairs


def wsgi_header(value):
    """A header as a client sends it (UTF-8 bytes), as WSGI hands it over (latin-1 text)."""
    if isinstance(value, Raw):
        return value.as_bytes().decode("latin-1")
    return str(value).encode("utf-8", "surrogatepass").decode("latin-1")


def multipart_value(value):
    return value.as_bytes() if isinstance(value, Raw) else value


def send(client, shot):
    """One request in its own savepoint: on PostgreSQL a query that failed inside a view
    aborts the transaction, and the next requests of the battery must still run."""
    response = None
    try:
        with transaction.atomic():
            response = _send(client, shot)
    except DatabaseError:
        pass  # the savepoint is rolled back; the response (a 500) was already made
    return response


def _send(client, shot):
    extra = dict(shot.extra)
    if shot.method == "GET":
        query = urlencode_pairs(shot.pairs)
        return client.generic("GET", shot.path + ("?" + query if query else ""), **extra)
    if shot.multipart is not None:
        return client.post(shot.path, shot.multipart, **extra)
    body = extra.pop("body", None)
    if body is None:
        body = urlencode_pairs(shot.pairs).encode("ascii")
    content_type = extra.pop("content_type", "application/x-www-form-urlencoded")
    return client.generic(shot.method, shot.path, body, content_type=content_type, **extra)


def where_it_failed(exc_info):
    """The exception, and the last line of the project's own code it went through."""
    _type, error, trace = exc_info
    frames = traceback.extract_tb(trace)
    project = str(settings.BASE_DIR)
    own = [f for f in frames if f.filename.startswith(project) and "/.venv/" not in f.filename]
    where = own[-1] if own else frames[-1]
    filename = where.filename.removeprefix(project + "/")
    at = f"{filename}:{where.lineno} in {where.name}: {where.line}"
    return f"{type(error).__name__}: {error} (at {at})"


def safe_redirect(location):
    """A redirect that stays on the site: a path (relative or absolute), or this host. Read
    as a browser reads it: surrounding blanks and tabs or line breaks ignored, a backslash
    taken for a slash (`/\\evil.example` is `//evil.example`)."""
    candidate = re.sub(r"[\t\r\n]", "", location.strip()).replace("\\", "/")
    parts = urlsplit(candidate)
    if parts.scheme and parts.scheme.lower() not in ("http", "https"):
        return False
    return not parts.netloc or parts.netloc.lower() == "testserver"


def body_text(response):
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


# Checking and counting --------------------------------------------------------------------------


class Battery:
    """The results of one form: counts per class of input, and every failure."""

    def __init__(self, form):
        self.form = form
        self.requests = 0
        self.by_class = defaultdict(lambda: {"requests": 0, "statuses": Counter()})
        self.fields = set()
        self.languages = Counter()
        self.failures = []
        self.reflections = 0
        self.rows = {}
        self.seconds = Counter()
        self.by_field = defaultdict(Counter)
        self.form_post = False  # True: a POST is either accepted (3xx) or refused (4xx)

    def fail(self, shot, problem, detail=""):
        self.failures.append(
            {
                "form": self.form,
                "field": shot.field,
                "class": shot.payload.kind,
                "payload": shot.payload.name,
                "lang": shot.lang,
                "method": shot.method,
                "path": shot.path[:120],
                "problem": problem,
                "detail": detail[:600],
            }
        )

    def fire(self, client, shot, capture=None):
        """Send one request (and, with `capture`, run what waits for the commit: the emails
        the request queues), then check its response."""
        started = time.perf_counter()
        if capture is None:
            response = send(client, shot)
        else:
            with capture(execute=True):
                response = send(client, shot)
        self.seconds[shot.payload.kind] += time.perf_counter() - started
        self.check(shot, response)
        return response

    def check(self, shot, response):
        self.requests += 1
        self.fields.add(shot.field)
        self.languages[shot.lang] += 1
        counts = self.by_class[shot.payload.kind]
        counts["requests"] += 1
        counts["statuses"][f"{response.status_code // 100}xx"] += 1
        self.by_field[shot.field][str(response.status_code)] += 1
        if response.status_code >= 500:
            detail = ""
            if getattr(response, "exc_info", None):
                detail = where_it_failed(response.exc_info)
            self.fail(shot, f"status {response.status_code}", detail)
        for header, value in response.items():
            if header.lower().startswith("x-tvx") or "tvx" in header.lower():
                self.fail(shot, "injected header", f"{header}: {value}")
        for name in response.cookies:
            if "tvx" in name.lower():
                self.fail(shot, "injected cookie", name)
        location = response.get("Location", "")
        if location and not safe_redirect(location):
            self.fail(shot, "unsafe redirect", location[:200])
        content_type = response.get("Content-Type", "")
        if any(kind in content_type for kind in HTML_TYPES) or not content_type:
            text = body_text(response)
            match = find_danger(text)
            if match:
                self.reflections += 1
                start = max(match.start() - 80, 0)
                self.fail(
                    shot,
                    "unescaped reflection",
                    f"{content_type}: …{text[start : match.end() + 40]}…",
                )
            if settings.SECRET_KEY in text:
                self.fail(shot, "secret key in the page")
        if self.form_post and shot.method == "POST" and 200 <= response.status_code < 300:
            # A form sent back to be corrected: the project answers bad input with a 4xx.
            self.fail(shot, f"refused with {response.status_code} (expected 4xx)")
        return response

    def look(self, client, path, what):
        """A page that shows what was stored: escaped, and no 500."""
        shot = Shot(field=what, payload=DISPLAY, lang="fr", method="GET", path=path)
        response = client.get(path)
        self.check(shot, response)
        return response

    def as_json(self):
        return {
            "requests": self.requests,
            "fields": sorted(self.fields),
            "languages": dict(self.languages),
            "classes": {
                kind: {"requests": c["requests"], "statuses": dict(sorted(c["statuses"].items()))}
                for kind, c in sorted(self.by_class.items())
            },
            "reflections": self.reflections,
            "seconds_in_requests": {k: round(v, 1) for k, v in sorted(self.seconds.items())},
            "rows": self.rows,
            "statuses_by_field": {k: dict(v) for k, v in sorted(self.by_field.items())},
            "failures": len(self.failures),
            "failure_kinds": dict(
                Counter(
                    f"{f['field']} · {f['class']} · {f['problem']}" for f in self.failures
                ).most_common()
            ),
            "failure_samples": self.failures[:40],
        }

    def summary(self):
        lines = [f"{self.form}: {len(self.failures)} failures in {self.requests} requests"]
        seen = set()
        for failure in self.failures:
            key = (failure["field"], failure["class"], failure["problem"])
            if key in seen:
                continue
            seen.add(key)
            lines.append(
                "  {field} [{class}/{payload}, {lang}, {method} {path}]: {problem} {detail}".format(
                    **failure
                )
            )
            if len(seen) > 25:
                lines.append("  …")
                break
        return "\n".join(lines)

    def assert_clean(self, minimum=200):
        _record(self)
        assert self.requests >= minimum, f"{self.form}: only {self.requests} requests"
        assert not self.failures, self.summary()


DISPLAY = Payload("display", "stored-values", "")
_RESULTS = {}


def _record(battery):
    _RESULTS[battery.form] = battery.as_json()
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    existing = {}
    if REPORT.exists():
        try:
            existing = json.loads(REPORT.read_text())
        except ValueError:
            existing = {}
    existing.update(_RESULTS)
    REPORT.write_text(json.dumps(existing, indent=1, ensure_ascii=False, sort_keys=True) + "\n")


def new_rows(model, before_pk):
    return model.objects.filter(pk__gt=before_pk).order_by("pk")


def last_pk(model):
    row = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return row or 0


def check_rows(battery, model, before_pk, *, single_line=(), multi_line=()):
    """What was stored: no NUL anywhere, no control character in a one-line field, nothing
    longer than its field allows."""
    rows = list(new_rows(model, before_pk))
    battery.rows[model._meta.label] = len(rows)
    for row in rows:
        for name in (*single_line, *multi_line):
            value = getattr(row, name) or ""
            value = str(value)
            pattern = SINGLE_LINE_CONTROL if name in single_line else ANY_NUL
            field = model._meta.get_field(name)
            shot = Shot(field=name, payload=DISPLAY, lang="-", method="DB", path=str(row.pk))
            if pattern.search(value):
                battery.fail(shot, "control character stored", repr(value[:80]))
            max_length = getattr(field, "max_length", None)
            if max_length and len(value) > max_length:
                battery.fail(shot, f"stored {len(value)} characters (max {max_length})")
    return rows


def check_export(battery, client, url, what):
    """A CSV export of what was stored: no cell a spreadsheet would run as a formula."""
    shot = Shot(field=what, payload=DISPLAY, lang="fr", method="GET", path=url)
    response = client.get(url)
    battery.check(shot, response)
    if response.status_code != 200 or "csv" not in response.get("Content-Type", ""):
        battery.fail(shot, f"no CSV export ({response.status_code} {response.get('Content-Type')})")
        return
    text = body_text(response)
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    battery.rows[f"{what} cells"] = len(cells)
    for cell in cells:
        if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
            battery.fail(shot, "formula left in an export", cell[:80])


def check_emails(battery):
    """The emails the battery's requests sent: no header broken by a CRLF payload, no
    payload unescaped in an HTML part."""
    from django.core import mail

    battery.rows["emails sent"] = len(mail.outbox)
    for index, message in enumerate(mail.outbox):
        shot = Shot(field="email", payload=DISPLAY, lang="-", method="MAIL", path=str(index))
        built = message.message()
        for header, value in built.items():
            if "tvx" in header.lower() or header.lower() == "bcc":
                battery.fail(shot, "header injected into an email", f"{header}: {value}")
        for alternative, mimetype in getattr(message, "alternatives", []):
            if "html" in mimetype:
                match = find_danger(str(alternative))
                if match:
                    battery.reflections += 1
                    battery.fail(shot, "unescaped payload in an email", match.group(0)[:120])


def check_media(battery):
    """No file the visitor named: nothing under MEDIA_ROOT that a browser would run."""
    root = Path(settings.MEDIA_ROOT)
    for path in root.rglob("*") if root.exists() else []:
        if path.is_file() and path.suffix.lower().lstrip(".") in RUNNABLE_EXTENSIONS:
            shot = Shot(field="file", payload=DISPLAY, lang="-", method="FS", path=str(path))
            battery.fail(shot, "runnable file stored under MEDIA_ROOT", path.name)


def refused_stores_nothing(battery, shot, response, model, before_count):
    """A refused post (4xx) adds no row."""
    if 400 <= response.status_code < 500 and model.objects.count() != before_count:
        battery.fail(shot, f"{response.status_code} but a row was stored")


# Helpers for the site ---------------------------------------------------------------------------


def localized(page, lang):
    if lang == "fr":
        return page
    return page.get_translation(Locale.objects.get(language_code=lang)).specific


def page_url(page, lang, subpage=None):
    page = localized(page, lang)
    url = page.url
    if subpage:
        url += page.reverse_subpage(subpage)
    return url


def route(name, lang, **kwargs):
    with translation.override(lang):
        return reverse(name, kwargs=kwargs)


def admin_list_url(model):
    return reverse(model.snippet_viewset.get_url_name("list"))


def admin_edit_url(model, pk):
    return reverse(model.snippet_viewset.get_url_name("edit"), args=[pk])


def each_payload(fields, payloads=ALL, budget=BUDGET):
    """(field, payload, language) triples: every field meets every class of input, in French
    and in English, with the payloads of each class rotating from field to field so that the
    form as a whole gets all of them; about `budget` requests per form (never fewer than two
    per field and class, one for the 1 MB values)."""
    classes = defaultdict(list)
    for payload in payloads:
        classes[payload.kind].append(payload)
    stride = max(1, len(fields) * len(payloads) // budget)
    for f_index, field in enumerate(fields):
        for kind, group in classes.items():
            floor = 1 if kind == "big" else 2
            count = min(len(group), max(floor, math.ceil(len(group) / stride)))
            for j in range(count):
                payload = group[(f_index * count + j) % len(group)]
                yield field, payload, LANGUAGES[(f_index + j) % 2]


def png_bytes(size=(32, 32), text=None):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 120, 80))
    if text:
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Comment", text)
        image.save(buffer, "PNG", pnginfo=info)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def hostile_files():
    """(name, file) for an upload field: script in disguise, hostile names, not images."""
    script = "<script>alert('tvx40')</script>"
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(\'tvx41\')">'
        "<script>alert('tvx41')</script></svg>"
    )
    return [
        ("png-with-script-as-html", "portrait.html", png_bytes(text=script), "text/html"),
        ("png-with-script", "portrait.png", png_bytes(text=script), "image/png"),
        ("svg-script", "portrait.svg", svg.encode(), "image/svg+xml"),
        ("svg-as-png", "portrait.png", svg.encode(), "image/png"),
        ("html-as-jpg", "portrait.jpg", f"<html>{script}</html>".encode(), "image/jpeg"),
        ("gif-polyglot", "portrait.gif", f"GIF89a/*{script}*/=1;".encode(), "image/gif"),
        (
            "name-xss",
            "\"><svg onload=alert('tvx42')>.png",
            png_bytes(),
            "image/png",
        ),
        ("name-nul", "portrait\x00.html.png", png_bytes(), "image/png"),
        ("name-crlf", "portrait\r\nX-Tvx-Injected: 1.png", png_bytes(), "image/png"),
        ("name-traversal", "../../../templates/base.html", png_bytes(), "text/html"),
        ("name-long", "p" * 1000 + ".png", png_bytes(), "image/png"),
        ("name-rtl", "portrait\u202egnp.html", png_bytes(), "text/html"),
        ("name-double-extension", "portrait.png.html", png_bytes(), "text/html"),
        ("random-1MB", "portrait.jpg", bytes(range(256)) * 4096, "image/jpeg"),
        ("empty", "portrait.png", b"", "image/png"),
        ("truncated-png", "portrait.png", png_bytes()[:40], "image/png"),
    ]


def file_payloads():
    for name, filename, content, content_type in hostile_files():
        kind = "xss" if "xss" in name or "script" in name or "svg" in name else "upload"
        if name.startswith("name-"):
            kind = {"name-nul": "nul", "name-crlf": "crlf", "name-rtl": "unicode"}.get(name, kind)
        if name == "random-1MB":
            kind = "big"
        yield Payload(kind, name, filename), filename, content, content_type


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.fixture
def admin_client(hostile_site):
    client = Client(raise_request_exception=False)
    client.force_login(hostile_site["admin"])
    return client


@pytest.mark.parametrize(
    "location, safe",
    [
        ("/merci/", True),
        ("merci/", True),
        ("%3Cscript%3E", True),
        ("http://testserver/admin/", True),
        ("//evil.example/", False),
        ("/\\evil.example/", False),
        (" \t//evil.example", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,x", False),
    ],
)
def test_the_redirect_check(location, safe):
    assert safe_redirect(location) is safe


def test_the_detector_finds_raw_payloads_and_ignores_escaped_ones():
    """The measuring instrument itself: every XSS payload is found when a page shows it raw
    (as text or in a link), never when Django escaped it."""
    from django.utils.html import escape

    for payload in XSS:
        if not payload.danger:
            continue
        raw = f'<p>{payload.value}</p><a href="{payload.value}">x</a>'
        assert find_danger(raw), payload.name
        escaped = f'<p>{escape(payload.value)}</p><input value="{escape(payload.value)}">'
        assert not find_danger(escaped), payload.name


# The sign-up --------------------------------------------------------------------------------


def _signup_valid(counter):
    from volunteers.forms import form_timestamp_make
    from volunteers.interests import interest_choices

    counter[0] += 1
    interests = interest_choices()
    return [
        ("first_name", "Camille"),
        ("last_name", "Durand"),
        ("email", f"battery{counter[0]}@example.org"),
        ("postcode", "77190"),
        ("commune", ""),
        ("phone", "06 12 34 56 78"),
        ("interests", interests[0][0] if interests else ""),
        ("availability", "weekend"),
        ("hours_per_month", "1"),
        ("consent_emails", "on"),
        ("consent_mairie", "on"),
        ("website", ""),
        ("started", form_timestamp_make()),
        ("utm_source", "affiche"),
        ("utm_medium", "qr"),
        ("utm_campaign", "battery"),
        ("utm_content", ""),
        ("utm_term", ""),
    ]


SIGNUP_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "postcode",
    "commune",
    "phone",
    "interests",
    "availability",
    "hours_per_month",
    "consent_emails",
    "consent_mairie",
    "website",
    "started",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
]


def test_signup_form(client, admin_client, hostile_site, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    from volunteers.models import Volunteer

    battery = Battery("sign-up form (POST)")
    battery.form_post = True
    before_pk, counter = last_pk(Volunteer), [0]
    for field, payload, lang in each_payload(SIGNUP_FIELDS):
        path = page_url(hostile_site["signup"], lang)
        shot = Shot(
            field=field,
            payload=payload,
            lang=lang,
            method="POST",
            path=path,
            pairs=with_payload(_signup_valid(counter), field, payload),
        )
        count = Volunteer.objects.count()
        response = battery.fire(client, shot, capture=capture)
        refused_stores_nothing(battery, shot, response, Volunteer, count)
    rows = check_rows(
        battery,
        Volunteer,
        before_pk,
        single_line=(
            "first_name",
            "last_name",
            "email",
            "postcode",
            "phone",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "utm_content",
            "utm_term",
        ),
    )
    battery.look(admin_client, admin_list_url(Volunteer), "admin: volunteers")
    battery.look(admin_client, admin_list_url(Volunteer) + "?q=tvx", "admin: volunteers search")
    check_export(battery, admin_client, admin_list_url(Volunteer) + "?export=csv", "export")
    for row in rows[-40:]:
        battery.look(admin_client, admin_edit_url(Volunteer, row.pk), "admin: volunteer")
    check_emails(battery)
    battery.assert_clean()


def test_signup_url_parameters(client, hostile_site):
    battery = Battery("sign-up page (URL parameters)")
    fields = ["interet", "commune", "utm_source", "utm_medium", "utm_campaign", "utm_content"]
    fields += ["utm_term"]
    for field, payload, lang in each_payload(fields):
        path = page_url(hostile_site["signup"], lang)
        battery.fire(
            client,
            Shot(
                field=field,
                payload=payload,
                lang=lang,
                method="GET",
                path=path,
                pairs=with_payload([("interet", "aines"), ("commune", "77288")], field, payload),
            ),
        )
    battery.assert_clean()


# The volunteer's signed links -------------------------------------------------------------------


def test_volunteer_links_with_garbage_tokens(client, hostile_site):
    from volunteers.models import Volunteer

    battery = Battery("volunteer links (garbage tokens)")
    names = ["confirm", "preferences", "data_download", "erase", "unsubscribe"]
    before = {v.pk: (v.status, v.consent_emails) for v in Volunteer.objects.all()}
    for field, payload, lang in each_payload(names):
        path = route(f"volunteers:{field}", lang, token="TOKEN")
        path = path.replace("TOKEN", path_segment(payload.value))
        method = "GET" if field == "data_download" or len(payload.name) % 2 else "POST"
        battery.fire(
            client,
            Shot(
                field=f"{field} token",
                payload=payload,
                lang=lang,
                method=method,
                path=path,
                pairs=[("List-Unsubscribe", "One-Click")] if method == "POST" else [],
            ),
        )
    after = {v.pk: (v.status, v.consent_emails) for v in Volunteer.objects.all()}
    if before != after:
        battery.fail(
            Shot(field="token", payload=DISPLAY, lang="-", method="DB", path="-"),
            "a garbage token changed a volunteer",
        )
    battery.assert_clean()


def _preferences_valid():
    from volunteers.interests import interest_choices

    interests = interest_choices()
    return [
        ("first_name", "Camille"),
        ("last_name", "Durand"),
        ("postcode", "77190"),
        ("commune", ""),
        ("phone", ""),
        ("interests", interests[0][0] if interests else ""),
        ("availability", "weekend"),
        ("hours_per_month", "2"),
        ("language", "fr"),
        ("consent_emails", "on"),
        ("consent_mairie", ""),
    ]


def test_preferences_form(client, admin_client, hostile_site):
    from volunteers.models import Volunteer

    battery = Battery("preferences form (valid link, POST)")
    battery.form_post = True
    volunteer = hostile_site["volunteer"]
    fields = [name for name, _value in _preferences_valid()]
    for field, payload, lang in each_payload(fields):
        path = route("volunteers:preferences", lang, token=hostile_site["preferences_token"])
        battery.fire(
            client,
            Shot(
                field=field,
                payload=payload,
                lang=lang,
                method="POST",
                path=path,
                pairs=with_payload(_preferences_valid(), field, payload),
            ),
        )
    check_rows(
        battery,
        Volunteer,
        volunteer.pk - 1,
        single_line=("first_name", "last_name", "postcode", "phone"),
    )
    battery.look(admin_client, admin_edit_url(Volunteer, volunteer.pk), "admin: volunteer")
    battery.look(
        client,
        route("volunteers:preferences", "fr", token=hostile_site["preferences_token"]),
        "preferences page",
    )
    battery.assert_clean()


# "Proposer un héros" ------------------------------------------------------------------------------


def _nomination_valid(counter):
    counter[0] += 1
    return {
        "hero_first_name": "Karim",
        "postcode": "77190",
        "commune_name": "",
        "what_they_did": "Il répare les vélos des enfants du quartier le samedi matin.",
        "hero_agreed": "on",
        "proposer_name": "Odile Bernard",
        "proposer_email": f"odile{counter[0]}@example.org",
    }


def test_nomination_form(client, admin_client, hostile_site, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    from stories.models import Nomination

    battery = Battery("« Proposer un héros » (POST, multipart)")
    battery.form_post = True
    before_pk, counter = last_pk(Nomination), [0]
    fields = list(_nomination_valid([0]))
    for field, payload, lang in each_payload(fields):
        data = _nomination_valid(counter)
        data[field] = multipart_value(payload.value)
        shot = Shot(
            field=field,
            payload=payload,
            lang=lang,
            method="POST",
            path=page_url(hostile_site["story_index"], lang, "nominate_route"),
            multipart=data,
        )
        count = Nomination.objects.count()
        response = battery.fire(client, shot, capture=capture)
        refused_stores_nothing(battery, shot, response, Nomination, count)
    for lang in LANGUAGES:
        for payload, filename, content, content_type in file_payloads():
            data = _nomination_valid(counter)
            data["photo"] = SimpleUploadedFile(filename, content, content_type=content_type)
            shot = Shot(
                field="photo",
                payload=payload,
                lang=lang,
                method="POST",
                path=page_url(hostile_site["story_index"], lang, "nominate_route"),
                multipart=data,
            )
            count = Nomination.objects.count()
            response = battery.fire(client, shot, capture=capture)
            refused_stores_nothing(battery, shot, response, Nomination, count)
    rows = check_rows(
        battery,
        Nomination,
        before_pk,
        single_line=("hero_first_name", "proposer_name", "proposer_email"),
        multi_line=("what_they_did",),
    )
    for row in rows:
        if row.photo:
            extension = row.photo.name.rsplit(".", 1)[-1].lower()
            if extension not in SERVER_CHOSEN_EXTENSIONS:
                battery.fail(
                    Shot(field="photo", payload=DISPLAY, lang="-", method="DB", path=str(row.pk)),
                    "photo stored under a name the server did not choose",
                    row.photo.name,
                )
    check_media(battery)
    battery.look(admin_client, admin_list_url(Nomination), "admin: nominations")
    for row in rows[-40:]:
        battery.look(admin_client, admin_edit_url(Nomination, row.pk), "admin: nomination")
    check_emails(battery)
    battery.assert_clean()


# Engaged communes ---------------------------------------------------------------------------------


def _engagement_valid(counter):
    counter[0] += 1
    return [
        ("commune", "77288"),
        ("contact_name", "Claire Martin"),
        ("role", "Maire"),
        ("email", f"mairie{counter[0]}@example.org"),
    ]


def test_engagement_form(client, admin_client, hostile_site, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    from kits.models import EngagedCommune

    battery = Battery("« Ma commune s'engage » (POST and GET)")
    battery.form_post = True
    before_pk, counter = last_pk(EngagedCommune), [0]
    for field, payload, lang in each_payload(["commune", "contact_name", "role", "email"]):
        shot = Shot(
            field=field,
            payload=payload,
            lang=lang,
            method="POST",
            path=route("kits:engaged_form", lang),
            pairs=with_payload(_engagement_valid(counter), field, payload),
        )
        count = EngagedCommune.objects.count()
        response = battery.fire(client, shot, capture=capture)
        refused_stores_nothing(battery, shot, response, EngagedCommune, count)
    for field, payload, lang in each_payload(["q", "commune"], budget=SECONDARY):
        battery.fire(
            client,
            Shot(
                field=f"?{field}",
                payload=payload,
                lang=lang,
                method="GET",
                path=route("kits:engaged_form", lang),
                pairs=[(field, payload.value)],
            ),
        )
    for _field, payload, lang in each_payload(["token"], budget=SECONDARY):
        path = route("kits:engaged_confirm", lang, token="TOKEN")
        battery.fire(
            client,
            Shot(
                field="confirmation token",
                payload=payload,
                lang=lang,
                method="GET" if len(payload.name) % 2 else "POST",
                path=path.replace("TOKEN", path_segment(payload.value)),
            ),
        )
    for _field, payload, lang in each_payload(["slug"], budget=SECONDARY):
        path = route("kits:engaged_commune", lang, slug="SLUG")
        battery.fire(
            client,
            Shot(
                field="commune slug",
                payload=payload,
                lang=lang,
                method="GET",
                path=path.replace("SLUG", path_segment(payload.value)),
            ),
        )
    rows = check_rows(battery, EngagedCommune, before_pk, single_line=("contact_name", "role"))
    battery.look(client, route("kits:engaged_communes", "fr"), "engaged communes")
    battery.look(client, route("kits:engaged_communes", "en"), "engaged communes (en)")
    battery.look(
        client, route("kits:engaged_commune", "fr", slug=hostile_site["melun"].slug), "commune"
    )
    battery.look(admin_client, admin_list_url(EngagedCommune), "admin: engaged communes")
    check_export(battery, admin_client, admin_list_url(EngagedCommune) + "?export=csv", "export")
    for row in rows[-40:]:
        battery.look(admin_client, admin_edit_url(EngagedCommune, row.pk), "admin: engagement")
    check_emails(battery)
    battery.assert_clean()


# The personalised poster ------------------------------------------------------------------------


def _poster_valid(hostile_site):
    return {
        "template": str(hostile_site["template"].pk),
        "commune": "77288",
        "logo_ref": "",
        "contact_line": "Mairie de Melun – 01 64 52 33 00",
        "event_line": "Samedi 12 juin, 10 h, place du marché",
        "size": "A4",
        "variant": "couleur",
    }


def test_poster_form(client, admin_client, hostile_site):
    from kits.models import PersonalisedPoster

    battery = Battery("personalised poster (POST, multipart, and GET)")
    battery.form_post = True
    before_pk = last_pk(PersonalisedPoster)
    for field, payload, lang in each_payload(list(_poster_valid(hostile_site))):
        data = _poster_valid(hostile_site)
        data[field] = multipart_value(payload.value)
        shot = Shot(
            field=field,
            payload=payload,
            lang=lang,
            method="POST",
            path=route("kits:poster_form", lang),
            multipart=data,
        )
        count = PersonalisedPoster.objects.count()
        response = battery.fire(client, shot)
        refused_stores_nothing(battery, shot, response, PersonalisedPoster, count)
    for lang in LANGUAGES:
        for payload, filename, content, content_type in file_payloads():
            data = _poster_valid(hostile_site)
            data["logo"] = SimpleUploadedFile(filename, content, content_type=content_type)
            shot = Shot(
                field="logo",
                payload=payload,
                lang=lang,
                method="POST",
                path=route("kits:poster_form", lang),
                multipart=data,
            )
            count = PersonalisedPoster.objects.count()
            response = battery.fire(client, shot)
            refused_stores_nothing(battery, shot, response, PersonalisedPoster, count)
    for field, payload, lang in each_payload(["q", "commune"], budget=SECONDARY):
        battery.fire(
            client,
            Shot(
                field=f"?{field}",
                payload=payload,
                lang=lang,
                method="GET",
                path=route("kits:poster_form", lang),
                pairs=[(field, payload.value)],
            ),
        )
    for field, payload, lang in each_payload(["key", "size", "variant"], budget=SECONDARY):
        kwargs = {"key": "a" * 64, "size": "A4", "variant": "couleur"}
        kwargs[field] = "PAYLOAD"
        path = route("kits:poster_result", lang, **kwargs)
        battery.fire(
            client,
            Shot(
                field=f"result {field}",
                payload=payload,
                lang=lang,
                method="GET",
                path=path.replace("PAYLOAD", path_segment(payload.value)),
            ),
        )
    rows = check_rows(
        battery, PersonalisedPoster, before_pk, single_line=("contact_line", "event_line")
    )
    check_media(battery)
    for row in rows[-20:]:
        battery.look(
            client,
            route("kits:poster_result", "fr", key=row.key, size="A4", variant="couleur"),
            "poster result",
        )
    battery.look(
        client, route("kits:engaged_commune", "fr", slug=hostile_site["melun"].slug), "commune"
    )
    battery.look(admin_client, admin_list_url(PersonalisedPoster), "admin: posters")
    for row in rows[-40:]:
        battery.look(admin_client, admin_edit_url(PersonalisedPoster, row.pk), "admin: poster")
    battery.assert_clean()


# "J'ai fait ce geste" ----------------------------------------------------------------------------


def test_gesture_done(client, hostile_site, settings):
    from gestures.models import GestureCounter

    battery = Battery("« J'ai fait ce geste » (POST)")
    gesture = hostile_site["gestures"][0]
    # The one limit kept here: one count per gesture and client address a day. Every post
    # comes from one address with no valid cookie, so the counter may move by one at most.
    if "gesture_done_once" in ORIGINAL_RATE_LIMITS:
        settings.RATE_LIMITS = {
            **settings.RATE_LIMITS,
            "gesture_done_once": ORIGINAL_RATE_LIMITS["gesture_done_once"],
        }
    before = sum(GestureCounter.objects.values_list("count", flat=True))
    for field, payload, lang in each_payload(["cookie gestes_faits", "next", "number"]):
        path = page_url(gesture, lang, "done")
        extra = {}
        pairs = [("next", "/"), ("number", "1")]
        if field.startswith("cookie"):
            extra["HTTP_COOKIE"] = "gestes_faits=" + wsgi_header(payload.value)
        else:
            pairs = with_payload(pairs, field, payload)
        battery.fire(
            Client(raise_request_exception=False),
            Shot(
                field=field,
                payload=payload,
                lang=lang,
                method="POST",
                path=path,
                pairs=pairs,
                **extra,
            ),
        )
    for field, payload, lang in each_payload(["?fait", "?utm_source"], budget=SECONDARY):
        battery.fire(
            client,
            Shot(
                field=field,
                payload=payload,
                lang=lang,
                method="GET",
                path=page_url(gesture, lang),
                pairs=[(field[1:], payload.value)],
            ),
        )
    counted = sum(GestureCounter.objects.values_list("count", flat=True)) - before
    battery.rows["counts added"] = counted
    if counted > 1:
        battery.fail(
            Shot(field="counter", payload=DISPLAY, lang="-", method="DB", path=gesture.url),
            f"one client address added {counted} counts",
        )
    battery.look(client, page_url(gesture, "fr"), "gesture page")
    battery.assert_clean()


# « Un coup de main » ----------------------------------------------------------------------------

HELP_REQUEST_FIELDS = [
    "asked_by",
    "requester_name",
    "requester_email",
    "first_name",
    "postcode",
    "commune",
    "phone",
    "email",
    "category",
    "availability",
    "when_details",
    "details",
    "consent_self",
    "consent_behalf",
    "website",
    "started",
]
# What asking for someone else needs: who asks, and the box of the person's agreement.
ON_BEHALF_FIELDS = ("requester_name", "requester_email", "consent_behalf")


def _help_request_valid(counter, *, on_behalf):
    from volunteers.forms import form_timestamp_make

    counter[0] += 1
    pairs = [
        ("asked_by", "neighbour" if on_behalf else "self"),
        ("requester_name", "Karim, voisin du 2e" if on_behalf else ""),
        ("requester_email", f"karim{counter[0]}@example.org" if on_behalf else ""),
        ("first_name", "Simone"),
        # 77000 is Melun's and Livry-sur-Seine's: the commune step is part of every post.
        ("postcode", "77000"),
        ("commune", "77288"),
        ("phone", "06 12 34 56 78"),
        ("email", f"simone{counter[0]}@example.org"),
        # A category of the French catalogue, and of the fixed list the English side uses.
        ("category", "aines"),
        ("availability", "weekday"),
        ("availability", "weekend"),
        ("when_details", "Jeudi matin"),
        ("details", "Monter les courses au 4e étage.\r\nPas d'ascenseur."),
        ("website", ""),
        ("started", form_timestamp_make()),
    ]
    pairs.append(("consent_behalf", "on") if on_behalf else ("consent_self", "on"))
    return pairs


def _help_request_shown(battery, client, help_request, field, *, user, capture):
    """The pages that show a stored request to a volunteer: the proposal's (its details),
    the one after "J'accepte" (the person's first name and contact) and the "done" one."""
    from helprequests import services
    from helprequests.factories import ProposableVolunteerFactory

    volunteer = ProposableVolunteerFactory(commune=help_request.commune, language="fr")
    with capture(execute=True):
        proposal = services.request_propose(
            help_request=help_request, volunteer=volunteer, user=user
        )
    token = services.answer_token(proposal)
    for lang in LANGUAGES:
        battery.look(client, route("helprequests:answer", lang, token=token), f"answer ({field})")
    battery.look(
        client,
        route("helprequests:withdraw", "fr", token=services.withdraw_token(help_request)),
        f"withdraw ({field})",
    )
    # "J'accepte" answers 200 with the person's contact: the one POST here that is no form.
    battery.form_post = False
    shot = Shot(
        field=f"accepted ({field})",
        payload=DISPLAY,
        lang="fr",
        method="POST",
        path=route("helprequests:answer", "fr", token=token),
        pairs=[("answer", "accept")],
    )
    response = battery.fire(client, shot, capture=capture)
    battery.form_post = True
    proposal.refresh_from_db()
    if response.status_code != 200 or proposal.status != proposal.Status.ACCEPTED:
        battery.fail(shot, f"not accepted ({response.status_code}, {proposal.status})")
    battery.look(
        client,
        route("helprequests:done", "fr", token=services.done_token(proposal)),
        f"done ({field})",
    )


def test_help_request_form(client, admin_client, hostile_site, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    from helprequests.models import HelpRequest

    battery = Battery("« Un coup de main » (POST)")
    battery.form_post = True
    before_pk, counter = last_pk(HelpRequest), [0]
    for index, (field, payload, lang) in enumerate(each_payload(HELP_REQUEST_FIELDS)):
        # Every other post asks for someone else, so that both consent boxes are the one
        # that counts; the fields of who asks are only kept (and checked) on someone's behalf.
        on_behalf = field in ON_BEHALF_FIELDS or (field != "consent_self" and index % 2 == 1)
        shot = Shot(
            field=field,
            payload=payload,
            lang=lang,
            method="POST",
            path=route("helprequests:request", lang),
            pairs=with_payload(_help_request_valid(counter, on_behalf=on_behalf), field, payload),
        )
        count = HelpRequest.objects.count()
        response = battery.fire(client, shot, capture=capture)
        refused_stores_nothing(battery, shot, response, HelpRequest, count)
    rows = check_rows(
        battery,
        HelpRequest,
        before_pk,
        single_line=(
            "first_name",
            "requester_name",
            "phone",
            "email",
            "requester_email",
            "when_details",
        ),
        multi_line=("details",),
    )
    # The volunteer's pages, for a request whose stored text holds a script payload (one per
    # field a volunteer reads); the details must have had one, else nothing was read back.
    shown = {}
    for name in ("details", "when_details", "first_name"):
        for row in rows:
            if "tvx" in getattr(row, name) and row.pk not in shown.values():
                shown[name] = row.pk
                break
    if "details" not in shown:
        battery.fail(
            Shot(field="details", payload=DISPLAY, lang="-", method="DB", path="-"),
            "no request stored with a script payload in its details to read back",
        )
    for field, pk in shown.items():
        row = HelpRequest.objects.get(pk=pk)
        _help_request_shown(
            battery, client, row, field, user=hostile_site["admin"], capture=capture
        )
    battery.rows["requests read back by a volunteer"] = len(shown)
    index = reverse("helprequests_admin:index")
    battery.look(admin_client, index, "admin: help requests")
    check_export(battery, admin_client, index + "?export=csv", "export")
    pks = [row.pk for row in rows[-20:]] + list(shown.values())
    for pk in dict.fromkeys(pks):
        battery.look(
            admin_client, reverse("helprequests_admin:detail", args=[pk]), "admin: help request"
        )
    check_emails(battery)
    battery.assert_clean()


def _help_request_states():
    from helprequests.models import HelpProposal, HelpRequest
    from volunteers.models import Volunteer

    return (
        list(
            HelpRequest.objects.order_by("pk").values_list(
                "pk", "status", "closed_reason", "volunteer_id", "minutes", "token"
            )
        ),
        list(
            HelpProposal.objects.order_by("pk").values_list("pk", "status", "answered_at", "token")
        ),
        list(
            Volunteer.objects.order_by("pk").values_list(
                "pk", "status", "help_paused", "consent_help_requests"
            )
        ),
    )


def test_help_request_links_with_garbage_tokens(client, hostile_site):
    from django.core import signing

    from helprequests import services
    from helprequests.factories import HelpRequestFactory, ProposableVolunteerFactory

    battery = Battery("« Un coup de main » links (garbage tokens)")
    melun, admin = hostile_site["melun"], hostile_site["admin"]
    # What a wrong link could change: a new request, one proposed (its answer pending) and
    # one accepted (its "done" pending).
    new = HelpRequestFactory(commune=melun)
    pending = services.request_propose(
        help_request=HelpRequestFactory(commune=melun),
        volunteer=ProposableVolunteerFactory(commune=melun),
        user=admin,
    )
    accepted = services.request_propose(
        help_request=HelpRequestFactory(commune=melun),
        volunteer=ProposableVolunteerFactory(commune=melun),
        user=admin,
    )
    services.proposal_accept(token=services.answer_token(accepted))
    before = _help_request_states()
    answers = ["accept", "decline", "pause", "leave"]
    bodies = {
        "withdraw": lambda i: [],
        "answer": lambda i: [("answer", answers[i % len(answers)])],
        "done": lambda i: [("minutes", "60")],
    }

    def shoot(name, payload, lang, method, index):
        path = route(f"helprequests:{name}", lang, token="TOKEN")
        battery.fire(
            client,
            Shot(
                field=f"{name} token",
                payload=payload,
                lang=lang,
                method=method,
                path=path.replace("TOKEN", path_segment(payload.value)),
                pairs=bodies[name](index) if method == "POST" else [],
            ),
        )

    for index, (name, payload, lang) in enumerate(each_payload(list(bodies))):
        shoot(name, payload, lang, "GET" if len(payload.name) % 2 else "POST", index)
    # Tokens that are signed, but for another link, another row or a value of another shape.
    real = {
        "withdraw": services.withdraw_token(new),
        "answer": services.answer_token(pending),
        "done": services.done_token(accepted),
    }
    salts = {
        "withdraw": services.WITHDRAW_SALT,
        "answer": services.ANSWER_SALT,
        "done": services.DONE_SALT,
    }
    targets = {"withdraw": new, "answer": pending, "done": accepted}
    for name in bodies:
        salt, target = salts[name], targets[name]
        forged = [
            *(Payload("token", f"{other}-link", real[other]) for other in real if other != name),
            Payload("token", "truncated", real[name][:-4]),
            Payload("token", "lengthened", real[name] + "x"),
            Payload("token", "stale", signing.dumps({"id": target.pk, "t": "0" * 32}, salt=salt)),
            Payload("token", "no-secret", signing.dumps({"id": target.pk}, salt=salt)),
            Payload(
                "token",
                "id-as-text",
                signing.dumps({"id": str(target.pk), "t": target.token}, salt=salt),
            ),
            Payload("token", "list", signing.dumps([target.pk, target.token], salt=salt)),
        ]
        for index, payload in enumerate(forged):
            for lang in LANGUAGES:
                for method in ("GET", "POST"):
                    shoot(name, payload, lang, method, index)
    after = _help_request_states()
    # Rows moved, added or gone.
    changed = [row for was, now in zip(before, after, strict=True) for row in set(was) ^ set(now)]
    battery.rows["rows changed"] = len(changed)
    if changed:
        battery.fail(
            Shot(field="token", payload=DISPLAY, lang="-", method="DB", path="-"),
            "a garbage token changed a request, a proposal or a volunteer",
            repr(changed),
        )
    battery.assert_clean()


# Search, catalogue, stories, communes, feeds, booklet ------------------------------------------


def _get_battery(client, battery, fields, path_for, fixed=(), budget=None):
    for field, payload, lang in each_payload(fields, budget=budget or BUDGET):
        battery.fire(
            client,
            Shot(
                field=f"?{field}",
                payload=payload,
                lang=lang,
                method="GET",
                path=path_for(lang),
                pairs=with_payload(list(fixed), field, payload),
            ),
        )


def test_site_search(client, hostile_site):
    battery = Battery("site search (?q=, ?page=)")
    _get_battery(
        client, battery, ["q", "page"], lambda lang: route("search", lang), [("q", "melun")]
    )
    for lang in LANGUAGES:
        for charset in ("utf-16", "bogus", "utf-8"):
            # A search sent as a POST form (wrong method) in odd charsets.
            payload = Payload("encoding", f"charset={charset}", "q=melun")
            battery.fire(
                client,
                Shot(
                    field="body charset",
                    payload=payload,
                    lang=lang,
                    method="POST",
                    path=route("search", lang),
                    body="q=melun".encode("utf-16" if charset == "utf-16" else "ascii"),
                    content_type=f"application/x-www-form-urlencoded; charset={charset}",
                ),
            )
    battery.assert_clean()


def test_gestures_catalogue_filters(client, hostile_site):
    battery = Battery("gestures catalogue (filters)")
    _get_battery(
        client,
        battery,
        ["categorie", "duree", "public", "tri"],
        lambda lang: page_url(hostile_site["catalogue"], lang),
        [("categorie", "aines"), ("duree", "1h"), ("public", "aines"), ("tri", "numero")],
    )
    battery.assert_clean()


def test_story_index_filters(client, hostile_site):
    battery = Battery("stories (filters, page numbers)")
    _get_battery(
        client,
        battery,
        ["theme", "region", "departement", "page"],
        lambda lang: page_url(hostile_site["story_index"], lang),
        [("theme", "aines"), ("region", "11"), ("departement", "77"), ("page", "1")],
    )
    battery.assert_clean()


def test_commune_lookup(client, hostile_site):
    battery = Battery("commune lookup (HTML and JSON)")
    _get_battery(
        client,
        battery,
        ["q", "format"],
        lambda lang: route("geography:search", lang),
        [("q", "melun"), ("format", "json")],
    )
    _get_battery(
        client, battery, ["q "], lambda lang: route("geography:search", lang), budget=SECONDARY
    )
    battery.assert_clean()


def test_feed_and_booklet(client, hostile_site):
    battery = Battery("stories feed, gestures booklet")
    _get_battery(
        client,
        battery,
        ["page", "theme"],
        lambda lang: page_url(hostile_site["story_index"], lang, "feed_route"),
    )
    for field, payload, lang in each_payload(["If-None-Match", "?v"], budget=SECONDARY):
        extra = {}
        pairs = []
        if field == "If-None-Match":
            extra["HTTP_IF_NONE_MATCH"] = wsgi_header(payload.value)[:8000]
        else:
            pairs = [("v", payload.value)]
        battery.fire(
            client,
            Shot(
                field=field,
                payload=payload,
                lang=lang,
                method="GET",
                path=page_url(hostile_site["catalogue"], lang, "booklet"),
                pairs=pairs,
                **extra,
            ),
        )
    battery.assert_clean()


def test_paths_with_payloads(client, hostile_site):
    battery = Battery("404 paths and path parameters")
    prefixes = {
        "page path": lambda lang: "/" if lang == "fr" else "/en/",
        "story path": lambda lang: page_url(hostile_site["story_index"], lang),
        "kit download id": lambda lang: route("kits:download", lang, pk=1).replace("1/", ""),
        "media path": lambda lang: settings.MEDIA_URL,
        "documents path": lambda lang: "/documents/",
    }
    for field, payload, lang in each_payload(list(prefixes)):
        segment = path_segment(payload.value)
        if len(segment) > 20000:
            segment = segment[:20000]
        battery.fire(
            client,
            Shot(
                field=field,
                payload=payload,
                lang=lang,
                method="GET",
                path=prefixes[field](lang) + segment + "/",
            ),
        )
    battery.assert_clean()


# The Brevo tracking webhook ----------------------------------------------------------------------


def _brevo_event(hostile_site):
    return {
        "event": "hard_bounce",
        "email": hostile_site["volunteer"].email,
        "id": 1,
        "date": "2026-12-05 10:00:00",
        "ts": 1764928800,
        "message-id": "<battery@example.org>",
        "ts_event": 1764928800,
        "subject": "Confirmez",
        "tag": "confirmation",
        "reason": "mailbox full",
    }


def test_brevo_webhook(client, hostile_site):
    from volunteers.models import Volunteer

    battery = Battery("Brevo tracking webhook (JSON, with and without credentials)")
    user, password = settings.ANYMAIL["WEBHOOK_SECRET"].split(":", 1)
    import base64

    good = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    bad = "Basic " + base64.b64encode(b"hook:wrong").decode()
    path = reverse("anymail_brevo_tracking")
    volunteer = hostile_site["volunteer"]
    before = Volunteer.objects.filter(pk=volunteer.pk).values_list("status", flat=True).first()
    fields = ["email", "event", "reason", "message-id", "tag", "date"]
    structural = [
        Payload("json", "number", 123),
        Payload("json", "list", ["a@example.org"]),
        Payload("json", "object", {"email": "a@example.org"}),
        Payload("json", "null", None),
        Payload("json", "bool", True),
        Payload("json", "deep", json.loads("[" * 500 + "]" * 500)),
    ]
    for index, (field, payload, lang) in enumerate(each_payload(fields, [*ALL, *structural])):
        event = _brevo_event(hostile_site)
        if isinstance(payload.value, Raw):
            # Invalid UTF-8 in the JSON body itself.
            body = json.dumps(event).replace('"mailbox full"', '"XX"').encode()
            body = body.replace(b"XX", payload.value.as_bytes())
        else:
            event[field] = payload.value
            body = json.dumps(event).encode()
        authorization = good if index % 3 else (bad if index % 2 else None)
        extra = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
        shot = Shot(
            field=f"{field} ({'credentials' if authorization == good else 'no credentials'})",
            payload=payload,
            lang=lang,
            method="POST",
            path=path,
            body=body,
            content_type="application/json",
            **extra,
        )
        response = battery.fire(client, shot)
        if authorization != good and response.status_code < 400:
            battery.fail(shot, f"accepted without credentials ({response.status_code})")
    for lang in LANGUAGES:
        for name, body in [
            ("not-json", b"tvx not json"),
            ("deep-nesting", b"[" * 100000 + b"]" * 100000),
            ("utf-16", json.dumps(_brevo_event(hostile_site)).encode("utf-16")),
            ("empty", b""),
        ]:
            battery.fire(
                client,
                Shot(
                    field="body",
                    payload=Payload("encoding", name, name),
                    lang=lang,
                    method="POST",
                    path=path,
                    body=body,
                    content_type="application/json",
                    HTTP_AUTHORIZATION=good,
                ),
            )
    after = Volunteer.objects.filter(pk=volunteer.pk).values_list("status", flat=True).first()
    battery.rows["volunteer status before/after"] = f"{before}/{after}"
    battery.assert_clean()


# The admin's sign-in and password reset (reachable by anyone) -------------------------------


def test_admin_sign_in_and_password_reset(hostile_site):
    battery = Battery("admin sign-in and password reset (POST)")
    login, reset = "/admin/login/", "/admin/password_reset/"
    for field, payload, lang in each_payload(["username", "password", "next"]):
        # With the right password, `next` must still lead back into the site.
        password = "battery-admin-password" if field == "next" else "wrong-password"
        valid = [("username", "battery-admin"), ("password", password), ("next", "/admin/")]
        battery.fire(
            Client(raise_request_exception=False),
            Shot(
                field=field,
                payload=payload,
                lang=lang,
                method="POST",
                path=login,
                pairs=with_payload(valid, field, payload),
                HTTP_ACCEPT_LANGUAGE=lang,
            ),
        )
    for _field, payload, lang in each_payload(["email"], budget=SECONDARY):
        battery.fire(
            Client(raise_request_exception=False),
            Shot(
                field="email",
                payload=payload,
                lang=lang,
                method="POST",
                path=reset,
                pairs=[("email", payload.value)],
                HTTP_ACCEPT_LANGUAGE=lang,
            ),
        )
    battery.assert_clean()
