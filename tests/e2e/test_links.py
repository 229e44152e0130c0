"""Link check of the whole public site, in French and in English: every page the sitemap lists
(it lists both languages), every address those pages hand out, followed once with a plain
HTTP client. No dead link, and no absolute address that leads anywhere but the site's one
public address (`live_site.base_url`, the e2e site's WAGTAILADMIN_BASE_URL): not `localhost`,
not another port, in links, images, Open Graph and canonical tags, hreflang alternates, the
sitemap, robots.txt, the RSS feeds, nor in the downloads' printed text and QR codes.

The summary line is printed and written to var/e2e/linkcheck.txt."""

import io
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qsl, unquote, urlsplit

from . import linkcheck
from .conftest import OUT_DIR

OUT = OUT_DIR

# The only other hosts the site's pages may name, and why (the demo content's own external
# links are the Défenseur des droits'). Share buttons carry the page's own address in their
# query: that address is checked like any other. External links are not fetched.
ALLOWED_EXTERNAL = {
    ("www.facebook.com", "/sharer/sharer.php"): "story share button",
    ("www.linkedin.com", "/sharing/share-offsite/"): "story share button",
    ("mastodon.social", "/share"): "story share button",
    ("bsky.app", "/intent/compose"): "story share button",
    ("wa.me", "/"): "story share button",
    ("formulaire.defenseurdesdroits.fr", "/"): "accessibility statement: recourse (RGAA)",
    ("www.defenseurdesdroits.fr", "/saisir/delegues"): "accessibility statement: recourse",
    ("schema.org", ""): "JSON-LD vocabulary (@context), not a link",
    ("schema.org", "/"): "JSON-LD vocabulary (@context), not a link",
}
REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5


def _language(url):
    return "en" if urlsplit(url).path.startswith("/en/") else "fr"


def _get(url):
    return linkcheck.fetch(url, accept_language=_language(url))


def _on_this_site(url, base_url):
    parts = urlsplit(url)
    if linkcheck.origin(url) == base_url:
        return url
    return base_url + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _final(url, base_url):
    """Follow this site's redirects; (final response, chain of (status, url))."""
    chain = []
    response = _get(url)
    while response.status in REDIRECTS and len(chain) < MAX_REDIRECTS:
        chain.append((response.status, response.url))
        target = linkcheck.resolve(response.url, response.location)
        if not target or linkcheck.origin(target) != base_url:
            break
        response = _get(target)
    return response, chain


def _pdf_addresses(body):
    """The addresses a reader of a PDF meets: its text and its QR codes."""
    import pypdfium2
    import zxingcpp

    found = []
    document = pypdfium2.PdfDocument(body)
    try:
        for index, page in enumerate(document):
            text = page.get_textpage().get_text_range().replace("\ufffe", "-").replace("\r\n", "")
            found += linkcheck.absolute_in_text(text, f"PDF page {index + 1} text")
            bitmap = page.render(scale=2).to_pil()
            for code in zxingcpp.read_barcodes(bitmap):
                found.append((code.text, f"PDF page {index + 1} QR code"))
    finally:
        document.close()
    return found


def _image_addresses(body):
    import zxingcpp
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(body))
        image.load()
    except Exception:  # noqa: BLE001 (not an image we can read: nothing to decode)
        return []
    return [(code.text, "image QR code") for code in zxingcpp.read_barcodes(image)]


class Problems:
    def __init__(self, base_url):
        self.base_url = base_url
        self.dead = set()
        self.foreign = set()

    def check_address(self, address, where, page):
        """An absolute address met anywhere: this site's, or a known external service."""
        parts = urlsplit(address)
        if "localhost" in address.lower():
            self.foreign.add(f"{address} ({where}) on {page}")
            return
        if parts.scheme not in ("http", "https"):
            return
        if linkcheck.origin(address) == self.base_url:
            return
        key = (parts.hostname or "", parts.path)
        if key not in ALLOWED_EXTERNAL:
            self.foreign.add(f"{address} ({where}) on {page}")
            return
        # A share button's query carries the page's address: that one must be ours too.
        for _name, value in parse_qsl(parts.query):
            for inner in linkcheck.absolute_in_text(unquote(value), where):
                self.check_address(inner[0], f"{where}, shared address", page)


def test_no_dead_link_and_no_foreign_address(live_site):
    base_url = live_site.base_url.rstrip("/").lower()
    problems = Problems(base_url)

    sitemap = _get(live_site.url("/sitemap.xml"))
    assert sitemap.status == 200, sitemap.status
    pages = linkcheck.sitemap_locations(sitemap.text())
    for address, where in linkcheck.absolute_in_text(sitemap.text(), "sitemap.xml"):
        problems.check_address(address, where, "/sitemap.xml")
    assert len(pages) > 50, f"the sitemap lists only {len(pages)} pages"
    assert any("/en/" in page for page in pages), "the sitemap lists no English page"
    assert any("/en/" not in page for page in pages), "the sitemap lists no French page"

    robots = _get(live_site.url("/robots.txt"))
    assert robots.status == 200
    for address, where in linkcheck.absolute_in_text(robots.text(), "robots.txt"):
        problems.check_address(address, where, "/robots.txt")

    # 1. Every page of the sitemap answers 200 and hands out only addresses of its own. A
    # location on another host is reported above and never fetched there: its path is
    # crawled on this site, so that a wrong host does not hide dead pages.
    pages = list(dict.fromkeys(_on_this_site(page, base_url) for page in pages))
    links = {}  # address -> (first page where seen, where on it)
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(_get, pages))
    for page, response in zip(pages, responses, strict=True):
        if response.status != 200:
            problems.dead.add(f"{response.status} {page} (sitemap)")
            continue
        found = linkcheck.collect(response.text())
        for address, where in found.absolute:
            problems.check_address(address, where, page)
        for value, where in found.follow:
            address = linkcheck.resolve(page, value)
            if address is None:
                continue
            if linkcheck.origin(address) != base_url:
                problems.check_address(address, where, page)
                continue
            links.setdefault(address, (page, where))

    # 2. Every address of this site found on them, once: 200, or a redirect to a 200; what
    # it answers is read too (an HTML page, a feed, a PDF's text and QR codes).
    to_check = sorted(links)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda url: _final(url, base_url), to_check))
    for address, (response, chain) in zip(to_check, results, strict=True):
        page, where = links[address]
        if response.status != 200:
            hops = " -> ".join(f"{status} {url}" for status, url in chain)
            problems.dead.add(
                f"{response.status} {address} ({where} on {page})"
                + (f" via {hops}" if hops else "")
            )
            continue
        if response.is_html:
            # The pages the sitemap does not list (forms, commune pages…) are read the same
            # way; their own links are not followed further.
            collected = linkcheck.collect(response.text())
            found = collected.absolute + [
                (linkcheck.resolve(response.url, value), attr)
                for value, attr in collected.follow
                if linkcheck.resolve(response.url, value)
            ]
        elif response.is_text:
            text = response.text()
            if "text/calendar" in response.content_type:
                # iCalendar folds lines longer than 75 octets (RFC 5545 3.1): unfold them, or
                # an address cut in two reads as two.
                text = re.sub(r"\r?\n[ \t]", "", text)
            found = linkcheck.absolute_in_text(text, response.content_type)
        elif "pdf" in response.content_type:
            found = _pdf_addresses(response.body)
        elif response.content_type.startswith("image/png") and "/media/" not in address:
            found = _image_addresses(response.body)
        else:
            found = []
        for found_address, found_where in found:
            problems.check_address(found_address, found_where, address)

    summary = (
        f"link check: {len(pages)} pages crawled, {len(to_check)} links checked, "
        f"{len(problems.dead)} dead, {len(problems.foreign)} foreign/localhost"
    )
    details = [summary, f"site: {base_url}"]
    if problems.dead:
        details += ["", "dead links:"] + [f"  {line}" for line in sorted(set(problems.dead))]
    if problems.foreign:
        details += ["", "foreign or localhost addresses:"] + [
            f"  {line}" for line in sorted(set(problems.foreign))
        ]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "linkcheck.txt").write_text("\n".join(details) + "\n", encoding="utf-8")
    print(summary)
    shown = "\n".join(details[:80])
    assert not problems.dead and not problems.foreign, shown
    assert len(to_check) > len(pages), "too few links found: the crawl read nothing"
