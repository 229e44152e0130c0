"""Serving a page several ways, side by side in one run (issue 14, "Must show"):

  static      nginx serving a saved copy of the page's HTML (the limit)
  headers     the same copy with the headers the proxied page carries (read from its HIT)
  proxy       the page through the proxy cache of deploy/nginx/tousvoisins.conf (a HIT)
  app         gunicorn directly, the application's page cache on (campaign/cache.py; a hit is
              answered by PageCacheHits, campaign/wsgi.py, before Django's handler)
  uncached    gunicorn directly, the page cache off (PAGE_CACHE_ENABLED=false)
  baseline    with `--baseline DIR`: that tree's gunicorn (a git worktree of an earlier
              commit, e.g. `git worktree add --detach /tmp/baseline-perf e643a13`), as it
              answered then (no page cache), on its own copy of the same database

for the home, a story, the story index, the gestures catalogue and the sign-up page, in
interleaved rounds (page by page, the ways one after the other), each measured with wrk
(`wrk -t2 -c8 -d5s --latency`). Every figure is also given as a ratio to the static figure of
the same page in the same round, and the uncached one as a ratio to the baseline's of the same
page and round; the table shows the medians over the rounds. The SQL query count per page is
measured in-process with Django's test client (CaptureQueriesContext), the page cache off, in
each tree.

The reference of the ratios is `static`: an ordinary nginx static-file server with the
settings of Debian's nginx.conf (`sendfile on; tcp_nopush on;`), no descriptor cache, and
nginx's own headers (`location / { try_files $uri/index.html =404; }`). The issue speaks of
"the same HTML"; the proxied page also carries the application's headers (the CSP and the
others, ~1 KB), so `headers` serves the same copy with them (`add_header`, `charset utf-8`)
on the same settings, for comparison. It is not the reference: on the catalogue, the answer's
extra bytes fall into the delayed-ACK wait that `tcp_nopush on` causes for an answer of more
than one loopback packet (docs/PERFORMANCE.md), so it is a slower reference there; the plain
copy is the stricter one.

Production settings, demo content, SQLite, Redis for the cache, gunicorn (each tree's
gunicorn.conf.py, with `--workers 2 --max-requests 0` on the command line so that no worker is
replaced mid-measure; e643a13's gunicorn.conf.py reads no environment), one nginx with 2 worker
processes serving the static copies and the proxy. The baseline runs this venv's Python from
its tree: a copy of this run's database when its applied migrations are exactly the tree's,
else one built by the tree's own migrate, import_communes and load_demo (common.prepare_tree);
its own collectstatic and media folder; its cache in Redis database 12 (BENCH_BASELINE_REDIS_URL;
e643a13's key prefix is a fixed `tv`, whose keys there are deleted first).

    .venv/bin/python bench/bench_serving.py [--rounds 5] [--duration 5]
        [--baseline /tmp/baseline-perf] [--reuse]

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
    prepare_tree,
    production_env,
    run_pending_tasks,
)

OUT = VAR / "serving"
WAYS = ("static", "headers", "proxy", "app", "uncached", "baseline")
PURGE_MODULE = "/usr/lib/nginx/modules/ngx_http_cache_purge_module.so"
# Headers nginx writes itself on a static answer (Content-Type: `charset utf-8`).
NGINX_OWN = {"Server", "Date", "Content-Type", "Content-Length", "Connection", "Transfer-Encoding"}
BASELINE_REDIS_URL = os.environ.get("BENCH_BASELINE_REDIS_URL", "redis://127.0.0.1:6379/12")
# The issue's uncached req/s, measured before the work (e643a13) on another machine.
ISSUE_RPS = {"home": 34, "story": 27, "story index": 19, "catalogue": 18}

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


def shell(code, env, tree=BASE_DIR):
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=tree,
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
def gunicorn(env, name, tree=BASE_DIR, *, port=None):
    port = port or free_port()
    log = open(OUT / f"gunicorn-{name}.log", "w")  # noqa: SIM115
    # Options on the command line: the baseline's gunicorn.conf.py may read no environment.
    process = subprocess.Popen(  # noqa: S603
        [
            PYTHON,
            "-m",
            "gunicorn",
            "campaign.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--max-requests=0",
        ],
        cwd=tree,
        env=env,
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


def clear_baseline_cache():
    """The baseline's cache keys (e643a13: a fixed `tv` prefix) in its own Redis database."""
    import redis

    client = redis.Redis.from_url(BASELINE_REDIS_URL)
    keys = list(client.scan_iter("tv:*"))
    if keys:
        client.delete(*keys)


@contextlib.contextmanager
def nginx(*, upstream_port, static_root, media_root, saved_root, proxy_port=None, purge_port=None):
    """deploy/'s site rendered on loopback (the proxy), plus two servers of the saved copies:
    the plain one, and one whose pages get the headers given to same_headers() (a reload).
    bench_mixed.py gives the proxy's and the purge listener's ports (its workers were told
    where to purge before nginx starts)."""
    folder = OUT / "nginx"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "tmp").mkdir(parents=True)
    proxy_port, static_port, headers_port = proxy_port or free_port(), free_port(), free_port()
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
        # The limit: the same HTML as a file, an ordinary static server (see the docstring).
        f"  server {{\n    listen 127.0.0.1:{static_port};\n    root {saved_root};\n"
        "    location / { try_files $uri/index.html =404; default_type text/html; }\n"
        "  }\n"
        f"  server {{\n    listen 127.0.0.1:{headers_port};\n    root {saved_root};\n"
        f"    charset utf-8;\n    include {folder}/headers.conf;\n  }}\n}}\n"
    )
    (folder / "headers.conf").write_text("")
    conf = ["-p", str(folder), "-c", str(folder / "nginx.conf")]
    subprocess.run(["nginx", *conf, "-t", "-q"], check=True)
    process = subprocess.Popen(["nginx", *conf, "-g", "daemon off;"], start_new_session=True)

    def same_headers(pages_headers):
        """Serve each path's copy with these (name, value) headers; reload nginx."""
        locations = []
        for path, headers in pages_headers.items():
            for name, value in headers:
                assert not set(value) & set('"$\\\n'), (name, value)
            added = "".join(f'      add_header {name} "{value}";\n' for name, value in headers)
            locations.append(
                f"    location = {path} {{\n      try_files $uri/index.html =404;\n{added}    }}\n"
            )
        (folder / "headers.conf").write_text("".join(locations))
        subprocess.run(["nginx", *conf, "-t", "-q"], check=True)
        subprocess.run(["nginx", *conf, "-s", "reload"], check=True, capture_output=True)
        deadline = time.monotonic() + 30
        for path, headers in pages_headers.items():
            while get(headers_port, path)[1].get(headers[0][0]) != headers[0][1]:
                assert time.monotonic() < deadline, "nginx did not reload"
                time.sleep(0.2)

    try:
        wait_for_port(proxy_port)
        wait_for_port(static_port)
        yield {"static": static_port, "headers": headers_port, "proxy": proxy_port}, same_headers
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
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--baseline", help="a worktree of the commit to compare with (uncached)")
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
    queries = {"now": json.loads(shell(QUERIES_CODE.format(pages=json.dumps(pages)), uncached_env))}

    ways = [way for way in WAYS if way != "baseline" or args.baseline]
    trees = {}
    envs = {"app": env, "uncached": uncached_env}
    label = {way: way for way in ways}
    how = None
    if args.baseline:
        trees["baseline"] = Path(args.baseline).resolve()
        commit = git(trees["baseline"], "rev-parse", "--short", "HEAD")
        label["baseline"] = commit
        print(f"preparing the baseline ({commit}: its database, collectstatic)...")
        envs["baseline"] = production_env(
            **{
                **common,
                "DATABASE_URL": f"sqlite:///{OUT / 'baseline.sqlite3'}",
                "STATIC_ROOT": str(OUT / "static-baseline"),
                "MEDIA_ROOT": str(OUT / "media-baseline"),
                "REDIS_URL": BASELINE_REDIS_URL,
                "PAGE_CACHE_ENABLED": "false",
            }
        )
        shutil.rmtree(OUT / "media-baseline", ignore_errors=True)
        shutil.copytree(OUT / "media", OUT / "media-baseline")
        how = prepare_tree(trees["baseline"], OUT / "serving.sqlite3", envs["baseline"])
        clear_baseline_cache()
        queries["baseline"] = json.loads(
            shell(
                QUERIES_CODE.format(pages=json.dumps(pages)),
                envs["baseline"],
                tree=trees["baseline"],
            )
        )

    results = {name: {way: [] for way in ways} for name in pages}
    statuses, sizes = {}, {}
    saved = OUT / "saved"
    with contextlib.ExitStack() as stack:
        ports = {
            way: stack.enter_context(gunicorn(envs[way], way, trees.get(way, BASE_DIR)))
            for way in envs
        }
        # The saved copies: what the application answers for each page.
        for name, path in pages.items():
            status, _headers, body = get(ports["uncached"], path)
            assert status == 200, (path, status)
            sizes[name] = len(body)
            target = saved / path.strip("/") / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            if "baseline" in ports:
                status, _headers, _body = get(ports["baseline"], path)
                assert status == 200, (label["baseline"], path, status)
        nginx_ports, same_headers = stack.enter_context(
            nginx(
                upstream_port=ports["app"],
                static_root=OUT / "static",
                media_root=OUT / "media",
                saved_root=saved,
            )
        )
        ports.update(nginx_ports)
        proxied_headers = {}
        for name, path in pages.items():
            # Stored from the application's first answer for the page (a miss: its own
            # cache is empty), as after a purge, which empties both.
            get(ports["proxy"], path)
            _status, headers, _body = get(ports["proxy"], path)
            statuses[name] = {
                "proxy": headers.get("X-Cache-Status", "?")
                + (" chunked" if "Transfer-Encoding" in headers else ""),
                "app": get(ports["app"], path)[1].get("X-Page-Cache", "?"),
            }
            proxied_headers[path] = [
                (header, value) for header, value in headers.items() if header not in NGINX_OWN
            ]
        same_headers(proxied_headers)
        load_before = os.getloadavg()
        for round_ in range(1, args.rounds + 1):
            for name, path in pages.items():
                line = []
                for way in ways:
                    figure = wrk(ports[way], path, args.duration)
                    results[name][way].append(figure)
                    line.append(f"{label[way]} {figure['rps']:,.0f}")
                print(f"round {round_} {name}: " + ", ".join(line), flush=True)
    load_after = os.getloadavg()

    def med(name, way, key):
        return statistics.median(run[key] for run in results[name][way])

    def ratio(name, way, base="static"):
        return statistics.median(
            run["rps"] / reference["rps"]
            for run, reference in zip(results[name][way], results[name][base], strict=True)
        )

    def loads(values):
        return " ".join(f"{value:.2f}" for value in values)

    print()
    print(
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, tree "
        f"{git(BASE_DIR, 'describe', '--always', '--dirty')}"
        + (f", baseline {label['baseline']} ({how} database)" if args.baseline else "")
        + f"; {args.rounds} interleaved rounds, wrk -t2 -c8 -d{args.duration}s --latency; "
        "medians over the rounds; ratio: req/s over the static figure (or the baseline's) of "
        f"the same page and round; load average (1, 5, 15 min) {loads(load_before)} before, "
        f"{loads(load_after)} after; {os.cpu_count()} cores"
    )
    print()
    bl = label.get("baseline")
    header = ["page", "KB", "SQL queries uncached" + (f" (at {bl})" if bl else "")]
    header += ["static req/s", "static, proxied headers req/s (ratio)"]
    header += ["proxy-cached req/s (ratio)", "app-cached req/s (ratio)", "uncached req/s (ratio)"]
    if bl:
        header += [f"uncached at {bl} req/s", f"uncached now / at {bl}"]
    header += ["issue's req/s (at e643a13, another machine)"]
    header += [f"p50 / p99 ms {label[way]}" for way in ways]
    header += ["errors"]
    print("| " + " | ".join(header) + " |")
    print("| --- " + "| ---: " * (len(header) - 1) + "|")
    for name in pages:
        sql = str(queries["now"][name])
        if bl:
            sql += f" ({queries['baseline'][name]})"
        cells = [name, f"{sizes[name] / 1000:.1f}", sql, f"{med(name, 'static', 'rps'):,.0f}"]
        for way in ("headers", "proxy", "app", "uncached"):
            cells.append(f"{med(name, way, 'rps'):,.0f} ({ratio(name, way):.3g})")
        if bl:
            cells.append(f"{med(name, 'baseline', 'rps'):,.0f}")
            cells.append(f"{ratio(name, 'uncached', 'baseline'):.2f}")
        cells.append(str(ISSUE_RPS.get(name, "")))
        for way in ways:
            cells.append(f"{med(name, way, 'p50'):.2f} / {med(name, way, 'p99'):.2f}")
        errors = sum(run["errors"] for way in ways for run in results[name][way])
        cells.append(str(errors))
        print("| " + " | ".join(cells) + " |")
    print()
    print(f"before measuring: proxy X-Cache-Status and app X-Page-Cache: {statuses}")
    (OUT / "results.json").write_text(
        json.dumps({"pages": pages, "labels": label, "queries": queries, "results": results})
    )


def git(tree, *args):
    return subprocess.run(
        ["git", "-C", str(tree), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


if __name__ == "__main__":
    main()
