"""Lighthouse (mobile) on the home, a story, the gestures catalogue and the sign-up page, in
French and in English, against the production site (gunicorn, campaign.settings.production,
the demo content).

    .venv/bin/python bench/lighthouse.py            # installs Lighthouse into var/ once
    .venv/bin/python bench/lighthouse.py --fresh    # rebuilds the database first
    .venv/bin/python bench/lighthouse.py --direct   # gunicorn alone, without deploy/'s nginx
    .venv/bin/python bench/lighthouse.py --runs 5   # runs per page (3 by default)

Lighthouse comes from npm into var/lighthouse (`npm install --prefix var/lighthouse
lighthouse`), not into the project's dependencies; it drives Debian's Chromium
(CHROME_PATH=/usr/bin/chromium, headless, no sandbox). Lighthouse's default mobile run:
a mid-range phone's screen and a simulated slow 4G and 4x slower CPU.

Each page is run --runs times and the run of median performance is reported (Lighthouse's
advice: a single run on a busy machine varies by several points). Prints, per page, the
performance / accessibility / best practices / SEO scores (0-100), the main metrics, and
every audit that does not pass; the full reports are written as JSON to
var/lighthouse/reports/. Goals (issue 14): performance >= 95, the three others 100.
Scores are measurements of this machine at this moment: nothing here asserts them.

By default the pages go through deploy/'s nginx site (rendered by deploy/render-nginx.sh for
loopback and run under var/lighthouse/nginx, Debian's nginx with the cache-purge module), as
in production: nginx compresses the HTML (gzip) and serves /static/ and /media/images/
itself. Before Lighthouse runs, each page is requested once from gunicorn directly, so that
the workers have loaded their code and templates (the first request of a cold worker takes
seconds); nginx's own cache is still empty when Lighthouse asks.

Over plain http on loopback: Lighthouse counts http://127.0.0.1 and localhost as secure
(its is-on-https audit lists them as secure origins), so no HTTPS audit fails here; the
deployed site is served over TLS by the proxy (deploy/).
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BASE_DIR,
    PYTHON,
    free_port,
    manage,
    production_env,
    production_server,
    run_pending_tasks,
)

VAR = BASE_DIR / "var" / "lighthouse"
LIGHTHOUSE = VAR / "node_modules" / ".bin" / "lighthouse"
REPORTS = VAR / "reports"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
GOALS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
METRICS = [
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
]
PAGES = ["home", "story", "gestures catalogue", "sign-up page"]

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


def install_lighthouse():
    if LIGHTHOUSE.exists():
        return
    VAR.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603
        ["npm", "install", "--prefix", str(VAR), "--no-audit", "--no-fund", "lighthouse"],  # noqa: S607
        check=True,
    )


def site_env():
    return production_env(
        database_url=f"sqlite:///{VAR / 'site.sqlite3'}",
        STATIC_ROOT=str(VAR / "static"),
        MEDIA_ROOT=str(VAR / "media"),
        # Production requires Redis (the page cache and the rate limits); a database of
        # its own on the local server so that other benches' keys are not touched.
        REDIS_URL=os.environ.get("LIGHTHOUSE_REDIS_URL", "redis://127.0.0.1:6379/14"),
    )


def prepare(env, fresh):
    database = VAR / "site.sqlite3"
    if fresh:
        database.unlink(missing_ok=True)
        shutil.rmtree(VAR / "media", ignore_errors=True)
    if not database.exists():
        manage("migrate", "--noinput", env=env)
        manage("import_communes", "--quiet", env=env)
        manage("load_demo", "--force", env=env)
        run_pending_tasks(env)
    # Always: the stylesheet and scripts measured are the working tree's.
    manage("collectstatic", "--noinput", "--clear", env=env)
    # Start from an empty page cache so that the first page is rendered by this code.
    subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "shell", "-c", "from django.core.cache import cache; cache.clear()"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def page_urls(env):
    out = subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", URLS_SNIPPET],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


@contextlib.contextmanager
def deploy_nginx(upstream_url):
    """deploy/'s nginx site in front of `upstream_url`, under var/lighthouse/nginx (the way
    tests/e2e/test_deploy_nginx.py runs it)."""
    folder = VAR / "nginx"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "tmp").mkdir(parents=True)
    port = free_port()
    site = subprocess.run(  # noqa: S603
        ["sh", str(BASE_DIR / "deploy" / "render-nginx.sh")],  # noqa: S607
        env={
            "PATH": os.environ["PATH"],
            "TV_SERVER_NAME": "127.0.0.1 localhost",
            "TV_LISTEN": f"127.0.0.1:{port}",
            "TV_UPSTREAM": upstream_url.removeprefix("http://"),
            "TV_STATIC_ROOT": str(VAR / "static"),
            "TV_MEDIA_ROOT": str(VAR / "media"),
            "TV_CACHE_DIR": str(folder / "cache"),
        },
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    (folder / "site.conf").write_text(site)
    temp = "".join(
        f"  {kind}_temp_path {folder}/tmp/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + "load_module /usr/lib/nginx/modules/ngx_http_cache_purge_module.so;\n"
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nworker_processes 1;\n"
        "events { worker_connections 512; }\nhttp {\n  include /etc/nginx/mime.types;\n"
        f"  default_type application/octet-stream;\n  sendfile on;\n"
        f"  access_log {folder}/access.log;\n{temp}  include {folder}/site.conf;\n}}\n"
    )
    conf = ["-p", str(folder), "-c", str(folder / "nginx.conf")]
    subprocess.run(["nginx", *conf, "-t", "-q"], check=True)  # noqa: S603, S607
    process = subprocess.Popen(["nginx", *conf, "-g", "daemon off;"], start_new_session=True)  # noqa: S603, S607
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("nginx did not start: see var/lighthouse/nginx/error.log")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGQUIT)
        process.wait(timeout=15)


def warm_up(base_url, paths):
    """Each worker loads its code and templates before anything is measured."""
    for _round in range(3):
        for path in paths:
            with urllib.request.urlopen(base_url + path, timeout=60) as response:  # noqa: S310
                response.read()


def run_lighthouse(url, report_path):
    env = dict(os.environ, CHROME_PATH=CHROME)
    subprocess.run(  # noqa: S603
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report_path}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox",
        ],
        env=env,
        check=True,
    )
    return json.loads(report_path.read_text())


def scores_of(report):
    return {c: round((report["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}


def failing_audits(report):
    """Audits of the four categories that do not pass: a metric below 0.9 (Lighthouse's
    green), any other audit below 1; manual, informative and not applicable ones aside."""
    found = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if audit["scoreDisplayMode"] in {"manual", "notApplicable", "informative"}:
                continue
            if audit["score"] is None:
                continue
            threshold = 0.9 if ref.get("group") == "metrics" else 1
            if audit["score"] < threshold:
                value = audit.get("displayValue", "")
                found.append(f"{category}: {audit['id']} ({audit['score']}) {value}".rstrip())
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", action="store_true", help="rebuild the database first")
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per page; the median one is reported"
    )
    parser.add_argument(
        "--direct", action="store_true", help="gunicorn alone, without deploy/'s nginx in front"
    )
    args = parser.parse_args()
    install_lighthouse()
    version = subprocess.run(  # noqa: S603
        [str(LIGHTHOUSE), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    env = site_env()
    prepare(env, args.fresh)
    urls = page_urls(env)
    REPORTS.mkdir(parents=True, exist_ok=True)
    rows = []
    with contextlib.ExitStack() as stack:
        app_url = stack.enter_context(production_server(env, workers=2, threads=2))
        warm_up(app_url, [urls[lang][name] for lang in urls for name in PAGES])
        base_url = app_url if args.direct else stack.enter_context(deploy_nginx(app_url))
        front = "gunicorn alone" if args.direct else "deploy/'s nginx in front of gunicorn"
        print(f"Lighthouse {version}, mobile, Chromium {CHROME}, {front}, {base_url}")
        for name in PAGES:
            for lang in ("fr", "en"):
                url = base_url + urls[lang][name]
                slug = f"{name.replace(' ', '-')}-{lang}"
                runs = []
                for number in range(args.runs):
                    report = run_lighthouse(url, REPORTS / f"{slug}-{number + 1}.json")
                    runs.append(report)
                    print(f"  {name} ({lang}) run {number + 1}: {scores_of(report)}", flush=True)
                # Lighthouse's own advice: of several runs, keep the one of median performance.
                runs.sort(key=lambda r: r["categories"]["performance"]["score"] or 0)
                report = runs[len(runs) // 2]
                metrics = {m: report["audits"][m].get("displayValue", "?") for m in METRICS}
                performances = [scores_of(r)["performance"] for r in runs]
                rows.append(
                    (name, lang, scores_of(report), metrics, failing_audits(report), performances)
                )

    print()
    print(
        "| page | language | performance | accessibility | best practices | SEO | FCP | LCP "
        "| TBT | CLS |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, lang, scores, metrics, _failing, _performances in rows:
        print(
            f"| {name} | {lang} | {scores['performance']} | {scores['accessibility']} | "
            f"{scores['best-practices']} | {scores['seo']} | "
            f"{metrics['first-contentful-paint']} | {metrics['largest-contentful-paint']} | "
            f"{metrics['total-blocking-time']} | {metrics['cumulative-layout-shift']} |"
        )
    print()
    below = []
    for name, lang, scores, _metrics, failing, performances in rows:
        for category, goal in GOALS.items():
            if scores[category] < goal:
                below.append(f"{name} ({lang}) {category} {scores[category]} < {goal}")
        if failing:
            print(
                f"{name} ({lang}), performance of each run {performances}, median run's audits "
                "that do not pass:"
            )
            for line in failing:
                print(f"    {line}")
    print()
    print("Below the goals: " + ("; ".join(below) if below else "none"))
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
