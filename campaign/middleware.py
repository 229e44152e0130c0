"""Security headers and malformed requests.

`SecurityHeadersMiddleware` (django-csp 4's middleware, extended):
- the Content-Security-Policy of `settings.CONTENT_SECURITY_POLICY` on every response: no
  'unsafe-inline' for scripts anywhere, the admin included; a per-request nonce
  (`{{ request.csp_nonce }}`) for the few inline blocks the site's templates need;
- in the admin (/admin/ only), two narrow exceptions, because Wagtail 8 and wagtail-localize
  still write them (found by opening the admin in Chromium under the policy):
  * styles only: `style-src-attr 'unsafe-inline'` (style attributes: progress bars, the
    focal point chooser, Draftail) and `style-src-elem 'self' 'unsafe-inline'`, because the
    page editor's vendor bundle and wagtail-localize's translation editor (styled-components,
    whose nonce is a webpack build constant we cannot set) create `<style>` elements at run
    time; without it the translation editor stays blank. Styles cannot run script.
  * the inline `<script>` blocks of a short list of Wagtail's own widgets and templates
    (page/image/document/snippet/task choosers, inline panels, multiple chooser panels, date
    and time widgets, wagtail-localize's chooser URLs and its "select all" box) get the
    request's nonce, and only when the block's whole text, whitespace aside, has the shape
    those widgets write (`ADMIN_INLINE_SCRIPTS`: a constructor called with a JSON string and
    a JSON object, nothing else): an injected script matches none and stays blocked.
    'unsafe-inline' is never in the admin's script-src.
- `Permissions-Policy`: no camera, microphone, geolocation, payment, USB, FLoC/Topics...

`MalformedRequestMiddleware`: a form post whose body Django cannot read (a charset Python
cannot decode it with, broken multipart, too many fields, a body over
DATA_UPLOAD_MAX_MEMORY_SIZE) or a public form posted with a content type forms never use
gets a 400 (413 for a body too big) with `templates/400.html` in the visitor's language,
never a 500. Views exempt from CSRF (the ESP's webhooks) read their bodies themselves.
"""

import codecs
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from csp.middleware import CSPMiddleware

from .csp import recorded_hashes

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
)

# A double-quoted JS string without "<" (escapejs writes \u003C).
_JS_STRING = r'"(?:[^"\\\n<]|\\.)*"'
# A JSON object as json.dumps writes it: strings, numbers, true/false/null, brackets, colons
# and commas only. Without parentheses or names, it can only be data.
_JSON = r'\{(?:"(?:[^"\\<]|\\.)*"|[\[\]{}:,]|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)*\}'
_URL = r'"/[A-Za-z0-9/_\-.]*"'

# The whole text of each inline script Wagtail 8 and wagtail-localize 1.14 write in the
# admin, whitespace aside. Anything else inline stays blocked.
ADMIN_INLINE_SCRIPTS = [
    # wagtailadmin/panels/inline_panel.html, multiple_chooser_panel.html
    re.compile(
        r"\(function\(\)\{varpanel=new(?:InlinePanel|MultipleChooserPanel)\(JSON\.parse\("
        + _JS_STRING
        + r"\)\);\}\)\(\);"
    ),
    # wagtail.admin.widgets.chooser.BaseChooser.render_js_init (page, image, document,
    # snippet choosers): new XChooser("id", {options});
    re.compile(r"new[A-Za-z]*Chooser\(" + _JS_STRING + r"," + _JSON + r"\);"),
    # wagtail.admin.widgets.workflows.AdminTaskChooser
    re.compile(r"createTaskChooser\(" + _JS_STRING + r"\);"),
    # wagtailadmin/widgets/date_input.html, time_input.html, datetime_input.html
    re.compile(
        r"init(?:DateTime|Date|Time)Chooser\(" + _JS_STRING + r",(?:" + _JSON + r"|null)?\);"
    ),
    # wagtail_localize/admin/edit_translation.html
    re.compile(
        r'if\(typeofwindow\.chooserUrls==="undefined"\)\{window\.chooserUrls=\{'
        r"imageChooser:" + _URL + r",documentChooser:" + _URL + r",pageChooser:" + _URL + r",?\}\}"
    ),
    # wagtail_localize/admin/submit_translation.html
    re.compile(
        r"document\.addEventListener\('DOMContentLoaded',function\(\)\{"
        r"varselectAll=document\.querySelector\('\[name=\"select_all\"\]'\);"
        r"varlocales=document\.querySelectorAll\('\[name=\"locales\"\]'\);"
        r"selectAll\.addEventListener\('change',function\(\)\{"
        r"for\(vari=0;i<locales\.length;i\+\+\)\{locales\[i\]\.checked=selectAll\.checked;\}"
        r"\}\);\}\);"
    ),
]
_INLINE_SCRIPT = re.compile(
    r'<script(?P<attrs>(?:\s+type="text/javascript")?)>(?P<body>.*?)</script>', re.S
)
_SPACES = re.compile(r"\s+")


def _is_admin(request):
    return request.path_info.startswith("/admin/")


def _known_admin_script(body):
    compact = _SPACES.sub("", body)
    return any(pattern.fullmatch(compact) for pattern in ADMIN_INLINE_SCRIPTS)


class SecurityHeadersMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if (
            _is_admin(request)
            and not getattr(response, "streaming", False)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            self._nonce_known_admin_scripts(request, response)
        response = super().process_response(request, response)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    def _nonce_known_admin_scripts(self, request, response):
        if hasattr(response, "render") and not response.is_rendered:
            return  # TemplateResponses are rendered before the middleware sees them
        content = response.content.decode(response.charset or "utf-8", errors="replace")
        if "<script" not in content:
            return
        nonce = request.csp_nonce

        def add_nonce(match):
            if not _known_admin_script(match["body"]):
                return match[0]
            return f'<script{match["attrs"]} nonce="{nonce}">{match["body"]}</script>'

        rewritten = _INLINE_SCRIPT.sub(add_nonce, content)
        if rewritten != content:
            response.content = rewritten.encode(response.charset or "utf-8")

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if _is_admin(request) and not report_only:
            parts.replace = {**(parts.replace or {}), **settings.CSP_ADMIN_REPLACE}
        hashes = recorded_hashes(request)
        if hashes:
            # Inline styles of the page, by hash (campaign/csp.py): cacheable, unlike a nonce.
            update = dict(parts.update or {})
            update["style-src"] = [*update.get("style-src", []), *hashes]
            parts.update = update
        return parts


FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _charset_readable(request):
    """A form body's declared charset must be one Python knows and that writes ASCII as
    ASCII (browsers never send forms in UTF-16 or UTF-32: Django would decode such a body
    into garbage or fail). No charset: the site's default, UTF-8."""
    charset = request.content_params.get("charset") if request.content_params else None
    if not charset:
        return True
    try:
        return "a=b&c".encode(codecs.lookup(charset).name) == b"a=b&c"
    except (LookupError, UnicodeError, ValueError):
        return False


def bad_request(request, *, status=400):
    response = render(request, "400.html", {"status": status}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def handler400(request, exception=None):
    """Django's 400 (a SuspiciousOperation anywhere): the same page, rendered with the
    request so that it is in the visitor's language."""
    return bad_request(request, status=413 if isinstance(exception, RequestDataTooBig) else 400)


class MalformedRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        if getattr(view_func, "csrf_exempt", False):
            return None  # webhooks and APIs read their own bodies
        content_type = request.content_type or ""
        if (
            not _is_admin(request)
            and request.method == "POST"
            and content_type not in FORM_CONTENT_TYPES
        ):
            return bad_request(request)
        if not _charset_readable(request):
            return bad_request(request)
        try:
            # Read (and cache) the form now: CSRF and the view would otherwise meet the error.
            request.POST  # noqa: B018
            request.FILES  # noqa: B018
        except RequestDataTooBig:
            return bad_request(request, status=413)
        except (
            UnicodeError,  # a charset that does not decode the body (utf-16, utf-32...)
            LookupError,  # a charset Python does not know
            MultiPartParserError,
            TooManyFieldsSent,
            SuspiciousOperation,
            ValueError,
        ):
            return bad_request(request)
        return None
