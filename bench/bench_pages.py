"""Uncached requests per second of the site-wide pages, served by gunicorn with the
production settings on SQLite: the French and English home pages, a content page, search.

    .venv/bin/python bench/bench_pages.py [--runs 3] [--duration 8]

Each run measures every page in turn, side by side, so the ratios compare like with like."""

import argparse

from common import (
    measure_pages,
    prepare_database,
    print_pages_table,
    production_env,
    production_server,
)

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
    with production_server(env, workers=2) as base_url:
        results = measure_pages(
            base_url,
            PAGES,
            runs=args.runs,
            duration=args.duration,
            concurrency=args.concurrency,
        )
    print_pages_table(results, runs=args.runs, errors_not_counted={"404"})


if __name__ == "__main__":
    main()
