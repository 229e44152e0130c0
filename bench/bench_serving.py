"""Serving a page four ways, side by side in one run (issue 14, "Must show"):

  static    nginx serving a saved copy of the page's HTML (the limit)
  proxy     the page through the proxy cache of deploy/nginx/tousvoisins.conf (a HIT)
  app       gunicorn directly, the application's page cache on (campaign/cache.py)
  uncached  gunicorn directly, the page cache off (PAGE_CACHE_ENABLED=false)

for the home, a story, the story index, the gestures catalogue and the sign-up page, in
interleaved rounds (page by page, the four ways one after the other), each measured with wrk
(`wrk -t2 -c8 -d5s --latency`). Every figure is also given as a ratio to the static figure of
the same page in the same round; the table shows the medians over the rounds. The SQL query
count per page is measured in-process with Django's test client (CaptureQueriesContext), the
page cache off.

Production settings, demo content, SQLite, Redis for the cache, gunicorn with 2 sync workers
(gunicorn.conf.py, GUNICORN_MAX_REQUESTS=0 so that no worker is replaced mid-measure), one
nginx with 2 worker processes serving both the static copies and the proxy.

    .venv/bin/python bench/bench_serving.py [--rounds 3] [--duration 5]

Nothing here asserts a timing: the figures go to docs/PERFORMANCE.md.
"""

import argparse
import contextlib
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BASE_DIR,
    PYTHON,
    VAR,
    free_port,
    manage,
    production_env,
    run_pending_tasks,
)

OUT = VAR / "serving"
WAYS = ("static", "proxy", "app", "uncached")
PURGE_MODULE = "/usr/lib/nginx/modules/ngx_http_cache_purge_module.so"

PAGES_CODE = """
from stories.models import StoryIndexPage, StoryPage
from gestures.models import GestureIndexPage
from volunteers.models import VolunteerSignupPage
def fr(model):
    return model.objects.live().filter(locale__language_code="fr").order_by("path").first().url
import json
print(json.dumps({
    "home": "/",
    "story": fr(StoryPage),
    "story index": fr(StoryIndexPage),
    "catalogue": fr(GestureIndexPage),
    "sign-up": fr(VolunteerSignupPage),
}))
"""

QUERIES_CODE = """
import json, statistics, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
pages = json.loads({pages!r})
client = Client(HTTP_HOST="127.0.0.1")
out = {{}}
for name, path in pages.items():
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    out[name] = len(queries)
print(json.dumps(out))
"""


def shell(code, env):
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1]


def wait_for_port(port, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=2).connect()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@contextlib.contextmanager
def gunicorn(env, name, port=None):
    port = port or free_port()
    log = open(OUT / f"gunicorn-{name}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        [PYTHON, "-m", "gunicorn", "campaign.wsgi"],
        cwd=BASE_DIR,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(port)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


@contextlib.contextmanager
def nginx(*, upstream_port, static_root, media_root, saved_root, proxy_port=None, purge_port=None):
    """deploy/'s site rendered on loopback (the proxy), plus a server of saved copies."""
    folder = OUT / "nginx"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "tmp").mkdir(parents=True)
    proxy_port, static_port = proxy_port or free_port(), free_port()
    site = subprocess.run(
        ["sh", str(BASE_DIR / "deploy" / "render-nginx.sh")],
        env={
            "PATH": os.environ["PATH"],
            "TV_SERVER_NAME": "127.0.0.1",
            "TV_LISTEN": f"127.0.0.1:{proxy_port}",
            "TV_PURGE_LISTEN": f"127.0.0.1:{purge_port or free_port()}",
            "TV_UPSTREAM": f"127.0.0.1:{upstream_port}",
            "TV_STATIC_ROOT": str(static_root),
            "TV_MEDIA_ROOT": str(media_root),
            "TV_CACHE_DIR": str(folder / "cache"),
        },
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    (folder / "site.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"{user}load_module {PURGE_MODULE};\n"
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "worker_processes 2;\nevents { worker_connections 1024; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  sendfile on;\n  tcp_nopush on;\n"
        "  access_log off;\n"
        + "".join(
            f"  {kind}_temp_path {folder}/tmp/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"  include {folder}/site.conf;\n"
        # The limit: the same HTML as a file, the same headers nginx adds to a page.
        f"  server {{\n    listen 127.0.0.1:{static_port};\n    root {saved_root};\n"
        "    location / { try_files $uri/index.html =404; default_type text/html; }\n"
        "  }\n}\n"
    )
    conf = ["-p", str(folder), "-c", str(folder / "nginx.conf")]
    subprocess.run(["nginx", *conf, "-t", "-q"], check=True)
    process = subprocess.Popen(["nginx", *conf, "-g", "daemon off;"], start_new_session=True)
    try:
        wait_for_port(proxy_port)
        wait_for_port(static_port)
        yield proxy_port, static_port
    finally:
        os.killpg(process.pid, signal.SIGQUIT)
        process.wait(timeout=15)


def wrk(port, path, duration, *, connections=8, paths=None):
    """wrk on one path, or cycling over `paths` (a Lua script) with `connections`."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{round(duration)}s", "--latency"]
    if paths:
        script = OUT / "paths.lua"
        listed = ", ".join(f'"{p}"' for p in paths)
        script.write_text(
            f"paths = {{{listed}}}\ni = 0\n"
            "request = function()\n  i = i + 1\n"
            '  return wrk.format("GET", paths[(i % #paths) + 1])\nend\n'
        )
        command += ["-s", str(script)]
    command += ["-H", "Host: 127.0.0.1", f"http://127.0.0.1:{port}{path}"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def ms(label):
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)\b", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "rps": rps,
        "p50": ms("50"),
        "p99": ms("99"),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database a previous run prepared"
    )
    args = parser.parse_args()

    reuse = args.reuse and (OUT / "prepared").exists()
    if not reuse:
        shutil.rmtree(OUT, ignore_errors=True)
        OUT.mkdir(parents=True)
    # A database, files and cache prefix of this bench's own: other benches share var/bench.
    common = {
        "DATABASE_URL": f"sqlite:///{OUT / 'serving.sqlite3'}",
        "STATIC_ROOT": str(OUT / "static"),
        "MEDIA_ROOT": str(OUT / "media"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "CACHE_KEY_PREFIX": f"bench-serving-{os.getpid()}-{time.time():.0f}",
        "GUNICORN_MAX_REQUESTS": "0",
        "SERVE_MEDIA": "true",
    }
    env = production_env(**common)
    if not reuse:
        print("preparing the database (migrate, communes, demo content, collectstatic)...")
        manage("migrate", "--noinput", env=env)
        manage("import_communes", "--quiet", env=env)
        manage("load_demo", "--force", env=env)
        manage("collectstatic", "--noinput", env=env)
        run_pending_tasks(env)
        (OUT / "prepared").write_text("")
    pages = json.loads(shell(PAGES_CODE, env))
    uncached_env = {**env, "PAGE_CACHE_ENABLED": "false"}
    queries = json.loads(shell(QUERIES_CODE.format(pages=json.dumps(pages)), uncached_env))

    results = {name: {way: [] for way in WAYS} for name in pages}
    statuses = {}
    saved = OUT / "saved"
    with gunicorn(env, "app") as app_port, gunicorn(uncached_env, "uncached") as bare_port:
        # The saved copies: what the application answers for each page.
        for path in pages.values():
            status, _headers, body = get(bare_port, path)
            assert status == 200, (path, status)
            target = saved / path.strip("/") / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
        with nginx(
            upstream_port=app_port,
            static_root=OUT / "static",
            media_root=OUT / "media",
            saved_root=saved,
        ) as (proxy_port, static_port):
            ports = {
                "static": static_port,
                "proxy": proxy_port,
                "app": app_port,
                "uncached": bare_port,
            }
            for name, path in pages.items():
                get(proxy_port, path)
                statuses[name] = {
                    "proxy": get(proxy_port, path)[1].get("X-Cache-Status", "?"),
                    "app": get(app_port, path)[1].get("X-Page-Cache", "hit"),
                }
            load_before = os.getloadavg()[0]
            for round_ in range(1, args.rounds + 1):
                for name, path in pages.items():
                    line = []
                    for way in WAYS:
                        figure = wrk(ports[way], path, args.duration)
                        results[name][way].append(figure)
                        line.append(f"{way} {figure['rps']:,.0f}")
                    print(f"round {round_} {name}: " + ", ".join(line), flush=True)

    load_after = os.getloadavg()[0]

    def med(name, way, key):
        return statistics.median(run[key] for run in results[name][way])

    def ratio(name, way):
        return statistics.median(
            run["rps"] / base["rps"]
            for run, base in zip(results[name][way], results[name]["static"], strict=True)
        )

    print()
    print(
        f"{datetime.date.today().isoformat()}, {args.rounds} interleaved rounds, "
        f"wrk -t2 -c8 -d{args.duration}s --latency; medians over the rounds; "
        "ratio: req/s over the static figure of the same page and round; "
        f"load average {load_before:.1f} before, {load_after:.1f} after, {os.cpu_count()} cores"
    )
    print()
    print(
        "| page | SQL queries (uncached) | static req/s | proxy-cached req/s (ratio) "
        "| app-cached req/s (ratio) | uncached req/s (ratio) | p50 / p99 ms static "
        "| proxy | app | uncached | errors |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in pages:
        cells = [name, str(queries[name]), f"{med(name, 'static', 'rps'):,.0f}"]
        for way in ("proxy", "app", "uncached"):
            cells.append(f"{med(name, way, 'rps'):,.0f} ({ratio(name, way):.3g})")
        for way in WAYS:
            cells.append(f"{med(name, way, 'p50'):.2f} / {med(name, way, 'p99'):.2f}")
        errors = sum(run["errors"] for way in WAYS for run in results[name][way])
        cells.append(str(errors))
        print("| " + " | ".join(cells) + " |")
    print()
    print(f"before measuring: proxy X-Cache-Status and app X-Page-Cache: {statuses}")
    (OUT / "results.json").write_text(json.dumps({"pages": pages, "results": results}))


if __name__ == "__main__":
    main()
