"""Real-browser journeys: Playwright driving Debian's Chromium (/usr/bin/chromium, no browser
download) against the site served by gunicorn with the production settings and a real task
worker (tests/e2e/site.py).

Without Chromium the journeys are skipped and the run says so loudly; with `E2E_REQUIRED=1`
(set by .ci/run) a missing Chromium, Playwright, nginx or nginx's cache purge module (the
deploy/ site, test_deploy_nginx.py) is an error, never a silent skip.
"""

import json
import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("E2E_REQUIRED", "") == "1"
E2E_DIR = Path(__file__).parent
OUT_DIR = Path(os.environ.get("E2E_OUT") or E2E_DIR.parents[1] / "var" / "e2e")
LANGUAGES = ["fr", "en"]
NGINX_PURGE_MODULE = Path("/usr/lib/nginx/modules/ngx_http_cache_purge_module.so")


def _why_not_runnable():
    if not Path(CHROMIUM).exists() or not shutil.which(CHROMIUM):
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (make install)"
    # test_deploy_nginx.py runs deploy/'s nginx site with Debian's purge module.
    if not shutil.which("nginx"):
        return "nginx not found (apt-get install -y nginx libnginx-mod-http-cache-purge)"
    if not NGINX_PURGE_MODULE.exists():
        return (
            f"nginx's cache purge module not found at {NGINX_PURGE_MODULE} "
            "(apt-get install -y libnginx-mod-http-cache-purge)"
        )
    return ""


def pytest_collection_modifyitems(config, items):
    e2e_items = [item for item in items if Path(str(item.fspath)).is_relative_to(E2E_DIR)]
    for item in e2e_items:
        item.add_marker(pytest.mark.e2e)
    reason = _why_not_runnable()
    config._e2e_status = {"collected": len(e2e_items), "skipped_reason": reason}
    if not reason or not e2e_items:
        return
    if REQUIRED:
        raise pytest.UsageError(f"E2E_REQUIRED=1 but the e2e journeys cannot run: {reason}")
    for item in e2e_items:
        item.add_marker(pytest.mark.skip(reason=f"e2e skipped: {reason}"))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    status = getattr(config, "_e2e_status", None)
    if not status or not status["collected"]:
        return
    if status["skipped_reason"]:
        terminalreporter.write_sep("!", "REAL-BROWSER JOURNEYS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(
            f"{status['collected']} e2e tests were NOT run: {status['skipped_reason']}"
        )
        return
    stats = terminalreporter.stats
    counts = {
        outcome: len([r for r in stats.get(outcome, []) if "tests/e2e/" in r.nodeid])
        for outcome in ("passed", "failed", "error", "skipped")
    }
    terminalreporter.write_sep("=", "real-browser journeys (tests/e2e)")
    terminalreporter.write_line(
        f"e2e: {counts['passed']} passed, {counts['failed']} failed, {counts['error']} errors, "
        f"of {status['collected']} collected; screenshots in var/e2e/"
    )
    # .ci/run reads this to fail a run in which the journeys did not all run and pass.
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "summary.json").write_text(
        json.dumps({"collected": status["collected"], **counts}) + "\n"
    )


@pytest.fixture(scope="session")
def live_site():
    from .site import LiveSite

    site = LiveSite().start()
    yield site
    site.stop()


@pytest.fixture(scope="session")
def deployed(live_site):
    """The site behind deploy/'s nginx (tests/e2e/nginx.py), started once per run."""
    from .nginx import deployed_site

    with deployed_site(live_site) as nginx:
        yield nginx


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )
    yield browser
    browser.close()


class Visitor:
    """A browser context as one person uses it: a language and JavaScript on or off.
    `path(name)` knows where things are in each language."""

    def __init__(self, context, site, lang, js):
        self.context = context
        self.site = site
        self.lang = lang
        self.js = js
        self.page = context.new_page()
        self.dialogs = []
        self.page.on("dialog", self._dialog)
        self.server_errors = []
        self.page.on(
            "response",
            lambda response: (
                response.status >= 500
                and self.server_errors.append(f"{response.status} {response.url}")
            ),
        )

    def _dialog(self, dialog):
        # A dialog nobody asked for (alert(), confirm()) is what injected script does.
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def goto(self, path, expect_status=200):
        response = self.page.goto(self.site.url(path))
        if expect_status is not None:
            assert response.status == expect_status, f"{path}: {response.status}"
        return response

    def status(self):
        """The HTTP status of the page now shown (a 404 page has a heading too)."""
        return self.page.evaluate(
            "() => performance.getEntriesByType('navigation')[0].responseStatus"
        )

    def home(self):
        return "/" if self.lang == "fr" else "/en/"

    def shot(self, name):
        folder = OUT_DIR
        folder.mkdir(parents=True, exist_ok=True)
        suffix = f"{self.lang}-{'js' if self.js else 'nojs'}"
        path = folder / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}-{suffix}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def html_lang(self):
        return self.page.locator("html").get_attribute("lang")


@pytest.fixture
def visitor_factory(browser, live_site):
    contexts = []

    def make(lang="fr", js=True, **options):
        context = browser.new_context(
            java_script_enabled=js,
            locale="fr-FR" if lang == "fr" else "en-GB",
            **options,
        )
        contexts.append(context)
        return Visitor(context, live_site, lang, js)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def outbox(live_site):
    return live_site.outbox
