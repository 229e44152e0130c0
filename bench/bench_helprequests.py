"""In-process render time and SQL queries of the help requests' pages (issue 16, "un coup de
main") with 5,000 requests and 2,000 volunteers who agreed to be proposed them, beside the
story page; and, with `--serve`, the public pages served by gunicorn.

    .venv/bin/python bench/bench_helprequests.py [--small] [--renders 20] [--rounds 3]
        [--serve SECONDS] [--skip-setup]

The demo database (var/bench/render.sqlite3 when bench_render.py made one, else built here:
migrate, import_communes, load_demo: the demo's 8 requests of Melun, Lille and Annecy, its two
referents and five volunteers) is copied and brought up to date, then gets a staff superuser
("bench-staff") and its pending proposals a deadline two months ahead (so that the answer page
opens on a later `--skip-setup`). A second copy gets, with bulk_create, over 200 communes of
one department (the first 200 with coordinates, in the order of their codes):

- 2,000 volunteers who may be proposed requests (confirmed, consent_help_requests, not
  paused), one to three interests, one to three moments; 600 in the three most populous
  communes (300, 200, 100), the rest spread at random;
- three referents (users "bench-referent-1..3" in the referents' group, one Referent row each)
  for those three communes;
- 5,000 requests dated over the last 12 weeks, 3,500 in the referents' communes (1,800, 1,000,
  700), the rest over the 197 others; every state: a third done (with the minutes given),
  then new, looking for a volunteer, proposed, accepted and closed without help; a proposal
  for each proposed (pending), accepted and done one (accepted), a declined one for half of
  those looking for a volunteer; a line of the access log for each request and proposal.

Each page is rendered `--renders` times with Django's test client in a process of its own
with the production settings (DEBUG off), the page cache off and the site-data cache warm (two
renders first): the figure is the median render and the number of queries of one render. The
pages: the request form (GET) and a valid request (POST, the redirect to the thanks page,
counted as one; the rate limits raised through RATE_LIMIT_HELP_REQUEST(_CONTACT) and the
form's signed start time a minute old; the requests it makes are deleted after the measure),
the volunteer's answer page (a pending proposal's signed link), as the referent of the commune
with the most requests among those with a referent: the queue, a request's page and its
candidates (both write a line of the access log, as in life), the dashboard (/admin/) as the
staff superuser, the home page and that commune's directory page (both show the hours given),
and the story page as the baseline. With `--small`, the same on the demo database, rounds
interleaved, so that the query counts compare at two sizes under the same machine load.

With `--serve SECONDS`, each database is then also served by gunicorn (production settings, 2
sync workers, page cache off: every answer is rendered) and the public pages (the form, the
home page, the commune page, the story page) are loaded by 4 keep-alive clients for SECONDS
each, pages and sizes interleaved in each round (bench/common.py `load`), after one round
outside the measure: req/s, p50/p99 and each page's ratio to the story page of the same round
and size (median and range). Prints Markdown tables."""

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

REQUESTS = 5000
VOLUNTEERS = 2000
COMMUNES = 200
# Requests and volunteers of the three referents' communes (the most populous first).
REFERENT_REQUESTS = (1800, 1000, 700)
REFERENT_VOLUNTEERS = (300, 200, 100)
WEEKS = 12
STORY = "/histoires/josiane-et-les-courses-du-cinquieme/"
STAFF = "bench-staff"
POST_PHONE = "06 99 99 99 99"  # the bench's own requests, deleted after the measure
PAGES = (
    "request form (GET)",
    "request (POST)",
    "answer page (volunteer)",
    "queue (referent)",
    "request page (referent)",
    "candidates (referent)",
    "dashboard (staff)",
    "home page",
    "commune page",
    "story page",
)
SERVED = ("request form (GET)", "home page", "commune page", "story page")
FIRST_NAMES = ["Camille", "Nadia", "Louis", "Awa", "Jeanne", "Karim", "Marie", "Hugo", "Inès"]
LAST_NAMES = ["Martin", "Bernard", "Diallo", "Petit", "Nguyen", "Moreau", "Haddad", "Roux"]


def prepare():
    """Runs in the demo copy, before the large one is made from it: the staff superuser and
    pending proposals that are still answerable."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from helprequests.models import HelpProposal

    User = get_user_model()
    user, _created = User.objects.get_or_create(
        username=STAFF,
        defaults={"email": "bench-staff@example.org", "is_staff": True, "is_superuser": True},
    )
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_unusable_password()
    user.save()
    HelpProposal.objects.filter(status=HelpProposal.Status.PENDING).update(
        deadline=timezone.now() + datetime.timedelta(days=60)
    )


def populate():
    """Runs in the large copy: bulk-creates volunteers, referents, requests, proposals and
    the access log."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    from campaign.geography.models import Commune
    from helprequests.forms import DURATIONS
    from helprequests.models import (
        REFERENT_GROUP,
        AccessRecord,
        HelpProposal,
        HelpRequest,
        Referent,
    )
    from volunteers.interests import interest_choices
    from volunteers.models import AVAILABILITY_CHOICES, Volunteer, VolunteerInterest, email_hash

    rng = random.Random(16)  # noqa: S311
    # The department with the most communes that have a centre, its first 200 in the order
    # of their codes (neighbours, as in life: the candidates' 15 km fall-back finds some).
    department = (
        Commune.objects.filter(kind=Commune.Kind.COMMUNE, latitude__isnull=False)
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "department_id")
        .first()["department_id"]
    )
    communes = list(
        Commune.objects.filter(
            department_id=department, kind=Commune.Kind.COMMUNE, latitude__isnull=False
        )
        .order_by("insee_code")
        .prefetch_related("postcodes")[:COMMUNES]
    )
    by_population = sorted(communes, key=lambda c: (-(c.population or 0), c.insee_code))
    referent_communes = by_population[:3]
    others = [c for c in communes if c not in referent_communes]
    slugs = [slug for slug, _label in interest_choices("fr")]
    moments = [value for value, _label in AVAILABILITY_CHOICES]
    now = timezone.now()
    S, P, A = HelpRequest.Status, HelpProposal.Status, AccessRecord.Action

    def postcode(commune):
        codes = sorted(p.code for p in commune.postcodes.all())
        return codes[0] if codes else ""

    with transaction.atomic():
        # Volunteers: 600 in the referents' communes, 1,400 over the others.
        placed = []
        for commune, n in zip(referent_communes, REFERENT_VOLUNTEERS, strict=True):
            placed += [commune] * n
        placed += [rng.choice(others) for _ in range(VOLUNTEERS - len(placed))]
        volunteers = []
        for n, commune in enumerate(placed):
            email = f"bench-coup-de-main-{n:05d}@example.org"
            volunteers.append(
                Volunteer(
                    email=email,
                    email_hash=email_hash(email),
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    commune=commune,
                    postcode=postcode(commune),
                    availability=rng.sample(moments, rng.randint(1, len(moments))),
                    status=Volunteer.Status.CONFIRMED,
                    consent_emails=True,
                    consent_help_requests=True,
                    confirmed_at=now - datetime.timedelta(days=rng.randint(90, 400)),
                    language="fr",
                )
            )
        volunteers = Volunteer.objects.bulk_create(volunteers, batch_size=500)
        VolunteerInterest.objects.bulk_create(
            (
                VolunteerInterest(volunteer=v, slug=slug)
                for v in volunteers
                for slug in rng.sample(slugs, rng.randint(1, min(3, len(slugs))))
            ),
            batch_size=1000,
        )
        near = {}
        for v in volunteers:
            near.setdefault(v.commune_id, []).append(v)

        # Referents: one user for each of the three communes, in the referents' group.
        User = get_user_model()
        group = Group.objects.get(name=REFERENT_GROUP)
        referents = {}
        for k, commune in enumerate(referent_communes, start=1):
            user = User.objects.create(
                username=f"bench-referent-{k}",
                email=f"bench-referent-{k}@example.org",
                first_name=f"Référent·e {commune.name}",
            )
            user.set_unusable_password()
            user.save()
            user.groups.add(group)
            Referent.objects.create(user=user, commune=commune)
            referents[commune.insee_code] = user
        staff = User.objects.get(username=STAFF)

        # Requests: 3,500 in the referents' communes, 1,500 over the others, every state.
        where = []
        for commune, n in zip(referent_communes, REFERENT_REQUESTS, strict=True):
            where += [commune] * n
        where += [rng.choice(others) for _ in range(REQUESTS - len(where))]
        rng.shuffle(where)
        states = [S.DONE, S.NEW, S.SEARCHING, S.PROPOSED, S.ACCEPTED, S.CLOSED]
        weights = [1 / 3, 0.15, 0.15, 0.1, 0.1, 1 - 1 / 3 - 0.5]
        reasons = [r for r, _label in HelpRequest.ClosedReason.choices]
        asked = [a for a, _label in HelpRequest.AskedBy.choices]
        rows, plans = [], []
        for n, commune in enumerate(where):
            status = rng.choices(states, weights)[0]
            created_at = now - datetime.timedelta(minutes=rng.randint(60, WEEKS * 7 * 24 * 60))
            age = now - created_at
            pool = near.get(commune.insee_code) or volunteers
            volunteer = rng.choice(pool)
            matched_at = done_at = closed_at = None
            if status in (S.ACCEPTED, S.DONE):
                matched_at = created_at + age * rng.uniform(0.05, 0.4)
            if status == S.DONE:
                done_at = closed_at = matched_at + (now - matched_at) * rng.uniform(0.1, 0.9)
            if status == S.CLOSED:
                closed_at = created_at + age * rng.uniform(0.1, 0.9)
            asked_by = rng.choice(asked)
            rows.append(
                HelpRequest(
                    commune=commune,
                    category=rng.choice(slugs),
                    availability=rng.sample(moments, rng.randint(1, 2)),
                    when_details="En semaine, l'après-midi",
                    details="Porter les courses au troisième étage, le jeudi.",
                    first_name=rng.choice(FIRST_NAMES),
                    phone=f"06 {n // 10000 % 100:02d} {n // 100 % 100:02d} {n % 100:02d} 00",
                    asked_by=asked_by,
                    requester_name="" if asked_by == "self" else "Karim, voisin du 2e",
                    consent_wording="J'accepte que le ou la référent·e de ma commune me contacte.",
                    consent_at=created_at,
                    language="fr",
                    status=status,
                    closed_reason=rng.choice(reasons) if status == S.CLOSED else "",
                    volunteer=volunteer if status in (S.ACCEPTED, S.DONE) else None,
                    minutes=rng.choice(DURATIONS) if status == S.DONE else None,
                    created_at=created_at,
                    status_changed_at=closed_at or matched_at or created_at,
                    matched_at=matched_at,
                    done_at=done_at,
                    closed_at=closed_at,
                )
            )
            plans.append((volunteer, pool))
        rows = HelpRequest.objects.bulk_create(rows, batch_size=500)

        proposals, records = [], []
        for help_request, (volunteer, pool) in zip(rows, plans, strict=True):
            handler = referents.get(help_request.commune_id, staff)
            seen = help_request.created_at + datetime.timedelta(hours=2)
            records.append(
                AccessRecord(
                    user=handler,
                    action=A.VIEW_REQUEST,
                    request=help_request,
                    commune_id=help_request.commune_id,
                    at=seen,
                )
            )
            answers = []
            if help_request.status == S.SEARCHING and rng.random() < 0.5:
                declined = rng.choice([v for v in pool if v is not volunteer] or pool)
                answers.append((declined, P.DECLINED))
            elif help_request.status == S.PROPOSED:
                answers.append((volunteer, P.PENDING))
            elif help_request.status in (S.ACCEPTED, S.DONE):
                answers.append((volunteer, P.ACCEPTED))
            for who, answer in answers:
                proposed_at = seen + datetime.timedelta(minutes=30)
                pending = answer == P.PENDING
                proposals.append(
                    HelpProposal(
                        request=help_request,
                        volunteer=who,
                        proposed_by=handler,
                        status=answer,
                        created_at=proposed_at,
                        # Pending ones stay answerable for the whole bench.
                        deadline=(now if pending else proposed_at)
                        + datetime.timedelta(days=60 if pending else 2),
                        answered_at=None
                        if pending
                        else help_request.matched_at or proposed_at + datetime.timedelta(hours=5),
                    )
                )
                records.append(
                    AccessRecord(
                        user=handler,
                        action=A.PROPOSE,
                        request=help_request,
                        volunteer=who,
                        commune_id=help_request.commune_id,
                        at=proposed_at,
                    )
                )
        HelpProposal.objects.bulk_create(proposals, batch_size=1000)
        AccessRecord.objects.bulk_create(records, batch_size=1000)


def pages():
    """The measured addresses, the users to log in as, and what the database holds."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils import timezone

    from campaign.geography.models import Commune
    from helprequests import services
    from helprequests.models import HelpProposal, HelpRequest, Referent
    from volunteers.models import Volunteer

    S = HelpRequest.Status
    # The commune with a referent that has the most requests, among those with one still
    # looking for a volunteer (the demo's Melun has none: its Lille is measured).
    looking = HelpRequest.objects.filter(status__in=(S.SEARCHING, S.NEW))
    busiest = (
        HelpRequest.objects.filter(
            commune_id__in=Referent.objects.values("commune_id"),
        )
        .filter(commune_id__in=looking.values("commune_id"))
        .values("commune_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "commune_id")
        .first()
    )
    commune = Commune.objects.get(insee_code=busiest["commune_id"])
    referent = Referent.objects.filter(commune=commune).order_by("pk").first().user
    here = HelpRequest.objects.filter(commune=commune)
    # The most recent request of the commune that still looks for a volunteer: its page,
    # and the volunteers it may be proposed to.
    searching = here.filter(status__in=(S.SEARCHING, S.NEW)).order_by("-status", "-created_at")
    searching = searching.first()  # "searching" before "new"
    answerable = HelpProposal.objects.filter(
        status=HelpProposal.Status.PENDING,
        deadline__gt=timezone.now(),
        volunteer__status=Volunteer.Status.CONFIRMED,
    ).order_by("-created_at", "-pk")
    # One of the commune's if it has one (the demo's is Melun's).
    proposal = answerable.filter(request__commune=commune).first() or answerable.first()
    postcode = commune.postcodes.order_by("code").first().code
    post = {
        "asked_by": "self",
        "first_name": "Simone",
        "postcode": postcode,
        "commune": commune.insee_code,
        "phone": POST_PHONE,
        "email": "",
        "category": searching.category,
        "availability": ["weekday"],
        "when_details": "Le jeudi matin",
        "details": "Porter les courses au quatrième étage.",
        "consent_self": "on",
        "website": "",
    }
    detail = reverse("helprequests_admin:detail", args=[searching.pk])
    paths = {
        "request form (GET)": reverse("helprequests:request"),
        "request (POST)": reverse("helprequests:request"),
        "answer page (volunteer)": reverse(
            "helprequests:answer", kwargs={"token": services.answer_token(proposal)}
        ),
        "queue (referent)": reverse("helprequests_admin:index"),
        "request page (referent)": detail,
        "candidates (referent)": reverse("helprequests_admin:candidates", args=[searching.pk]),
        "dashboard (staff)": reverse("wagtailadmin_home"),
        "home page": "/",
        "commune page": reverse("directory:commune", args=[commune.slug]),
        "story page": STORY,
    }
    counts = here.aggregate(
        total=Count("pk"), open=Count("pk", filter=~Q(status__in=HelpRequest.CLOSED_STATUSES))
    )
    about = {
        "requests": HelpRequest.objects.count(),
        "proposable": Volunteer.objects.proposable().count(),
        "commune": f"{commune.name} ({commune.insee_code})",
        "commune_requests": counts["total"],
        "commune_open": counts["open"],
        "commune_proposable": Volunteer.objects.proposable().filter(commune=commune).count(),
        "candidates": len(services.candidates(help_request=searching)),
        "referent": referent.username,
    }
    users = {"referent": referent.pk, "staff": get_user_model().objects.get(username=STAFF).pk}
    return paths, post, users, about


ROLES = {
    "queue (referent)": "referent",
    "request page (referent)": "referent",
    "candidates (referent)": "referent",
    "dashboard (staff)": "staff",
}


def worker(renders):
    """Runs in a process of its own on one database: prints one JSON line of figures."""
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core import signing
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from helprequests.models import HelpRequest
    from volunteers.forms import FORM_TIMESTAMP_SALT

    cache.clear()  # The other size's site data shares this Redis database.
    paths, post, users, about = pages()
    User = get_user_model()
    clients = {"anonymous": Client(HTTP_HOST="127.0.0.1")}
    for role, pk in users.items():
        clients[role] = Client(HTTP_HOST="127.0.0.1")
        clients[role].force_login(User.objects.get(pk=pk))
    figures = {"about": about, "paths": paths}

    def fetch(name):
        client = clients[ROLES.get(name, "anonymous")]
        if name == "request (POST)":
            # Shown a minute ago (the form's minimum fill time passed), signed as the GET
            # signs it (volunteers.forms.form_timestamp_make).
            started = signing.dumps(time.time() - 60, salt=FORM_TIMESTAMP_SALT)
            return client.post(paths[name], {**post, "started": started}), 302
        return client.get(paths[name]), 200

    for name in PAGES:
        # First visits outside the measure: templates compiled, the site data cached.
        for _ in range(2):
            response, expected = fetch(name)
            if response.status_code != expected:
                raise RuntimeError(f"{name} {paths[name]}: HTTP {response.status_code}")
        times = []
        for _ in range(renders):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response, expected = fetch(name)
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == expected, (name, response.status_code)
        figures[name] = {"ms": statistics.median(times), "queries": len(queries)}
        if name == "request (POST)":
            HelpRequest.objects.filter(phone=POST_PHONE).delete()
    print(json.dumps(figures))


def production_env(database, **extra):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import VAR, production_env

    return production_env(
        database_url=f"sqlite:///{database}",
        STATIC_ROOT=str(VAR / "static-helprequests"),
        MEDIA_ROOT=str(VAR / "media-render"),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        # The page cache (campaign/cache.py) would store every render: the render is measured.
        PAGE_CACHE_ENABLED="false",
        # A valid request is posted 2 + renders times a round from one address and one phone.
        RATE_LIMIT_HELP_REQUEST="1000000/3600",
        RATE_LIMIT_HELP_REQUEST_CONTACT="1000000/86400",
        # A Redis database of its own (bench_directory.py uses 12, bench_render.py 13).
        REDIS_URL=os.environ.get("BENCH_HELPREQUESTS_REDIS_URL", "redis://127.0.0.1:6379/11"),
        **extra,
    )


def run_here(flag, database):
    subprocess.run(  # noqa: S603
        [sys.executable, __file__, flag],
        cwd=Path(__file__).resolve().parent.parent,
        env=production_env(database),
        check=True,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true", help="also measure the demo database")
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-setup", action="store_true", help="reuse the bench databases")
    parser.add_argument(
        "--serve",
        type=float,
        default=0,
        metavar="SECONDS",
        help="also load the public pages through gunicorn for SECONDS per round",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--populate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.renders)
        return
    if args.populate or args.prepare:
        sys.path.insert(0, os.getcwd())
        import django

        django.setup()
        if args.populate:
            populate()
        else:
            prepare()
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import BASE_DIR, VAR, manage, run_pending_tasks

    demo = VAR / "helprequests-demo.sqlite3"
    large = VAR / "helprequests-5000.sqlite3"
    if not args.skip_setup:
        started = time.monotonic()
        VAR.mkdir(parents=True, exist_ok=True)
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
        run_here("--prepare", demo)
        shutil.copyfile(demo, large)
        run_here("--populate", large)
        print(f"setup: {time.monotonic() - started:.0f} s", file=sys.stderr)

    sizes = {"5,000 requests": large}
    if args.small:
        sizes["demo (8 requests)"] = demo
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
        header += [f"{label}: ms", "queries", "ms / story"]
    print("| " + " | ".join(header) + " |")
    print("| --- " + "| ---: " * (len(header) - 1) + "|")
    for name in PAGES:
        row = [name]
        for label in labels:
            ms = median(label, name, "ms")
            # The ratio in each round (the story page measured in the same process), then
            # the median of the rounds.
            ratio = statistics.median(
                run[name]["ms"] / run["story page"]["ms"] for run in results[label]
            )
            row += [f"{ms:.1f}", str(round(median(label, name, "queries"))), f"{ratio:.2f}"]
        print("| " + " | ".join(row) + " |")
    # A query count that moves between rounds is a count that depends on the data.
    for label in labels:
        for name in PAGES:
            counts = sorted({run[name]["queries"] for run in results[label]})
            if len(counts) > 1:
                print(f"\n- {label}, {name}: queries vary between rounds: {counts}")
    print()
    for label in labels:
        about, paths = results[label][0]["about"], results[label][0]["paths"]
        paths = {name: path for name, path in paths.items() if name != "answer page (volunteer)"}
        print(
            f"- {label}: {about['requests']} requests, {about['proposable']} volunteers who may "
            f"be proposed one; commune {about['commune']}: {about['commune_requests']} requests "
            f"({about['commune_open']} open), {about['commune_proposable']} such volunteers, "
            f"{about['candidates']} candidates for the request measured; referent "
            f"`{about['referent']}`; "
            + ", ".join(f"{name} `{path}`" for name, path in paths.items())
        )
    print(
        f"\n{args.renders} renders per page and round, {args.rounds} rounds, median of the "
        "rounds' medians (ms / story: the median of each round's ratio); page cache off, site "
        "data warm; production settings, SQLite."
    )
    if args.serve:
        serve(sizes, {label: results[label][0]["paths"] for label in labels}, args)


def serve(sizes, paths, args):
    """Each size's gunicorn runs during the whole measure; every round loads every public
    page of every size in turn."""
    import contextlib

    from common import load, production_server

    measures = {(label, name): [] for label in sizes for name in SERVED}
    with contextlib.ExitStack() as stack:
        servers = {
            label: stack.enter_context(production_server(production_env(database)))
            for label, database in sizes.items()
        }
        # A round outside the measure, so that both workers of each server have compiled
        # every template (`load`'s own warm-up is one GET, which reaches one worker).
        for name in SERVED:
            for label, base_url in servers.items():
                load(base_url, [paths[label][name]], duration=2, concurrency=4)
        for round_number in range(args.rounds):
            for name in SERVED:
                for label, base_url in servers.items():
                    measures[label, name].append(
                        load(base_url, [paths[label][name]], duration=args.serve, concurrency=4)
                    )
            print(f"serve round {round_number + 1}: done", file=sys.stderr)

    def med(label, name, key):
        values = [run[key] for run in measures[label, name] if run[key] is not None]
        return statistics.median(values) if values else float("nan")

    print()
    print("| page | size | req/s | p50 ms | p99 ms | errors | / story page (rounds) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for label in sizes:
        for name in SERVED:
            errors = sum(run["errors"] for run in measures[label, name])
            # Each round's ratio to the story page of the same round: their median, and
            # their range (a shared machine's load moves between rounds).
            ratios = sorted(
                run["rps"] / story["rps"]
                for run, story in zip(
                    measures[label, name], measures[label, "story page"], strict=True
                )
            )
            print(
                f"| {name} | {label} | {med(label, name, 'rps'):.0f} | "
                f"{med(label, name, 'median_ms'):.1f} | {med(label, name, 'p99_ms'):.1f} | "
                f"{errors} | {statistics.median(ratios):.2f} "
                f"({ratios[0]:.2f}–{ratios[-1]:.2f}) |"
            )
    print(
        "\ngunicorn, 2 sync workers, page cache off, production settings, SQLite; 4 keep-alive "
        f"clients, {args.serve:g} s per page, size and round, {args.rounds} rounds "
        "interleaved; medians of the rounds (/ story page: the median of each round's ratio, and "
        "their range)."
    )


if __name__ == "__main__":
    main()
