"""A mixed load through the deployment of deploy/ (issue 14, "Must show"): many visitors
reading pages, people signing up, a mailing being sent and an editor publishing, all at once.

    .venv/bin/python bench/bench_mixed.py [--duration 60] [--readers 32] [--signups 4]
        [--volunteers 5000] [--publish-every 5]

Method
------
1. PostgreSQL (database `bench_mixed` on 127.0.0.1, dropped and created again), Redis for the
   cache (a key prefix of this run's own), production settings, demo content; `--volunteers`
   confirmed, consenting volunteers (bench/bench_mailings.py's `create_volunteers`).
2. The deployment as docs/DEPLOY.md sets it up, on loopback: gunicorn (gunicorn.conf.py,
   2 sync workers), deploy/'s nginx site in front (proxy cache, purge), a `db_worker` for every
   queue but the purges and one for the purges (the two systemd units of deploy/), Wagtail's
   frontend cache pointed at the nginx (FRONTEND_CACHE=nginx). The ESP is the fake Brevo of
   tests/fakes/brevo.py (Brevo as its reference documents it), answering after 50 ms.
3. For `--duration` seconds, at the same time:
   - readers: wrk with `--readers` connections through nginx, cycling over the home (fr, en),
     a story, the story index, the catalogue and the sign-up page;
   - sign-ups: `--signups` clients, each in a loop: GET the sign-up page through nginx (the
     cached copy), POST the form with a fresh address (as a browser does: Origin and
     Sec-Fetch-Site of the page), expect the redirect to the thank-you page;
   - a mailing to every volunteer, started 3 s in (`mailing_start`, as the admin's "send");
   - an editor: every `--publish-every` seconds, a new revision of a story is published with
     a new title (in this process, as the admin's "Publish" does: the same signals and purge);
     a poller then GETs the story index through nginx every 50 ms until the new title shows,
     and records how long that took.
4. Then: wrk's errors (non-2xx/3xx and socket errors), the sign-ups accepted and refused, the
   volunteers stored per accepted address (must be 1 each), the mailing's deliveries (each
   volunteer exactly once at the fake ESP), and the publish-to-visible delays (goal: ≤ 2 s).

Nothing here asserts a timing: docs/PERFORMANCE.md records the figures.
"""

import argparse
import contextlib
import http.client
import shlex
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_mailings import create_mailing, create_volunteers, setup_django  # noqa: E402
from bench_serving import OUT, gunicorn, nginx, wrk  # noqa: E402
from bench_volunteers import SIGNUP_PATH, Browser  # noqa: E402
from common import BASE_DIR, PYTHON, free_port, prepare_database, production_env  # noqa: E402

from tests.fakes.brevo import FakeBrevo  # noqa: E402

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "bench_mixed"
HOST = "127.0.0.1"


def fresh_database():
    pg = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *pg, "--if-exists", "--force", PG_DATABASE], check=True)  # noqa: S607
    subprocess.run(["createdb", *pg, PG_DATABASE], check=True)  # noqa: S607


def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.getheader("Location", ""), response.read()
    finally:
        connection.close()


class SignUps(threading.Thread):
    """One person after another: the cached form, then the POST a browser sends
    (bench_volunteers.Browser: same-origin Referer, as the origin check of campaign/csrf.py
    reads it)."""

    def __init__(self, port, stop, prefix):
        super().__init__(daemon=True)
        self.port, self.stop, self.prefix = port, stop, prefix
        self.accepted, self.refused, self.errors = [], [], []

    def run(self):
        browser = Browser(f"http://{HOST}:{self.port}")
        i = 0
        while not self.stop.is_set():
            i += 1
            email = f"{self.prefix}-{i}@signup.example"
            try:
                _status, token, started = browser.get_form()
                status, location = browser.post_signup(token, started, email)
            except (OSError, http.client.HTTPException, AttributeError) as exc:
                self.errors.append(repr(exc))
                continue
            if status == 302 and "merci" in location:
                self.accepted.append(email)
            elif status >= 500:
                self.errors.append(status)
            else:
                self.refused.append(status)


class Editor(threading.Thread):
    """Publishes a new title every `every` seconds; measures when nginx serves it."""

    def __init__(self, port, story_id, index_path, stop, every):
        super().__init__(daemon=True)
        self.port, self.story_id, self.index_path = port, story_id, index_path
        self.stop, self.every = stop, every
        self.delays, self.never, self.errors = [], 0, []

    def run(self):
        from django.db import close_old_connections

        from stories.models import StoryPage

        k = 0
        while not self.stop.wait(self.every):
            k += 1
            title = f"Josiane et Marcel, épisode {k} ({uuid.uuid4().hex[:6]})"
            try:
                close_old_connections()
                story = StoryPage.objects.get(pk=self.story_id)
                story.title = title
                story.save_revision().publish()
            except Exception as exc:  # noqa: BLE001 - reported, never hidden
                self.errors.append(repr(exc))
                continue
            published = time.monotonic()
            expected = title.encode()
            while time.monotonic() - published < 30:
                try:
                    status, _l, html = request(self.port, "GET", self.index_path)
                except (OSError, http.client.HTTPException):
                    status, html = 0, b""
                if status == 200 and expected in html.replace(b"&#x27;", b"'"):
                    self.delays.append(time.monotonic() - published)
                    break
                time.sleep(0.05)
            else:
                self.never += 1


def stored_per_address(prefix):
    from django.db.models import Count

    from volunteers.models import Volunteer

    rows = (
        Volunteer.objects.filter(email__startswith=prefix).values("email").annotate(n=Count("pk"))
    )
    return {row["email"]: row["n"] for row in rows}


def workers(env, log):
    """The two worker units of deploy/systemd: every queue but the purges, and the purges."""
    common = [PYTHON, "manage.py", "db_worker", "--no-startup-delay"]
    return [
        subprocess.Popen(  # noqa: S603
            [*common, "--queue-name", queue], cwd=BASE_DIR, env=env, stdout=log, stderr=log
        )
        for queue in ("default", "cache")
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument("--signups", type=int, default=4)
    parser.add_argument("--volunteers", type=int, default=5000)
    parser.add_argument("--publish-every", type=float, default=5.0)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    esp = FakeBrevo(api_key="bench-key", latency=0.05).start()
    app_port, proxy_port, purge_port = free_port(), free_port(), free_port()
    run = uuid.uuid4().hex[:8]
    env = production_env(
        f"{PG_SERVER}/{PG_DATABASE}",
        REDIS_URL="redis://127.0.0.1:6379/0",
        CACHE_KEY_PREFIX=f"bench-mixed-{run}",
        FRONTEND_CACHE="nginx",
        FRONTEND_CACHE_PURGE_URL=f"http://127.0.0.1:{purge_port}",
        EMAIL_BACKEND="anymail.backends.brevo.EmailBackend",
        BREVO_API_KEY="bench-key",
        BREVO_API_URL=esp.url,
        VOLUNTEERS_MIN_FILL_SECONDS="0",
        RATE_LIMIT_SIGNUP="1000000/3600",
        RATE_LIMIT_SIGNUP_EMAIL="1000000/3600",
        GUNICORN_MAX_REQUESTS="0",
    )
    print("Preparing the PostgreSQL database…", flush=True)
    fresh_database()
    prepare_database(env, demo=True)
    setup_django(env)
    from mailings.models import Delivery
    from stories.models import StoryIndexPage, StoryPage
    from volunteers.models import VolunteerSignupPage

    create_volunteers(args.volunteers)
    fr = {"locale__language_code": "fr"}
    story = StoryPage.objects.live().filter(**fr).order_by("path").first()
    index_path = StoryIndexPage.objects.live().filter(**fr).first().url
    signup_path = VolunteerSignupPage.objects.live().filter(**fr).first().url
    assert signup_path == SIGNUP_PATH, signup_path  # noqa: S101 - Browser's address
    pages = ["/", "/en/", story.url, index_path, "/gestes/", signup_path]
    mailing_id = create_mailing("charge mixte")

    log = open(OUT / "mixed-workers.log", "w")  # noqa: SIM115
    stop = threading.Event()
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        stack.enter_context(gunicorn(env, "mixed", port=app_port))
        stack.enter_context(
            nginx(
                upstream_port=app_port,
                static_root=Path(env["STATIC_ROOT"]),
                media_root=Path(env["MEDIA_ROOT"]),
                saved_root=OUT,
                proxy_port=proxy_port,
                purge_port=purge_port,
            )
        )
        procs = workers(env, log)
        stack.callback(lambda: [p.terminate() for p in procs])
        for path in pages:  # fill the caches, as the first visitors do
            request(proxy_port, "GET", path)
        signups = [SignUps(proxy_port, stop, f"mixte-{run}-{n}") for n in range(args.signups)]
        editor = Editor(proxy_port, story.pk, index_path, stop, args.publish_every)
        readers = threading.Thread(
            target=lambda: readers_result.update(
                wrk(proxy_port, "/", args.duration, connections=args.readers, paths=pages)
            ),
            daemon=True,
        )
        readers_result = {}
        for thread in (*signups, editor, readers):
            thread.start()
        time.sleep(3)
        subprocess.run(  # noqa: S603
            [
                PYTHON,
                "manage.py",
                "shell",
                "-c",
                "from mailings.services import mailing_start; "
                f"mailing_start(mailing_id={mailing_id})",
            ],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
        )
        readers.join()
        stop.set()
        for thread in (*signups, editor):
            thread.join(timeout=60)
        # The mailing goes on after the load: wait until nothing is pending.
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            counts = Delivery.objects.filter(mailing_id=mailing_id).counts()
            if not counts.get("pending") and not counts.get("sending"):
                break
            time.sleep(1)
    log.close()
    esp.stop()

    accepted = [e for s in signups for e in s.accepted]
    refused = [e for s in signups for e in s.refused]
    signup_errors = [e for s in signups for e in s.errors]
    stored = {}
    for n in range(args.signups):
        stored.update(stored_per_address(f"mixte-{run}-{n}-"))
    once = sum(1 for e in accepted if stored.get(e) == 1)
    delivered = esp.delivered_to()
    bench_addresses = [f"benevole{i:06d}@bench.example" for i in range(args.volunteers)]
    delivered_once = sum(1 for a in bench_addresses if delivered.get(a, 0) == 1)
    delivered_twice = sum(1 for a in bench_addresses if delivered.get(a, 0) > 1)

    print()
    print("Command: .venv/bin/python bench/bench_mixed.py " + shlex.join(sys.argv[1:]))
    print(
        f"Date: {time.strftime('%Y-%m-%d')}; PostgreSQL, Redis, gunicorn 2 sync workers behind "
        f"deploy/'s nginx, {args.readers} reader connections, {args.signups} sign-up clients, "
        f"a mailing to {args.volunteers} volunteers, a publish every {args.publish_every:.0f} s, "
        f"{args.duration:.0f} s of load; whole run {time.monotonic() - started:.0f} s."
    )
    print()
    delays = sorted(editor.delays)
    print("| measure | figure |")
    print("| --- | ---: |")
    print(f"| page views through nginx | {readers_result['requests']} |")
    print(f"| page views per second | {readers_result['rps']:.0f} |")
    print(
        f"| page views p50 / p99 ms | {readers_result['p50']:.1f} / {readers_result['p99']:.1f} |"
    )
    print(
        f"| page view errors (non-2xx/3xx, socket) | {readers_result['errors']}, "
        f"{readers_result['socket_errors'] or 'none'} |"
    )
    print(f"| sign-ups accepted | {len(accepted)} |")
    print(f"| sign-ups refused (4xx) / errors | {len(refused)} / {len(signup_errors)} |")
    print(f"| accepted sign-ups stored exactly once | {once} of {len(accepted)} |")
    print(f"| volunteers stored for no accepted sign-up | {len(set(stored) - set(accepted))} |")
    print(f"| mailing: delivered once / more than once | {delivered_once} / {delivered_twice} |")
    print(f"| publishes / errors | {len(delays) + editor.never} / {len(editor.errors)} |")
    if delays:
        print(
            f"| publish → visible through nginx: median / max s | "
            f"{statistics.median(delays):.2f} / {delays[-1]:.2f} |"
        )
    print(f"| publishes never visible within 30 s | {editor.never} |")
    if signup_errors or editor.errors:
        print("\nErrors:", (signup_errors + editor.errors)[:10])


if __name__ == "__main__":
    main()
