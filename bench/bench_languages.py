"""The same page in French and in English, side by side: uncached requests per second served
by gunicorn with the production settings on the demo content (SQLite), and how many answers
were not 2xx. Issue 11 found 103 of 124 English pages answering 404; this shows each English
page type answering, at the speed of its French source.

    .venv/bin/python bench/bench_languages.py [--runs 3] [--duration 5]

Each run measures every page in turn, so the ratios compare like with like."""

import argparse
import json
import statistics
import subprocess

from common import (
    BASE_DIR,
    PYTHON,
    measure_pages,
    prepare_database,
    production_env,
    production_server,
)

# For each page type, the first live French page of that type and its English translation.
FIND_PAIRS = """
import json
from wagtail.models import Locale, Page
from home.models import HomePage
from stories.models import StoryIndexPage, StoryPage
from gestures.models import GestureIndexPage, GesturePage
from kits.models import KitIndexPage, KitPage
from volunteers.models import VolunteerSignupPage
from campaign.models import ContentPage
en = Locale.objects.get(language_code="en")
pairs = {}
for name, model in [("home", HomePage), ("content page", ContentPage),
                    ("story index", StoryIndexPage), ("story", StoryPage),
                    ("gestures catalogue", GestureIndexPage), ("gesture", GesturePage),
                    ("kits index", KitIndexPage), ("kit", KitPage),
                    ("sign-up page", VolunteerSignupPage)]:
    page = model.objects.live().filter(locale__language_code="fr").order_by("path").first()
    english = page.get_translation_or_none(en)
    pairs[name] = [page.url, english.url if english else None]
print(json.dumps(pairs))
"""


def page_pairs(env):
    out = subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", FIND_PAIRS],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    env = production_env()
    prepare_database(env, fresh=True)
    pairs = page_pairs(env)
    pages = {}
    for name, (french, english) in pairs.items():
        pages[f"{name} (fr)"] = [french]
        if english:
            pages[f"{name} (en)"] = [english]
    with production_server(env, workers=2) as base_url:
        results = measure_pages(
            base_url, pages, runs=args.runs, duration=args.duration, concurrency=args.concurrency
        )

    def rps(key):
        return statistics.median(r["rps"] for r in results[key]) if key in results else None

    def errors(key):
        return sum(r["errors"] for r in results[key]) if key in results else "no page"

    print(
        f"| page type | fr req/s | en req/s | en / fr | fr errors | en errors |  "
        f"(median of {args.runs})"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name in pairs:
        fr, en = rps(f"{name} (fr)"), rps(f"{name} (en)")
        ratio = f"{en / fr:.2f}" if fr and en else "n/a"
        en_text = f"{en:.0f}" if en else "n/a"
        print(
            f"| {name} | {fr:.0f} | {en_text} | {ratio} | {errors(f'{name} (fr)')} | "
            f"{errors(f'{name} (en)')} |"
        )


if __name__ == "__main__":
    main()
