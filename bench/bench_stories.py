"""Uncached requests per second of the stories pages, served by gunicorn with the production
settings on SQLite, side by side with the home page in the same run: the story index, the
index filtered by theme, a story page and the RSS feed.

    .venv/bin/python bench/bench_stories.py [--runs 3] [--duration 8]

Each run measures every page in turn, so the ratios compare like with like. The database is
its own file (var/bench/bench-stories.sqlite3), so other benchmarks running at the same time
are not disturbed; it holds the demo content up to the stories' (see DEMO_LOADERS), with the
portraits' renditions made before measuring."""

import argparse
import http.client

from common import (
    VAR,
    manage,
    measure_pages,
    print_pages_table,
    production_env,
    production_server,
    run_pending_tasks,
)

PAGES = {
    "home (fr)": ["/"],
    "story index": ["/histoires/"],
    "story index, filtered": ["/histoires/?theme=aines&region=11"],
    "story index (en)": ["/en/stories/"],
    "story page": ["/histoires/josiane-et-les-courses-du-cinquieme/"],
    "story page (en)": ["/en/stories/josiane-and-the-fifth-floor-shopping/"],
    "RSS feed": ["/histoires/flux/"],
}


# The renditions the stories pages show: cards, the story's portrait, Open Graph.
RENDITIONS = """
from wagtail.images import get_image_model
from stories.models import StoryPage
sizes = ["320x240", "480x360", "640x480", "480x480", "720x720"]
specs = [f"fill-{s}|format-{f}" for s in sizes for f in ("avif", "webp", "jpeg")]
specs.append("fill-1200x630|format-jpeg")
for image in get_image_model().objects.filter(
    pk__in=StoryPage.objects.values("portrait_id")
):
    image.get_renditions(*specs)
"""


# The demo loaders this bench needs, in settings.DEMO_LOADERS order, up to the stories':
# the pages measured here do not depend on the apps loaded after it.
LOAD_DEMO_UP_TO_STORIES = """
from django.conf import settings
from django.utils.module_loading import import_string
from wagtail.models import Site
loaders = settings.DEMO_LOADERS
for dotted_path in loaders[: loaders.index("stories.demo.load") + 1]:
    import_string(dotted_path)()
Site.clear_site_root_paths_cache()
"""


def prepare_stories_database(env):
    """common.prepare_database(), with only the demo loaders the stories pages need."""
    manage("migrate", "--noinput", env=env)
    manage("import_communes", "--quiet", env=env)
    manage("shell", "-c", LOAD_DEMO_UP_TO_STORIES, env=env)
    manage("collectstatic", "--noinput", env=env)
    run_pending_tasks(env)


def warm_up(base_url, paths):
    """One slow first visit per page, outside the measured window."""
    host, port = base_url.removeprefix("http://").split(":")
    for path in paths:
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    env = production_env(database_url=f"sqlite:///{VAR / 'bench-stories.sqlite3'}")
    prepare_stories_database(env)
    # Renditions are made once, on the first visit: make them before measuring, so that no
    # first request runs into gunicorn's timeout and the figures show the steady state.
    manage("shell", "-c", RENDITIONS, env=env)
    with production_server(env, workers=2) as base_url:
        warm_up(base_url, [path for paths in PAGES.values() for path in paths])
        results = measure_pages(
            base_url,
            PAGES,
            runs=args.runs,
            duration=args.duration,
            concurrency=args.concurrency,
        )
    print_pages_table(results, runs=args.runs)


if __name__ == "__main__":
    main()
