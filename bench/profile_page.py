"""cProfile of warm renders of one page, to find what a page's render time is made of.

    .venv/bin/python bench/profile_page.py /gestes/ [--renders 20] [--lines 45]
    .venv/bin/python bench/profile_page.py gesture      # the first French gesture page

Runs on bench_render's database (run bench/bench_render.py once first) with the production
settings, the page cache off and the site-data cache warm (five renders before measuring):
prints the median render in ms, then the profile of `--renders` renders sorted by cumulative
time. A tool for reading, not a figure: the profiler slows the render about threefold."""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path", help='a path such as /gestes/, or "gesture"')
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--lines", type=int, default=45)
    args = parser.parse_args()

    sys.path.insert(0, str(BASE_DIR / "bench"))
    sys.path.insert(0, str(BASE_DIR))
    os.chdir(BASE_DIR)
    from bench_render import production_env
    from common import VAR

    database = VAR / "render-current.sqlite3"
    if not database.exists():
        sys.exit(f"{database} is missing: run bench/bench_render.py once first.")
    os.environ.update(production_env(database))
    import django

    django.setup()
    from django.test import Client

    from gestures.models import GesturePage

    path = args.path
    if path == "gesture":
        first = GesturePage.objects.live().filter(locale__language_code="fr").order_by("number")
        path = first.first().url
    client = Client()
    for _ in range(5):
        response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"{path}: {response.status_code}")
    times = []
    for _ in range(args.renders):
        start = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - start) * 1000)
    print(f"{path}: median render {statistics.median(times):.1f} ms over {args.renders}")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.renders):
        client.get(path)
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(args.lines)


if __name__ == "__main__":
    main()
