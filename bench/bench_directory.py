"""In-process render time and SQL queries of the directory's public pages (issue 15) with 5,000
actors over 1,000 communes, beside the story page.

    .venv/bin/python bench/bench_directory.py [--small] [--renders 20] [--rounds 3]
        [--skip-setup]

The demo database (var/bench/render.sqlite3 when bench_render.py made one, else built here:
migrate, import_communes, load_demo) is copied, brought up to date (migrate, import_communes,
load_demo: the demo's 8 directory actors), then a second copy gets 5,000 published actors over
1,000 communes with bulk_create: 90 % serve one commune, 4 % three neighbouring communes,
4 % their intercommunality, 2 % their department; one to three needs
each, a help point for one in six (a weekly permanence in its commune, a quarter with a
second date). Each page is rendered `--renders` times with Django's test
client in a process of its own with the production settings (DEBUG off), the page cache off
(the page is rendered) and the site-data cache warm (one render first): the figure is the
median render and the number of queries of one render. With `--small`, the same pages on the
demo's 8 actors too, rounds interleaved, so the query counts compare at two sizes under the
same machine load. Prints a Markdown table.

With `--serve SECONDS`, each database is then also served by gunicorn (production settings, 2
sync workers, page cache off: every answer is rendered) and the same pages are loaded by 4
keep-alive clients for SECONDS each, pages and sizes interleaved in each round, so that the
directory's req/s stand beside the story page's under the same load (bench/common.py `load`).
Prints a second table: req/s, p50/p99 and each page's ratio to the story page of its size."""

import argparse
import datetime
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ACTORS = 5000
COMMUNES = 1000
STORY = "/histoires/josiane-et-les-courses-du-cinquieme/"
PAGES = (
    "commune page",
    "search by postcode",
    "search by postcode + need",
    "actor page",
    "commune sheet (PDF)",
    "commune calendar (iCalendar)",
    "map",
    "story page",
)


def populate():
    """Runs in the 5,000-actor copy: bulk-creates the actors and their links."""
    from django.db import transaction

    from campaign.geography.models import Commune, search_key
    from directory.models import (
        Actor,
        ActorCommune,
        ActorDepartment,
        ActorIntercommunality,
        HelpPoint,
        HelpPointDate,
    )
    from gestures.models import GestureCategory

    rng = random.Random(15)
    # 1,000 communes of intercommunalities, whole departments in the order of their codes
    # (neighbours share postcodes and intercommunalities, as in life).
    communes = list(
        Commune.objects.filter(intercommunality__isnull=False)
        .order_by("department_id", "insee_code")
        .only("insee_code", "department_id", "intercommunality_id")[:COMMUNES]
    )
    needs = list(
        GestureCategory.objects.filter(locale__language_code="fr").values_list("pk", flat=True)
    )
    kinds = [kind for kind, _label in Actor.Kind.choices]
    with transaction.atomic():
        actors = Actor.objects.bulk_create(
            (
                Actor(
                    name=f"Acteur de la solidarité {n}",
                    search_name=search_key(f"Acteur de la solidarité {n}"),
                    slug=f"bench-acteur-{n}",
                    kind=rng.choice(kinds),
                    description="Aide aux démarches, visites aux aînés, entraide numérique.",
                    address=f"{n} rue de l'Exemple",
                    status=Actor.Status.PUBLISHED,
                    hosts_help_point=n % 6 == 0,
                )
                for n in range(ACTORS)
            ),
            batch_size=500,
        )
        links, intercommunalities, departments, actor_needs = [], [], [], []
        through = Actor.categories.through
        # A skewed spread (Zipf-like, weights 1/rank^0.8 over the communes in a random
        # order): a town gets a few hundred actors, most villages one to five.
        weights = [1 / (rank + 1) ** 0.8 for rank in range(COMMUNES)]
        rng.shuffle(weights)
        placed = rng.choices(range(COMMUNES), weights=weights, k=ACTORS)
        for n, actor in enumerate(actors):
            index = placed[n]
            commune = communes[index]
            if n % 50 == 49:
                departments.append(
                    ActorDepartment(actor=actor, department_id=commune.department_id)
                )
            elif n % 20 == 19:
                intercommunalities.append(
                    ActorIntercommunality(
                        actor=actor, intercommunality_id=commune.intercommunality_id
                    )
                )
            else:
                for k in range(3 if n % 10 == 9 else 1):
                    links.append(
                        ActorCommune(
                            actor=actor,
                            commune_id=communes[(index + k) % COMMUNES].insee_code,
                        )
                    )
            for pk in rng.sample(needs, rng.randint(1, min(3, len(needs)))):
                actor_needs.append(through(actor_id=actor.pk, gesturecategory_id=pk))
        ActorCommune.objects.bulk_create(links, batch_size=1000)
        # A help point for each actor that says it hosts one (one in six), in its commune,
        # weekly from today for six months; one in four with a second, single date.
        today = datetime.date.today()
        points = HelpPoint.objects.bulk_create(
            (
                HelpPoint(
                    name=f"Permanence {n}",
                    slug=f"bench-permanence-{n}",
                    actor=actor,
                    commune_id=communes[placed[n]].insee_code,
                    place="Salle des associations",
                    digital_mediation=True,
                    helps_with_forms=n % 2 == 0,
                )
                for n, actor in enumerate(actors)
                if actor.hosts_help_point
            ),
            batch_size=500,
        )
        dates = []
        for k, point in enumerate(points):
            start = today + datetime.timedelta(days=k % 7)
            dates.append(
                HelpPointDate(
                    help_point=point,
                    date=start,
                    starts_at=datetime.time(14),
                    ends_at=datetime.time(17),
                    repeat_until=start + datetime.timedelta(weeks=26),
                )
            )
            if k % 4 == 0:
                dates.append(
                    HelpPointDate(
                        help_point=point,
                        date=start + datetime.timedelta(days=10),
                        starts_at=datetime.time(9, 30),
                        ends_at=datetime.time(12),
                    )
                )
        HelpPointDate.objects.bulk_create(dates, batch_size=1000)
        ActorIntercommunality.objects.bulk_create(intercommunalities, batch_size=1000)
        ActorDepartment.objects.bulk_create(departments, batch_size=1000)
        through.objects.bulk_create(actor_needs, batch_size=1000)


def pages():
    """The measured addresses: the commune with the most actors of its own, its postcode,
    its postcode and the need most of its actors answer, one of its actors, the story."""
    from django.db.models import Count
    from django.urls import reverse

    from campaign.geography.models import Commune
    from directory.models import Actor, ActorCommune

    busiest = (
        ActorCommune.objects.values("commune_id")
        .annotate(n=Count("actor_id"))
        .order_by("-n", "commune_id")
        .first()
    )
    commune = Commune.objects.get(insee_code=busiest["commune_id"])
    actors = Actor.objects.published().serving_communes([commune])
    need = (
        actors.values("categories__slug")
        .annotate(n=Count("pk"))
        .order_by("-n", "categories__slug")
        .first()["categories__slug"]
    )
    actor = actors.filter(communes=commune).order_by("pk").first()
    postcode = commune.postcodes.order_by("code").first().code
    search = reverse("directory:search")
    return {
        "commune page": reverse("directory:commune", args=[commune.slug]),
        "search by postcode": f"{search}?q={postcode}",
        "search by postcode + need": f"{search}?q={postcode}&besoin={need}",
        "actor page": reverse("directory:actor", args=[actor.slug]),
        "commune sheet (PDF)": reverse("directory:commune_sheet", args=[commune.slug]),
        "commune calendar (iCalendar)": reverse("directory:commune_calendar", args=[commune.slug]),
        "map": reverse("directory:map"),
        "story page": STORY,
    }, {
        "actors": Actor.objects.published().count(),
        "commune": f"{commune.name} ({commune.insee_code}, {busiest['n']} actors of its own)",
        "reached": actors.count(),
    }


def worker(renders):
    """Runs in a process of its own on one database: prints one JSON line of figures."""
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # The other size's site data shares this Redis database.
    paths, about = pages()
    client = Client(HTTP_HOST="127.0.0.1")
    figures = {"about": about, "paths": paths}
    for name in PAGES:
        path = paths[name]
        # First visits outside the measure: templates compiled, the site data cached.
        for _ in range(2):
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: HTTP {response.status_code}")
        times = []
        for _ in range(renders):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, path
        figures[name] = {"ms": statistics.median(times), "queries": len(queries)}
    print(json.dumps(figures))


def production_env(database):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import VAR, production_env

    return production_env(
        database_url=f"sqlite:///{database}",
        STATIC_ROOT=str(VAR / "static-directory"),
        MEDIA_ROOT=str(VAR / "media-render"),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        # The page cache (campaign/cache.py) would store every render: the render is measured.
        PAGE_CACHE_ENABLED="false",
        # A Redis database of its own (bench_render.py uses 13).
        REDIS_URL=os.environ.get("BENCH_DIRECTORY_REDIS_URL", "redis://127.0.0.1:6379/12"),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true", help="also measure the demo's 8 actors")
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-setup", action="store_true", help="reuse the bench databases")
    parser.add_argument(
        "--serve",
        type=float,
        default=0,
        metavar="SECONDS",
        help="also load each page through gunicorn for SECONDS per round",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--populate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker or args.populate:
        if args.populate:
            sys.path.insert(0, os.getcwd())
            import django

            django.setup()
            populate()
        else:
            worker(args.renders)
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import BASE_DIR, VAR, manage, run_pending_tasks

    demo = VAR / "directory-demo.sqlite3"
    large = VAR / "directory-5000.sqlite3"
    if not args.skip_setup:
        started = time.monotonic()
        source = VAR / "render.sqlite3"
        if source.exists():
            shutil.copyfile(source, demo)
        elif demo.exists():
            demo.unlink()
        env = production_env(demo)
        manage("migrate", "--noinput", env=env)
        manage("import_communes", "--quiet", env=env)
        manage("load_demo", "--force", env=env)
        manage("collectstatic", "--noinput", env=env)
        run_pending_tasks(env)
        shutil.copyfile(demo, large)
        subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--populate"],
            cwd=BASE_DIR,
            env=production_env(large),
            check=True,
        )
        print(f"setup: {time.monotonic() - started:.0f} s", file=sys.stderr)

    sizes = {"5,000 actors": large}
    if args.small:
        sizes["demo (8 actors)"] = demo
    results = {label: [] for label in sizes}
    for round_number in range(args.rounds):
        for label, database in sizes.items():
            run = subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--worker", "--renders", str(args.renders)],
                cwd=BASE_DIR,
                env=production_env(database),
                capture_output=True,
                text=True,
            )
            if run.returncode:
                sys.exit(f"{label} failed:\n{run.stderr[-4000:]}")
            results[label].append(json.loads(run.stdout.strip().splitlines()[-1]))
            print(f"round {round_number + 1} {label}: done", file=sys.stderr)

    def median(label, name, key):
        return statistics.median(run[name][key] for run in results[label])

    labels = list(sizes)
    header = ["page"]
    for label in labels:
        header += [f"{label}: ms", f"{label}: queries"]
    print("| " + " | ".join(header) + " |")
    print("| --- " + "| ---: " * (len(header) - 1) + "|")
    for name in PAGES:
        row = [name]
        for label in labels:
            row += [f"{median(label, name, 'ms'):.1f}", str(round(median(label, name, "queries")))]
        print("| " + " | ".join(row) + " |")
    print()
    for label in labels:
        about, paths = results[label][0]["about"], results[label][0]["paths"]
        print(
            f"- {label}: {about['actors']} published actors; commune {about['commune']}, "
            f"{about['reached']} actors reach it (own, intercommunality, department); "
            + ", ".join(f"{name} `{path}`" for name, path in paths.items())
        )
    print(
        f"\n{args.renders} renders per page and round, {args.rounds} rounds, median of the "
        "rounds' medians; page cache off, site data warm; production settings, SQLite."
    )
    if args.serve:
        serve(sizes, {label: results[label][0]["paths"] for label in labels}, args)


def serve(sizes, paths, args):
    """Each size's gunicorn runs during the whole measure; every round loads every page of
    every size in turn."""
    import contextlib

    from common import load, production_server

    measures = {(label, name): [] for label in sizes for name in PAGES}
    with contextlib.ExitStack() as stack:
        servers = {
            label: stack.enter_context(production_server(production_env(database)))
            for label, database in sizes.items()
        }
        for round_number in range(args.rounds):
            for name in PAGES:
                for label, base_url in servers.items():
                    measures[label, name].append(
                        load(base_url, [paths[label][name]], duration=args.serve, concurrency=4)
                    )
            print(f"serve round {round_number + 1}: done", file=sys.stderr)

    def med(label, name, key):
        values = [run[key] for run in measures[label, name] if run[key] is not None]
        return statistics.median(values) if values else float("nan")

    print()
    print("| page | size | req/s | p50 ms | p99 ms | errors | / story page |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for label in sizes:
        story = med(label, "story page", "rps")
        for name in PAGES:
            errors = sum(run["errors"] for run in measures[label, name])
            rps = med(label, name, "rps")
            print(
                f"| {name} | {label} | {rps:.0f} | {med(label, name, 'median_ms'):.1f} | "
                f"{med(label, name, 'p99_ms'):.1f} | {errors} | {rps / story:.2f} |"
            )
    print(
        "\ngunicorn, 2 sync workers, page cache off, production settings, SQLite; 4 keep-alive "
        f"clients, {args.serve:g} s per page, size and round, {args.rounds} rounds "
        "interleaved; medians of the rounds."
    )


if __name__ == "__main__":
    main()
