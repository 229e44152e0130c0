"""In-process render time and SQL queries of the public pages of issue 14, uncached.

    .venv/bin/python bench/bench_render.py [--renders 20] [--rounds 3]
        [--baseline /tmp/baseline-perf] [--skip-setup]

Each page is rendered `--renders` times with Django's test client inside one process with the
production settings (DEBUG off) on a SQLite copy of the demo content; the figure is the median
render and the number of queries of one render, twice: "cold", Django's cache cleared before
every render, so that no cached menu, setting or site data helps (the first visitor after a
publication); "warm", the site-wide data in the cache (campaign/datacache.py, the menus) as
every later visitor finds them. The page cache is off in both: the page is rendered.

With `--baseline DIR` (a git worktree of an earlier commit, e.g.
`git worktree add --detach /tmp/baseline-perf <commit>`), the same measurement runs from that
tree's code too, on its own copy of the same database, rounds interleaved (baseline, current,
baseline, current...), so both columns share the machine's load. Each round is a fresh process;
the table shows the median over rounds of each round's median."""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

PAGES = {
    "home (fr)": "/",
    "home (en)": "/en/",
    "story page": "/histoires/josiane-et-les-courses-du-cinquieme/",
    "story index": "/histoires/",
    "gestures catalogue (100)": "/gestes/",
    "gesture page": "{gesture}",
    "sign-up page": "/heure-civique/",
}

# The issue's in-process figures (ms), measured before the work: the goal is half of each.
ISSUE_MS = {
    "home (fr)": 24,
    "story page": 32,
    "story index": 33,
    "gestures catalogue (100)": 42,
    "gesture page": 18,
}


def worker(renders):
    """Runs inside the tree being measured (cwd): prints one JSON line of figures."""
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gestures.models import GesturePage

    gesture = GesturePage.objects.live().get(locale__language_code="fr", number=42)
    client = Client(HTTP_HOST="127.0.0.1")
    figures = {}
    for name, path in PAGES.items():
        path = path.format(gesture=gesture.url)
        # First visit outside the measure: renditions are made once, templates compiled.
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        figures[name] = {}
        for mode in ("cold", "warm"):
            times = []
            for _ in range(renders):
                if mode == "cold":
                    cache.clear()
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(path)
                    times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, path
            figures[name][mode] = {"ms": statistics.median(times), "queries": len(queries)}
    print(json.dumps(figures))


def production_env(database, label="current"):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import VAR, production_env

    return production_env(
        database_url=f"sqlite:///{database}",
        STATIC_ROOT=str(VAR / f"static-render-{label}"),
        MEDIA_ROOT=str(VAR / "media-render"),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        # The page cache (campaign/cache.py) would store every render: the render is measured.
        PAGE_CACHE_ENABLED="false",
        # A database of its own: the worker clears the cache before every render.
        REDIS_URL=os.environ.get("BENCH_RENDER_REDIS_URL", "redis://127.0.0.1:6379/13"),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", help="a worktree of the commit to compare with")
    parser.add_argument("--skip-setup", action="store_true", help="reuse the bench database")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.renders)
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import BASE_DIR, VAR, manage, run_pending_tasks

    database = VAR / "render.sqlite3"
    env = production_env(database)
    if not args.skip_setup:
        if database.exists():
            database.unlink()
        manage("migrate", "--noinput", env=env)
        manage("import_communes", "--quiet", env=env)
        manage("load_demo", "--force", env=env)
        run_pending_tasks(env)

    trees = {"current": BASE_DIR}
    if args.baseline:
        trees = {"baseline": Path(args.baseline).resolve(), **trees}
    results = {label: [] for label in trees}
    for round_number in range(args.rounds):
        for label, tree in trees.items():
            copy = VAR / f"render-{label}.sqlite3"
            tree_env = production_env(copy, label)
            if round_number == 0:
                shutil.copyfile(database, copy)
                subprocess.run(  # noqa: S603
                    [sys.executable, "manage.py", "collectstatic", "--noinput"],
                    cwd=tree,
                    env=tree_env,
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
            worker_run = subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--worker", "--renders", str(args.renders)],
                cwd=tree,
                env=tree_env,
                capture_output=True,
                text=True,
            )
            if worker_run.returncode:
                sys.exit(f"{label} ({tree}) failed:\n{worker_run.stderr[-4000:]}")
            output = worker_run.stdout
            results[label].append(json.loads(output.strip().splitlines()[-1]))
            print(f"round {round_number + 1} {label}: done", file=sys.stderr)

    def median(label, name, mode, key):
        return statistics.median(run[name][mode][key] for run in results[label])

    labels = list(trees)
    header = ["page"]
    for mode in ("cold", "warm"):
        for label in labels:
            header += [f"{label} {mode} queries", f"{label} {mode} ms"]
        if args.baseline:
            header += [f"{mode}: current / baseline"]
    header += ["issue ms", "warm / issue"]
    print("| " + " | ".join(header) + " |")
    print("| --- " + "| ---: " * (len(header) - 1) + "|")
    for name in PAGES:
        row = [name]
        for mode in ("cold", "warm"):
            for label in labels:
                row += [
                    str(round(median(label, name, mode, "queries"))),
                    f"{median(label, name, mode, 'ms'):.1f}",
                ]
            if args.baseline:
                ratio = median("current", name, mode, "ms") / median("baseline", name, mode, "ms")
                row.append(f"{ratio:.2f}")
        issue = ISSUE_MS.get(name)
        row.append(str(issue or ""))
        row.append(f"{median('current', name, 'warm', 'ms') / issue:.2f}" if issue else "")
        print("| " + " | ".join(row) + " |")
    print(
        f"\n{args.renders} renders per page, mode and round, {args.rounds} rounds; cold: cache "
        "cleared before each render; warm: site data cached; page cache off; production "
        "settings, SQLite."
    )


if __name__ == "__main__":
    main()
