"""Sign-ups under load: real HTTP against gunicorn with the production settings, on SQLite
and on PostgreSQL. Each client GETs the sign-up form, then POSTs it with its CSRF token, its
cookie and the form's signed timestamp, as a browser does.

    .venv/bin/python bench/bench_volunteers.py [--runs 3] [--duration 10] [--concurrency 8]
        [--databases sqlite,postgres]

The anti-abuse limits are lowered for the run through the environment (see
volunteers/conf.py): VOLUNTEERS_MIN_FILL_SECONDS=0 and rate limits of a million per hour,
since every client comes from 127.0.0.1. Then a race phase sends each of 50 addresses twice
at the same instant from two clients. Last, the database is asked how many rows each
accepted address has: it must be exactly one. PostgreSQL: DATABASE_URL of the server's
`postgres` database is taken from --postgres (a bench database is created next to it)."""

import argparse
import http.client
import json
import re
import statistics
import subprocess
import threading
import time
import uuid
from http.cookies import SimpleCookie

from common import (
    BASE_DIR,
    PYTHON,
    VAR,
    manage,
    prepare_database,
    production_env,
    production_server,
)

SIGNUP_PATH = "/heure-civique/"
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTED_RE = re.compile(r'name="started" value="([^"]+)"')
LIMITS = {
    "VOLUNTEERS_MIN_FILL_SECONDS": "0",
    "RATE_LIMIT_SIGNUP": "1000000/3600",
    "RATE_LIMIT_SIGNUP_EMAIL": "1000000/3600",
}


class Browser:
    """One visitor: a keep-alive connection and a cookie jar."""

    def __init__(self, base_url):
        host, port = base_url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.cookies = {}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response, data

    def get_form(self):
        response, data = self.request("GET", SIGNUP_PATH)
        html = data.decode()
        # Since issue 14 the sign-up form has no CSRF token (its POST is checked by origin:
        # campaign/csrf.py; the Referer below is same-origin); a token, if any, is sent back.
        token = TOKEN_RE.search(html)
        return response.status, token[1] if token else "", STARTED_RE.search(html).group(1)

    def post_signup(self, token, started, email):
        from urllib.parse import urlencode

        body = urlencode(
            {
                "csrfmiddlewaretoken": token,
                "started": started,
                "first_name": "Banc d'essai",
                "email": email,
                "postcode": "77000",
                "commune": "77288",
                "interests": "aines",
                "availability": "weekend",
                "hours_per_month": "1",
                "consent_emails": "on",
                "website": "",
            }
        )
        response, _data = self.request(
            "POST",
            SIGNUP_PATH,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}{SIGNUP_PATH}",
            },
        )
        return response.status, response.getheader("Location", "")


def load_signups(base_url, *, duration, concurrency, prefix):
    """Each client loops GET form → POST sign-up with a fresh address."""
    stop_at = time.monotonic() + duration
    lock = threading.Lock()
    posts, gets, accepted, errors = [], [], [], []

    def client(n):
        browser = Browser(base_url)
        mine_posts, mine_gets, mine_ok, bad, i = [], [], [], 0, 0
        while time.monotonic() < stop_at:
            email = f"{prefix}-{n}-{i}@example.org"
            i += 1
            try:
                start = time.perf_counter()
                status, token, started = browser.get_form()
                mine_gets.append(time.perf_counter() - start)
                start = time.perf_counter()
                status, location = browser.post_signup(token, started, email)
                mine_posts.append(time.perf_counter() - start)
            except (OSError, http.client.HTTPException, AttributeError):
                bad += 1
                continue
            if status == 302 and location.endswith("merci/"):
                mine_ok.append(email)
            else:
                bad += 1
        with lock:
            posts.extend(mine_posts)
            gets.extend(mine_gets)
            accepted.extend(mine_ok)
            errors.append(bad)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    posts.sort()
    gets.sort()
    return {
        "signups_per_s": len(accepted) / elapsed,
        "post_median_ms": statistics.median(posts) * 1000,
        "post_p99_ms": posts[max(0, int(len(posts) * 0.99) - 1)] * 1000,
        "get_median_ms": statistics.median(gets) * 1000,
        "errors": sum(errors),
        "accepted": accepted,
    }


def race(base_url, *, pairs, prefix):
    """Two clients send the same address at the same instant, `pairs` times."""
    accepted, errors = [], 0
    for i in range(pairs):
        email = f"{prefix}-race-{i}@example.org"
        browsers = [Browser(base_url), Browser(base_url)]
        forms = [b.get_form() for b in browsers]
        barrier = threading.Barrier(2)
        results = [None, None]

        def go(k, browsers=browsers, forms=forms, barrier=barrier, results=results, email=email):
            barrier.wait()
            results[k] = browsers[k].post_signup(forms[k][1], forms[k][2], email)

        threads = [threading.Thread(target=go, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for status, location in results:
            if status == 302 and location.endswith("merci/"):
                accepted.append(email)
            else:
                errors += 1
    return accepted, errors


def rows_per_email(env, prefix):
    """{email: rows} for the bench's addresses, and {email: confirmation tasks queued}."""
    code = (
        "import json\n"
        "from collections import Counter\n"
        "from django.db.models import Count\n"
        "from django_tasks_db.models import DBTaskResult\n"
        "from volunteers.models import Volunteer\n"
        f"rows = Volunteer.objects.filter(email__startswith={prefix!r})"
        ".values('email').annotate(n=Count('pk'))\n"
        f"ids = dict(Volunteer.objects.filter(email__startswith={prefix!r})"
        ".values_list('pk', 'email'))\n"
        "tasks = Counter(ids.get(t['kwargs'].get('volunteer_id')) for t in "
        "DBTaskResult.objects.filter(task_path='volunteers.tasks.send_confirmation_email')"
        ".values_list('args_kwargs', flat=True))\n"
        "print(json.dumps([{r['email']: r['n'] for r in rows}, "
        "{e: n for e, n in tasks.items() if e}]))\n"
    )
    out = subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def postgres_url(server_url, name="tousvoisins_bench_volunteers"):
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


def bench_database(label, database_url, args, **extra_env):
    env = production_env(database_url, **LIMITS, **extra_env)
    if args.prepare:
        prepare_database(env)
    manage(
        "shell",
        "-c",
        "from volunteers.models import Volunteer; "
        "Volunteer.objects.filter(email__startswith='bench-').delete()",
        env=env,
    )
    runs = []
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    all_accepted = []
    with production_server(env, workers=args.workers) as base_url:
        Browser(base_url).get_form()  # warm up
        for r in range(args.runs):
            result = load_signups(
                base_url,
                duration=args.duration,
                concurrency=args.concurrency,
                prefix=f"{prefix}-{r}",
            )
            all_accepted.extend(result.pop("accepted"))
            runs.append(result)
        race_accepted, race_errors = race(base_url, pairs=args.pairs, prefix=prefix)
    rows, queued = rows_per_email(env, prefix)
    unique_ok = all(rows.get(e) == 1 for e in all_accepted)
    emails_once = all(queued.get(e) == 1 for e in rows)
    race_emails = set(race_accepted)
    race_ok = all(rows.get(e) == 1 for e in race_emails) and len(race_emails) == args.pairs
    extra = set(rows) - set(all_accepted) - race_emails
    return {
        "label": label,
        "signups_per_s": statistics.median(r["signups_per_s"] for r in runs),
        "post_median_ms": statistics.median(r["post_median_ms"] for r in runs),
        "post_p99_ms": statistics.median(r["post_p99_ms"] for r in runs),
        "get_median_ms": statistics.median(r["get_median_ms"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "accepted": len(all_accepted),
        "stored_once": unique_ok and not extra,
        "race_pairs": args.pairs,
        "race_accepted_posts": len(race_accepted),
        "race_errors": race_errors,
        "race_rows_once": race_ok,
        "emails_once": emails_once,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--databases", default="sqlite,postgres,postgres-persistent")
    parser.add_argument(
        "--no-prepare",
        dest="prepare",
        action="store_false",
        help="reuse the databases of a previous run (migrations, communes, demo content)",
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    results = []
    for label in args.databases.split(","):
        extra = {}
        if label == "sqlite":
            url = f"sqlite:///{VAR / 'volunteers.sqlite3'}"
        else:
            url = postgres_url(args.postgres)
        if label == "postgres-persistent":
            # Same database, connections kept open between requests (DB_CONN_MAX_AGE).
            extra["DB_CONN_MAX_AGE"] = "60"
        results.append(bench_database(label, url, args, **extra))

    base = results[0]["signups_per_s"]
    print(
        f"| database | sign-ups/s (median of {args.runs}) | POST median ms | POST p99 ms | "
        "GET form median ms | errors | accepted | each stored once | race: pairs / "
        "accepted POSTs / rows once | one confirmation queued per row | vs first |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | ---: |")
    for r in results:
        print(
            f"| {r['label']} | {r['signups_per_s']:.1f} | {r['post_median_ms']:.0f} | "
            f"{r['post_p99_ms']:.0f} | {r['get_median_ms']:.0f} | {r['errors']} | "
            f"{r['accepted']} | {'yes' if r['stored_once'] else 'NO'} | "
            f"{r['race_pairs']} / {r['race_accepted_posts']} / "
            f"{'yes' if r['race_rows_once'] else 'NO'} | "
            f"{'yes' if r['emails_once'] else 'NO'} | {r['signups_per_s'] / base:.2f} |"
        )


if __name__ == "__main__":
    main()
