"""Page weight in a real browser: the home, a story, the gestures catalogue and the sign-up
page, in French and in English, loaded once with an empty cache in Chromium against the
production site (gunicorn, WhiteNoise, the demo content).

What is counted comes from the browser itself through the DevTools protocol: every request of
the first load (until the network is idle), its bytes on the wire (`Network.loadingFinished`
encodedDataLength: headers and compressed body), its resource type (Script for JavaScript);
the DOM's size is `document.querySelectorAll('*').length`. These are sizes, not timings.

Budgets (issue 14): ≤ 300 KB transferred, ≤ 20 requests, ≤ 50 KB of JavaScript, ≤ 600 DOM
elements. Beside them: nothing that blocks rendering without need (every script deferred, one
stylesheet), every request to the site itself (no third-party font, script or CDN), the
images below the fold lazy with their width and height, and the photos fetched as AVIF or
WebP no wider than about twice their displayed size.

The figures of each run are written to var/e2e/page-weight.txt (docs/PERFORMANCE.md quotes
them).
"""

import json
from urllib.parse import urlsplit

import pytest

from .conftest import LANGUAGES, OUT_DIR

KB = 1024
BUDGET_BYTES = 300 * KB
BUDGET_REQUESTS = 20
BUDGET_JS_BYTES = 50 * KB
BUDGET_DOM_ELEMENTS = 600
# A desktop window at a device pixel ratio of 1: the browser picks from a srcset the smallest
# candidate that covers the displayed width, so a photo more than twice as wide as its box is
# one the template offers too big.
VIEWPORT = {"width": 1280, "height": 800}
MAX_IMAGE_RATIO = 2.0
REPORT_FILE = OUT_DIR / "page-weight.txt"
PAGES = ["home", "story", "gestures catalogue", "sign-up page"]
PAGES_WITH_PHOTOS = {"home", "story"}

# Where each page is in each language, asked of the site (the English slugs are translated).
URLS_SNIPPET = """
import json
from wagtail.models import Locale
from home.models import HomePage
from stories.models import StoryPage
from gestures.models import GestureIndexPage
from volunteers.models import VolunteerSignupPage
urls = {}
for lang in ("fr", "en"):
    locale = Locale.objects.get(language_code=lang)
    def first(model):
        page = model.objects.live().filter(locale=locale).order_by("path").first()
        return page.get_url() if page else None
    urls[lang] = {
        "home": first(HomePage),
        "story": first(StoryPage),
        "gestures catalogue": first(GestureIndexPage),
        "sign-up page": first(VolunteerSignupPage),
    }
print(json.dumps(urls))
"""

# What the page itself says about its images and its render-blocking resources, read before
# anything is scrolled (so that "below the fold" means below the first screen).
PAGE_FACTS_JS = """() => {
  const fold = window.innerHeight;
  const images = [...document.images].map((img) => {
    const rect = img.getBoundingClientRect();
    return {
      src: img.getAttribute("src"),
      top: rect.top + window.scrollY,
      visible: rect.width > 0 && rect.height > 0,
      loading: img.getAttribute("loading"),
      width: img.getAttribute("width"),
      height: img.getAttribute("height"),
    };
  });
  return {
    fold,
    dom: document.querySelectorAll("*").length,
    images,
    stylesheets: [...document.querySelectorAll('link[rel~="stylesheet"]')].map((link) => ({
      href: link.getAttribute("href"),
      media: link.getAttribute("media"),
      inHead: link.parentElement === document.head,
    })),
    // Only what the browser runs (structured data, application/ld+json, is not a script).
    scripts: [...document.scripts]
      .filter((script) => ["", "text/javascript", "module"].includes(script.type))
      .map((script) => ({
      src: script.getAttribute("src"),
      defer: script.defer,
      async: script.async,
      module: script.type === "module",
      inHead: script.parentElement === document.head,
    })),
  };
}"""

# Each image the browser shows once everything is scrolled into view: the file it chose
# and how wide it is against its box.
LOADED_IMAGES_JS = """() => [...document.images]
  .filter((img) => img.currentSrc && img.complete && img.naturalWidth > 0)
  .map((img) => ({
    src: img.currentSrc,
    natural: img.naturalWidth,
    shown: img.getBoundingClientRect().width,
  }))"""

_REPORT = []


@pytest.fixture(scope="module")
def urls(live_site):
    found = json.loads(live_site.shell(URLS_SNIPPET))
    for lang, pages in found.items():
        missing = [name for name, url in pages.items() if not url]
        assert not missing, f"{lang}: no page for {missing}"
    return found


@pytest.fixture(scope="module", autouse=True)
def report_file():
    yield
    if not _REPORT:
        return
    REPORT_FILE.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        f"First load, empty cache, Chromium {VIEWPORT['width']}x{VIEWPORT['height']} at DPR 1; "
        f"budgets {BUDGET_BYTES // KB} KB, {BUDGET_REQUESTS} requests, "
        f"{BUDGET_JS_BYTES // KB} KB JS, {BUDGET_DOM_ELEMENTS} DOM elements",
        "",
        "| page | language | transferred KB | requests | JS KB | CSS KB | images KB "
        "| DOM elements |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for entry in sorted(_REPORT, key=lambda e: (PAGES.index(e["page"]), e["lang"])):
        lines.append(
            f"| {entry['page']} | {entry['lang']} | {entry['bytes'] / KB:.1f} | "
            f"{entry['requests']} | {entry['js'] / KB:.1f} | {entry['css'] / KB:.1f} | "
            f"{entry['images'] / KB:.1f} | {entry['dom']} |"
        )
    lines.append("")
    for entry in sorted(_REPORT, key=lambda e: (PAGES.index(e["page"]), e["lang"])):
        lines.append(f"{entry['page']} ({entry['lang']}) {entry['path']}:")
        lines += [f"    {line}" for line in entry["listing"]]
    REPORT_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")


class FirstLoad:
    """One page opened in a fresh browser context (an empty cache), every request of the load
    recorded from the DevTools protocol's Network domain."""

    def __init__(self, browser, live_site, lang, path):
        self.context = browser.new_context(
            locale="fr-FR" if lang == "fr" else "en-GB",
            viewport=VIEWPORT,
            device_scale_factor=1,
        )
        self.page = self.context.new_page()
        self.requests = {}
        self.failed = []
        cdp = self.context.new_cdp_session(self.page)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", lambda e: self.failed.append(e))
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.send("Network.enable")
        self.response = self.page.goto(live_site.url(path), wait_until="networkidle")
        self.facts = self.page.evaluate(PAGE_FACTS_JS)
        # The load is over: what the page fetches from here on (lazy images scrolled into
        # view) is not part of the first load. The cache starts empty (a new context), but a
        # file asked for twice in one load (the logo, also the tab's icon) is taken from the
        # cache the second time: that is no request on the network.
        self.first_load = {
            rid: dict(r) for rid, r in self.requests.items() if not r.get("from_cache")
        }

    def _sent(self, event):
        self.requests.setdefault(event["requestId"], {})["url"] = event["request"]["url"]
        self.requests[event["requestId"]]["type"] = event.get("type", "Other")

    def _received(self, event):
        entry = self.requests.setdefault(event["requestId"], {})
        entry["type"] = event["type"]
        entry["mime"] = event["response"]["mimeType"]
        entry["status"] = event["response"]["status"]
        entry.setdefault("url", event["response"]["url"])
        if event["response"].get("fromDiskCache") or event["response"].get("fromPrefetchCache"):
            entry["from_cache"] = True

    def _from_cache(self, event):
        self.requests.setdefault(event["requestId"], {})["from_cache"] = True

    def _finished(self, event):
        self.requests.setdefault(event["requestId"], {})["bytes"] = event["encodedDataLength"]

    def total(self, types=None):
        return sum(
            r.get("bytes", 0)
            for r in self.first_load.values()
            if types is None or r.get("type") in types
        )

    def scroll_everything_into_view(self):
        """Scroll down a screen at a time so that every lazy image is fetched."""
        height = self.page.evaluate("document.documentElement.scrollHeight")
        for y in range(0, height + VIEWPORT["height"], VIEWPORT["height"] // 2):
            self.page.evaluate(f"window.scrollTo(0, {y})")
            self.page.wait_for_load_state("networkidle")
        self.page.wait_for_function(
            "() => [...document.images].every((img) => img.complete)", timeout=10_000
        )

    def close(self):
        self.context.close()


@pytest.fixture
def first_load(browser, live_site, urls):
    opened = []

    def open_page(lang, name):
        load = FirstLoad(browser, live_site, lang, urls[lang][name])
        opened.append(load)
        return load

    yield open_page
    for load in opened:
        load.close()


def _record(load, lang, name, path):
    listing = [
        f"{r.get('bytes', 0) / KB:6.1f} KB  {r.get('type', '?'):<10} {r.get('mime', '?'):<24} "
        f"{urlsplit(r.get('url', '')).path}"
        for r in sorted(load.first_load.values(), key=lambda r: -r.get("bytes", 0))
    ]
    entry = {
        "page": name,
        "lang": lang,
        "path": path,
        "bytes": load.total(),
        "requests": len(load.first_load),
        "js": load.total({"Script"}),
        "css": load.total({"Stylesheet"}),
        "images": load.total({"Image"}),
        "dom": load.facts["dom"],
        "listing": listing,
    }
    _REPORT.append(entry)
    return entry


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_first_load_within_budget(first_load, live_site, urls, lang, name):
    load = first_load(lang, name)
    assert load.response.status == 200
    figures = _record(load, lang, name, urls[lang][name])
    where = f"{name} ({lang}) {urls[lang][name]}:\n" + "\n".join(figures["listing"])
    assert not load.failed, f"{where}\nfailed requests: {load.failed}"
    # Bytes are counted only once a request has finished: none may be left uncounted.
    unfinished = [r.get("url") for r in load.first_load.values() if "bytes" not in r]
    assert not unfinished, f"{where}\nunfinished requests: {unfinished}"
    assert figures["bytes"] <= BUDGET_BYTES, f"{figures['bytes']} bytes transferred; {where}"
    assert figures["requests"] <= BUDGET_REQUESTS, f"{figures['requests']} requests; {where}"
    assert figures["js"] <= BUDGET_JS_BYTES, f"{figures['js']} bytes of JavaScript; {where}"
    assert figures["dom"] <= BUDGET_DOM_ELEMENTS, f"{figures['dom']} DOM elements; {where}"
    # Self-hosted only: no font, script or image from anyone else (design: no third party).
    foreign = [
        r["url"]
        for r in load.first_load.values()
        if not r["url"].startswith((live_site.base_url + "/", "data:"))
    ]
    assert not foreign, f"requests to third parties: {foreign}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_nothing_blocks_rendering_without_need(first_load, lang, name):
    load = first_load(lang, name)
    facts = load.facts
    blocking_scripts = [
        s for s in facts["scripts"] if not (s["src"] and (s["defer"] or s["async"] or s["module"]))
    ]
    assert not blocking_scripts, f"{name} ({lang}): scripts that block parsing: {blocking_scripts}"
    # One stylesheet for the whole site, in <head>: a second file is a second round trip
    # before the first paint, and a stylesheet in <body> blocks rendering where it stands.
    assert len(facts["stylesheets"]) == 1, f"{name} ({lang}): {facts['stylesheets']}"
    assert facts["stylesheets"][0]["inHead"], facts["stylesheets"]
    fetched_css = [r["url"] for r in load.first_load.values() if r.get("type") == "Stylesheet"]
    assert len(fetched_css) == 1, fetched_css
    # No web font to wait for (the site uses the system's fonts).
    fonts = [r["url"] for r in load.first_load.values() if r.get("type") == "Font"]
    assert not fonts, fonts


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_images_lazy_below_the_fold_modern_formats_and_sized(first_load, lang, name):
    load = first_load(lang, name)
    facts = load.facts
    where = f"{name} ({lang})"
    unsized = [i["src"] for i in facts["images"] if not (i["width"] and i["height"])]
    assert not unsized, f"{where}: images without width and height: {unsized}"
    eager_below = [
        i["src"]
        for i in facts["images"]
        if i["visible"] and i["top"] >= facts["fold"] and i["loading"] != "lazy"
    ]
    assert not eager_below, f"{where}: images below the fold not loading=lazy: {eager_below}"

    load.scroll_everything_into_view()
    photos = [
        r
        for r in load.requests.values()
        if r.get("type") == "Image" and r.get("mime") != "image/svg+xml"
    ]
    modern = {"image/avif", "image/webp"}
    old_formats = [(r["url"], r.get("mime")) for r in photos if r.get("mime") not in modern]
    assert not old_formats, f"{where}: photos not in AVIF or WebP: {old_formats}"
    if name in PAGES_WITH_PHOTOS:
        # The demo's home and story show photos: without any, the checks here prove nothing.
        assert photos, f"{where}: no photo fetched"
    too_wide = [
        i
        for i in load.page.evaluate(LOADED_IMAGES_JS)
        if not i["src"].endswith(".svg") and i["natural"] > MAX_IMAGE_RATIO * i["shown"] + 1
    ]
    assert not too_wide, f"{where}: images more than {MAX_IMAGE_RATIO}x their box: {too_wide}"
