"""A small link checker for the e2e suite: reads the sitemap, fetches each page with a plain
HTTP client (no browser: it is a link check, not a rendering), collects every address a page
hands out (links, images, scripts, forms, Open Graph and canonical tags, hreflang alternates,
any absolute address in the markup) and follows each of this site's addresses once.

Used by test_links.py; kept apart so that it reads on its own."""

import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

ABSOLUTE_URL = re.compile(r"""https?://[^\s"'<>()\\,]+""", re.IGNORECASE)
# Attributes whose value is one address a browser or a crawler follows.
LINK_ATTRIBUTES = {"href", "src", "action", "poster", "data", "cite", "formaction"}
# Schemes that are not addresses of any host.
NOT_A_HOST = ("mailto:", "tel:", "sms:", "javascript:", "data:", "#")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class Response:
    url: str
    status: int
    content_type: str = ""
    location: str = ""
    body: bytes = b""

    @property
    def is_html(self):
        return "html" in self.content_type

    @property
    def is_text(self):
        return any(kind in self.content_type for kind in ("html", "xml", "text/", "json", "rss"))

    def text(self):
        return self.body.decode("utf-8", "replace")


def fetch(url, accept_language="fr", timeout=60):
    request = urllib.request.Request(
        url,
        headers={
            "Accept-Language": accept_language,
            "User-Agent": "tous-voisins-e2e-linkcheck",
        },
    )
    try:
        with _opener.open(request, timeout=timeout) as response:  # noqa: S310 (loopback)
            return Response(
                url,
                response.status,
                response.headers.get("Content-Type", ""),
                response.headers.get("Location", ""),
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return Response(
            url,
            error.code,
            error.headers.get("Content-Type", ""),
            error.headers.get("Location", ""),
            error.read(),
        )
    except (urllib.error.URLError, OSError) as error:
        # Nothing answered (another host, a closed port): status 0, a dead link.
        return Response(url, 0, body=str(error).encode())


@dataclass
class Found:
    """What one page hands out: `follow` the addresses to check, `absolute` every absolute
    address written anywhere in it (with where it was seen)."""

    follow: list = field(default_factory=list)
    absolute: list = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = Found()
        self.form_methods = []

    def _absolute(self, value, where):
        for match in ABSOLUTE_URL.findall(value or ""):
            self.found.absolute.append((match, where))

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            where = f"<{tag} {name}>"
            if name in LINK_ATTRIBUTES:
                if tag == "form" and name == "action":
                    # A form is followed only when a GET of its address is what it does.
                    if (attributes.get("method") or "get").lower() == "get":
                        self.found.follow.append((value, where))
                    self._absolute(value, where)
                    continue
                if tag == "link" and (attributes.get("rel") or "") in (
                    "preconnect",
                    "dns-prefetch",
                ):
                    self._absolute(value, where)
                    continue
                self.found.follow.append((value, where))
            elif name in ("srcset", "imagesrcset"):
                for candidate in value.split(","):
                    if candidate.strip():
                        self.found.follow.append((candidate.split()[0], where))
            elif tag == "meta" and name == "content":
                prop = attributes.get("property") or attributes.get("name") or ""
                where = f"<meta {prop}>"
                if value.startswith(("http://", "https://", "//", "/")) and prop.startswith(
                    ("og:", "twitter:")
                ):
                    self.found.follow.append((value, where))
            self._absolute(value, where)

    def handle_data(self, data):
        self._absolute(data, "text")


def collect(html):
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser.found


XML_NAMESPACE = re.compile(r"""\sxmlns(?::[\w-]+)?\s*=\s*["'][^"']*["']""")


def absolute_in_text(text, where):
    """Absolute addresses in a non-HTML answer (sitemap, robots.txt, feed, calendar, SVG).
    XML namespace names (`xmlns="http://www.w3.org/2000/svg"`) are names, not links."""
    return [(match, where) for match in ABSOLUTE_URL.findall(XML_NAMESPACE.sub(" ", text))]


def sitemap_locations(xml):
    return re.findall(r"<loc>\s*([^<\s]+)\s*</loc>", xml)


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def resolve(base_page, value):
    """The absolute address `value` stands for on `base_page` (fragment dropped), or None
    for what is not an address of any host (mailto:, tel:, a fragment alone…)."""
    value = value.strip()
    if not value or value.lower().startswith(NOT_A_HOST):
        return None
    return urldefrag(urljoin(base_page, value))[0]
