"""The gestures: uncached requests per second of the catalogue (all 100 gestures on one
page, with and without filters), a gesture page and the booklet download, served by gunicorn
with the production settings on SQLite; then the booklet's generation time and peak memory,
measured in fresh subprocesses.

    .venv/bin/python bench/bench_gestures.py [--runs 3] [--duration 8]

Each run measures every page in turn, side by side, so the ratios compare like with like.
The bench uses its own database (var/bench/gestures.sqlite3), so that it does not disturb
other benchmarks."""

import argparse
import json
import statistics
import subprocess

from common import (
    BASE_DIR,
    PYTHON,
    VAR,
    measure_pages,
    prepare_database,
    print_pages_table,
    production_env,
    production_server,
)

PAGES = {
    "home (fr)": ["/"],
    "catalogue, 100 gestures (fr)": ["/gestes/"],
    "catalogue, 100 gestures (en)": ["/en/gestures/"],
    "catalogue, filtered": ["/gestes/?public=aines&duree=1h", "/gestes/?categorie=accueil"],
    "catalogue, sorted by number": ["/gestes/?tri=numero"],
    "gesture page": ["/gestes/{slug}/"],
    "booklet download (cached file)": ["/gestes/livret/"],
}

# Run in a fresh interpreter: draws the booklet of one language from the published pages
# (queries included) and reports the time and the memory it took.
BOOKLET_PROBE = """
import json, resource, time, tracemalloc
import django
django.setup()
from gestures import services
from gestures.booklet import booklet_pdf
language, traced = {language!r}, {traced!r}
if traced:
    # tracemalloc slows Python down: the memory run is separate from the timed run.
    tracemalloc.start()
started = time.perf_counter()
sources = services._booklet_sources(language_code=language)
queried = time.perf_counter()
pdf = booklet_pdf(**sources)
done = time.perf_counter()
peak = tracemalloc.get_traced_memory()[1] if traced else 0
print(json.dumps({{
    "seconds": done - started,
    "query_seconds": queried - started,
    "peak_mib": peak / 2**20,
    "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "bytes": len(pdf),
    "gestures": len(sources["gestures"]),
}}))
"""


def booklet_probe(env, language, *, traced):
    output = subprocess.run(
        [PYTHON, "-c", BOOKLET_PROBE.format(language=language, traced=traced)],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def gesture_slug(env):
    return (
        subprocess.run(
            [
                PYTHON,
                "manage.py",
                "shell",
                "-c",
                "from gestures.models import GesturePage; "
                "print(GesturePage.objects.get(locale__language_code='fr', number=42).slug)",
            ],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--skip-setup", action="store_true", help="reuse the bench database as it is"
    )
    args = parser.parse_args()

    # Its own database and media folder: other benches load the demo (and so draw and prune
    # booklets) in theirs.
    env = production_env(
        database_url=f"sqlite:///{VAR / 'gestures.sqlite3'}",
        MEDIA_ROOT=str(VAR / "media-gestures"),
    )
    if not args.skip_setup:
        prepare_database(env)
    slug = gesture_slug(env)
    pages = {name: [p.format(slug=slug) for p in paths] for name, paths in PAGES.items()}
    with production_server(env, workers=2) as base_url:
        results = measure_pages(
            base_url,
            pages,
            runs=args.runs,
            duration=args.duration,
            concurrency=args.concurrency,
        )
    print_pages_table(results, runs=args.runs)

    print()
    print(
        f"| booklet | gestures | seconds (median of {args.runs}) | of which queries | "
        "peak Python memory MiB | max RSS MiB | PDF KiB |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for language in ("fr", "en"):
        timed = [booklet_probe(env, language, traced=False) for _ in range(args.runs)]
        traced = [booklet_probe(env, language, traced=True) for _ in range(args.runs)]
        print(
            f"| {language} | {timed[0]['gestures']} | "
            f"{statistics.median(p['seconds'] for p in timed):.2f} | "
            f"{statistics.median(p['query_seconds'] for p in timed):.2f} | "
            f"{statistics.median(p['peak_mib'] for p in traced):.1f} | "
            f"{statistics.median(p['maxrss_mib'] for p in timed):.0f} | "
            f"{timed[0]['bytes'] / 1024:.0f} |"
        )


if __name__ == "__main__":
    main()
