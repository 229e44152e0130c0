"""Shared tools for the benchmarks: a production-like database, the production server
(gunicorn with campaign.settings.production), and an HTTP load loop measured from outside.

Nothing here asserts a timing: the scripts print figures that docs/PERFORMANCE.md records.
Machines are shared and noisy, so every figure is a median of several runs, and comparisons
are made side by side in one run."""

import contextlib
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = BASE_DIR / "var" / "bench"
PYTHON = sys.executable
CACHE_KEY_PREFIX = f"bench-{os.getpid()}-{time.time_ns()}"


def production_env(database_url=None, **extra):
    """The environment of a production process, pointed at a bench database."""
    VAR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "campaign.settings.production",
            "SECRET_KEY": "bench-only-3c1f8e2a9b7d4f6e0a5c8b1d2e7f9a3c6b4d8e1f0a2c5b7d",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url or f"sqlite:///{VAR / 'bench.sqlite3'}",
            "WAGTAILADMIN_BASE_URL": "http://127.0.0.1",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            # Production requires it whatever the email backend (issue 12).
            "ANYMAIL_WEBHOOK_SECRET": "bench-only:webhook-secret",
            # Production requires it (issue 13: the keyed fingerprint of erased addresses).
            "SUPPRESSION_HASH_KEY": "bench-only-suppression-key",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": str(VAR / "static"),
            "MEDIA_ROOT": str(VAR / "media"),
            "LOG_LEVEL": "WARNING",
            # Production requires Redis; this run's own key prefix, so that another run or a
            # stale one never serves its cached pages.
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
            "CACHE_KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    )
    env.update(extra)
    return env


def manage(*args, env, quiet=True):
    manage_in(BASE_DIR, *args, env=env, quiet=quiet)


def prepare_database(env, *, fresh=False, demo=True):
    """Migrate, import communes and load the demo content (once; `fresh` starts over)."""
    db_file = VAR / "bench.sqlite3"
    if fresh and env["DATABASE_URL"].startswith("sqlite") and db_file.exists():
        db_file.unlink()
    manage("migrate", "--noinput", env=env)
    manage("import_communes", "--quiet", env=env)
    if demo:
        manage("load_demo", "--force", env=env)
    manage("collectstatic", "--noinput", env=env)
    run_pending_tasks(env)


def run_pending_tasks(env):
    """Search indexing and the like run as tasks: drain the queue before measuring."""
    manage("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", env=env)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def production_server(env, *, workers=2, threads=1):
    """Run gunicorn with the production settings until the block ends."""
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603
        [
            PYTHON,
            "-m",
            "gunicorn",
            "campaign.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--log-level=warning",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def load(base_url, paths, *, duration=8.0, concurrency=4):
    """GET `paths` in turn from `concurrency` keep-alive clients for `duration` seconds.
    Returns requests per second, median and p99 latency (ms), and the count of non-2xx."""
    host, port = base_url.removeprefix("http://").split(":")
    latencies, errors = [], []
    lock = threading.Lock()
    stop_at = None  # set after the warm-up, which must not eat the measured time

    def client():
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        mine, bad, i = [], 0, 0
        while time.monotonic() < stop_at:
            path = paths[i % len(paths)]
            i += 1
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)
            errors.append(bad)

    # Warm up: renditions, caches of the site root paths, connections.
    for path in paths:
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        conn.request("GET", path)
        conn.getresponse().read()
    workers = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.monotonic()
    stop_at = started + duration
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "median_ms": statistics.median(latencies) * 1000 if latencies else None,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else None,
        "errors": sum(errors),
    }


def median_of(runs, key):
    return statistics.median(r[key] for r in runs)


def measure_pages(base_url, pages, *, runs, duration, concurrency):
    """Measure every page of `pages` ({name: [paths]}) in turn, `runs` times, so that the
    pages are compared side by side under the same machine load."""
    results = {name: [] for name in pages}
    for _ in range(runs):
        for name, paths in pages.items():
            results[name].append(load(base_url, paths, duration=duration, concurrency=concurrency))
    return results


def print_pages_table(results, *, runs, baseline="home (fr)", errors_not_counted=()):
    """Print measure_pages' results as a Markdown table of medians and ratios to `baseline`."""
    base_rps = statistics.median(r["rps"] for r in results[baseline])
    print(f"| page | req/s (median of {runs}) | median ms | p99 ms | errors | vs {baseline} |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, page_runs in results.items():
        rps = statistics.median(r["rps"] for r in page_runs)
        errors = "n/a" if name in errors_not_counted else sum(r["errors"] for r in page_runs)
        print(
            f"| {name} | {rps:.0f} | {_median_ms(page_runs, 'median_ms')} | "
            f"{_median_ms(page_runs, 'p99_ms')} | {errors} | {rps / base_rps:.2f} |"
        )


def _median_ms(runs, key):
    # A run that completed no request in its time has no latency to report.
    values = [r[key] for r in runs if r[key] is not None]
    return f"{statistics.median(values):.1f}" if values else "n/a"


# Another tree's code (a git worktree of an earlier commit: the benches' --baseline), run by
# this venv's Python from that tree, on its own copy of the database and its own static files.

SAME_MIGRATIONS_CODE = """
from django.db import connection
from django.db.migrations.loader import MigrationLoader
loader = MigrationLoader(connection)
print(set(loader.applied_migrations) == set(loader.disk_migrations))
"""


def manage_in(tree, *args, env, quiet=True):
    """manage() with `tree`'s manage.py and code."""
    subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", *args],
        cwd=tree,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def prepare_tree(tree, database, env):
    """Make env's DATABASE_URL (a SQLite file) and STATIC_ROOT ready for `tree`'s code, as
    bench_render.py's --baseline does: a copy of `database` when its applied migrations are
    exactly `tree`'s (the same schema), else a database built by `tree`'s own migrate,
    import_communes and load_demo; then `tree`'s collectstatic (its templates name its own
    hashed files). Returns "copy" or "own"."""
    copy = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    copy.unlink(missing_ok=True)
    shutil.copyfile(database, copy)
    same = subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", SAME_MIGRATIONS_CODE],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    how = "copy"
    if same != "True":
        how = "own"
        copy.unlink()
        manage_in(tree, "migrate", "--noinput", env=env)
        manage_in(tree, "import_communes", "--quiet", env=env)
        manage_in(tree, "load_demo", "--force", env=env)
        manage_in(tree, "db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", env=env)
    manage_in(tree, "collectstatic", "--noinput", env=env)
    return how
