"""Uncached requests per second of the site-wide pages, served by gunicorn with the
production settings on SQLite: the French and English home pages, a content page, search.

    .venv/bin/python bench/bench_pages.py [--runs 3] [--duration 8]

Each run measures every page in turn, side by side, so the ratios compare like with like."""

import argparse
import statistics

from common import load, prepare_database, production_env, production_server

PAGES = {
    "home (fr)": ["/"],
    "home (en)": ["/en/"],
    "content page": ["/donnees-personnelles/"],
    "search": ["/recherche/?q=voisins"],
    "404": ["/nexiste-pas/"],
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    env = production_env()
    prepare_database(env)
    results = {name: [] for name in PAGES}
    with production_server(env, workers=2) as base_url:
        for _ in range(args.runs):
            for name, paths in PAGES.items():
                results[name].append(
                    load(base_url, paths, duration=args.duration, concurrency=args.concurrency)
                )
    home_rps = statistics.median(r["rps"] for r in results["home (fr)"])
    print(f"| page | req/s (median of {args.runs}) | median ms | p99 ms | errors | vs home (fr) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, runs in results.items():
        rps = statistics.median(r["rps"] for r in runs)
        print(
            f"| {name} | {rps:.0f} | {statistics.median(r['median_ms'] for r in runs):.1f} | "
            f"{statistics.median(r['p99_ms'] for r in runs):.1f} | "
            f"{sum(r['errors'] for r in runs) if name != '404' else 'n/a'} | "
            f"{rps / home_rps:.2f} |"
        )


if __name__ == "__main__":
    main()
