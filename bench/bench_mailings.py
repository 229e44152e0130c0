"""A mailing to many volunteers, sent by one task worker through the real Anymail Brevo
backend to the fake Brevo of tests/fakes/brevo.py (Brevo as its API reference documents it)
answering every call after a fixed latency.

    .venv/bin/python bench/bench_mailings.py [--volunteers 100000] [--latency 0.2]
        [--database sqlite|postgres] [--outage-at 0.4] [--outage-seconds 20]
        [--kills-at 0.3,0.6] [--reuse]

Method
------
1. A production-like database of its own (`var/bench/bench-mailings.sqlite3`, or the
   PostgreSQL database `bench_mailings` on 127.0.0.1, dropped and created again): migrations,
   communes, demo content (the mailing needs the default Site and the French Locale). The demo
   volunteers are set to not consenting, so the audience is exactly the bench's volunteers.
   `--reuse` keeps the database and volunteers of an earlier run of the same size.
2. `--volunteers` confirmed, consenting volunteers written with bulk_create: addresses
   `benevole000123@bench.example`, first names (some empty), a real commune for 90 % of them.
3. The fake Brevo (tests/fakes/brevo.py) runs in a thread of this process. The production
   settings point Anymail at it (BREVO_API_URL); MAILING_RETRY_BASE_SECONDS=1 so that the
   outage's retries come back within seconds instead of minutes; MAILING_TASK_SECONDS=20
   and MAILING_LEASE_SECONDS=40 so that a killed worker's batch and task are taken over
   within about a minute instead of seven. `manage.py mailings_recover` runs every 15 s in
   every scenario, as cron would every 5 minutes.
4. Three scenarios, one after the other, each with its own mailing (heading, paragraph with
   {prenom} and {commune}, button) to every volunteer and its own worker process:
   - "normal": the ESP answers every call;
   - "outage": once `--outage-at` of the emails are delivered, the ESP answers every call
     with 503 for `--outage-seconds`;
   - "kills": once each share of `--kills-at` is delivered, the worker process is killed
     (SIGKILL) and a new one started at once: its batch and its task are left to the
     lease and to `mailings_recover`.
   For each: ONE `manage.py db_worker --queue-name '*'` is started (without --batch) and left
   to finish loading Django; then `mailing_start` runs in a separate process, as the task
   that the admin's "send" enqueues would. The worker picks the dispatch task up and runs
   it (a task sends for at most MAILING_TASK_SECONDS, then enqueues the next; after an ESP
   error the next try is a task deferred with run_after, which a live worker picks up when
   due: `--batch` would exit while such a task waits, which is why the worker is kept
   running). This process polls the database every second until no delivery is pending
   or sending and the mailing is marked sent, then stops the worker (SIGTERM, it is idle
   by then).
5. Meanwhile the worker's memory is read from /proc/<pid>/status every 0.5 s.
This process itself grows to about 1 GB for 100,000 recipients: the loopback ESP keeps
every message it delivered (HTML and text per recipient) until the next scenario.

Figures (one column per scenario)
---------------------------------
- writing the deliveries: seconds `mailing_start` takes (one transaction: the audience's ids,
  one Delivery row per recipient, the rendered content) and that process's peak RSS
  (VmHWM). It runs in a worker task (the admin's "send" only schedules it).
- hand-over time: from the commit of `mailing_start` to the mailing's `finished_at` (set
  when the last delivery is settled); emails per second is recipients / that time.
- first ESP call after: how long the worker took to pick the task up.
- s per batch: the median time between the arrivals of consecutive accepted calls, over the
  first 20 and the last 20 (a drift would show a cost growing with the deliveries done).
- ESP calls: all send requests the fake ESP received; "accepted" answered 201, "failed" got
  the injected 503, "duplicate" were refused as `duplicate_parameter` (a batch sent again
  with its key: already accepted, nothing delivered); "record reads" are the reconciliation's
  reads of the events route.
- batch size: `esp_profile().batch_size` (Brevo: 1000 messageVersions per call).
- recipients delivered once / twice or more / never: the ESP's record of what it delivered
  (`delivered_to()`) against the bench's volunteers; must be N / 0 / 0, plus "unexpected"
  (delivered to someone else), which must be 0.
- deliveries sent / failed / skipped: the Delivery rows' final statuses.
- worker RSS: idle (Django loaded, before the mailing), when 10 % of the emails have been
  delivered, at the end, and the peak (VmHWM, the highest of every worker process of the
  scenario). Flat means "at the end" is close to "at 10 %".
- kills: how many worker processes were killed, and when (seconds after the commit).
- outage: when it started (seconds after the commit), and how long after its end the last
  email was handed over.

Nothing here asserts a timing: docs/PERFORMANCE.md records the figures.
"""

import argparse
import json
import os
import random
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time

from common import BASE_DIR, PYTHON, VAR, prepare_database, production_env

sys.path.insert(0, str(BASE_DIR))

from tests.fakes.brevo import FakeBrevo  # noqa: E402

SQLITE_FILE = VAR / "bench-mailings.sqlite3"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "bench_mailings"
EMAIL_DOMAIN = "bench.example"
FIRST_NAMES = [
    "Camille",
    "Léa",
    "Zoé",
    "Anaïs",
    "Maël",
    "Jean-Luc",
    "Chloé",
    "Hugo",
    "Inès",
    "Yanis",
    "Nour",
    "Françoise",
    "Éloïse",
    "Mamadou",
    "",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--latency", type=float, default=0.2, help="ESP answer delay (s)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--outage-at", type=float, default=0.4, help="share delivered")
    parser.add_argument("--outage-seconds", type=float, default=20.0)
    parser.add_argument("--kills-at", default="0.3,0.6", help="shares delivered, comma-separated")
    parser.add_argument("--timeout", type=float, default=3600.0, help="per scenario (s)")
    parser.add_argument("--reuse", action="store_true", help="keep an earlier run's database")
    return parser.parse_args()


# --- database -----------------------------------------------------------------------------


def database_url(kind):
    if kind == "postgres":
        return f"{PG_SERVER}/{PG_DATABASE}"
    return f"sqlite:///{SQLITE_FILE}"


def fresh_database(kind):
    """Start from nothing: remove the SQLite file, or drop and create `bench_mailings`."""
    if kind == "postgres":
        assert PG_DATABASE not in ("test", "test_test", "postgres")  # noqa: S101
        pg = ["-h", "127.0.0.1", "-U", "postgres"]
        subprocess.run(["dropdb", *pg, "--if-exists", PG_DATABASE], check=True)  # noqa: S607
        subprocess.run(["createdb", *pg, PG_DATABASE], check=True)  # noqa: S607
        return
    for suffix in ("", "-wal", "-shm"):
        path = SQLITE_FILE.with_name(SQLITE_FILE.name + suffix)
        if path.exists():
            path.unlink()


def setup_django(env):
    """This process reads the database too (to create the volunteers and to poll progress)."""
    os.environ.update(env)
    import django

    django.setup()


def create_volunteers(n):
    """`n` confirmed, consenting volunteers; nobody else may receive the mailing."""
    from django.db import transaction
    from django.utils import timezone

    from campaign.geography.models import Commune
    from volunteers.models import Volunteer, email_hash

    Volunteer.objects.exclude(email__endswith=f"@{EMAIL_DOMAIN}").update(consent_emails=False)
    existing = Volunteer.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").count()
    if existing == n:
        return 0.0
    if existing:
        raise SystemExit(f"{existing} bench volunteers already there: run without --reuse")
    rng = random.Random(42)  # noqa: S311
    codes = list(Commune.objects.values_list("insee_code", flat=True))
    codes = rng.sample(codes, min(5000, len(codes)))
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, n, 5000):
            rows = []
            for i in range(start, min(n, start + 5000)):
                email = f"benevole{i:06d}@{EMAIL_DOMAIN}"
                rows.append(
                    Volunteer(
                        email=email,
                        email_hash=email_hash(email),
                        first_name=rng.choice(FIRST_NAMES),
                        commune_id=rng.choice(codes) if rng.random() < 0.9 else None,
                        status=Volunteer.Status.CONFIRMED,
                        consent_emails=True,
                        confirmed_at=now,
                        language="fr",
                    )
                )
            Volunteer.objects.bulk_create(rows)
    return time.perf_counter() - started


def create_mailing(name):
    from mailings.models import Mailing

    return Mailing.objects.create(
        subject=f"Banc d'essai : {name}",
        preheader="Une heure par mois pour vos voisins",
        language="fr",
        body=[
            ("heading", "Merci {prenom} !"),
            (
                "paragraph",
                "<p>{salutation}</p><p>Les voisins de {commune} comptent sur vous ce mois-ci. "
                "Une heure suffit : un coup de main, une visite, un trajet partagé.</p>",
            ),
            ("button", {"label": "Choisir un geste", "url": "https://tousvoisins.example/g/"}),
        ],
    ).pk


def delivery_counts(mailing_id):
    from mailings.models import Delivery

    return Delivery.objects.filter(mailing_id=mailing_id).counts()


def start_mailing(env, mailing_id):
    """`mailing_start` in its own process, as the admin's request would run it."""
    code = (
        "import json, time\n"
        "from mailings.services import mailing_start\n"
        "t0 = time.perf_counter()\n"
        f"n = mailing_start(mailing_id={mailing_id})\n"
        "seconds = time.perf_counter() - t0\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec, so it would
        # report this bench process's own size.
        "hwm = [x for x in open('/proc/self/status') if x.startswith('VmHWM')][0]\n"
        "print('BENCH ' + json.dumps({'recipients': n, 'seconds': seconds,"
        " 'committed_at': time.time(), 'max_rss_mb': int(hwm.split()[1]) / 1024}))\n"
    )
    out = subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    return json.loads(line.removeprefix("BENCH "))


# --- the worker ---------------------------------------------------------------------------


def proc_memory(pid):
    """(VmRSS, VmHWM) in MB, or None once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
    except OSError:
        return None
    return tuple(int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM"))


def wait_until_loaded(pid, timeout=60):
    """Until the worker's RSS stops growing: Django and the apps are imported."""
    last, stable, deadline = 0, 0, time.monotonic() + timeout
    while time.monotonic() < deadline and stable < 4:
        time.sleep(0.5)
        mem = proc_memory(pid)
        if mem is None:
            raise RuntimeError("the worker exited at start-up")
        stable = stable + 1 if abs(mem[0] - last) < 0.5 else 0
        last = mem[0]
    return last


SEND_PATH = "/v3/smtp/email"


def accepted_recipients(calls):
    return sum(c["recipients"] for c in calls if c["path"] == SEND_PATH and c["status"] == 201)


def start_worker(env, log):
    return subprocess.Popen(  # noqa: S603
        [PYTHON, "manage.py", "db_worker", "--queue-name", "*", "--no-startup-delay"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


class Recoverer(threading.Thread):
    """`manage.py mailings_recover` every `every` seconds, as cron would."""

    def __init__(self, env, every=15.0):
        super().__init__(daemon=True)
        self.env, self.every = env, every
        self.runs = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(self.every):
            subprocess.run(  # noqa: S603
                [PYTHON, "manage.py", "mailings_recover"],
                cwd=BASE_DIR,
                env=self.env,
                capture_output=True,
                check=False,
            )
            self.runs += 1


class Sampler(threading.Thread):
    """Reads the worker's memory and the ESP's progress every 0.5 s; starts the outage; kills
    the worker (SIGKILL) and starts a new one at the shares of `kills_at`."""

    def __init__(self, worker, esp, total, outage_at=None, outage_seconds=0.0, kills_at=()):
        super().__init__(daemon=True)
        self.worker, self.esp, self.total = worker, esp, total
        self.outage_at, self.outage_seconds = outage_at, outage_seconds
        self.kills_at = sorted(kills_at)
        self.kills = []  # time.time() of each kill
        self.restart = None  # set by run_scenario: starts a new worker
        self.outage_started = None
        self.rss_at_10 = None
        self.last = None
        self.peak = 0.0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(0.5):
            mem = proc_memory(self.worker.pid)
            if mem is None:
                continue
            self.last = mem
            self.peak = max(self.peak, mem[1])
            delivered = accepted_recipients(self.esp.calls)
            if self.kills_at and delivered >= self.kills_at[0] * self.total:
                self.kills_at.pop(0)
                self.worker.send_signal(signal.SIGKILL)
                self.worker.wait()
                self.kills.append(time.time())
                self.worker = self.restart()
                continue
            if self.rss_at_10 is None and delivered >= 0.1 * self.total:
                self.rss_at_10 = mem[0]
            if (
                self.outage_at is not None
                and self.outage_started is None
                and delivered >= self.outage_at * self.total
            ):
                self.esp.outage(self.outage_seconds, status=503)
                self.outage_started = time.time()


def run_scenario(name, *, env, esp, volunteers, args, outage=False, kills=()):
    from mailings.models import Mailing

    esp.reset()
    mailing_id = create_mailing(name)
    log = open(VAR / f"bench-mailings-worker-{name}.log", "w")  # noqa: SIM115
    worker = start_worker(env, log)
    result = {"scenario": name}
    recoverer = Recoverer(env)
    sampler = None
    try:
        result["rss_idle"] = wait_until_loaded(worker.pid)
        sampler = Sampler(
            worker,
            esp,
            volunteers,
            outage_at=args.outage_at if outage else None,
            outage_seconds=args.outage_seconds,
            kills_at=kills,
        )
        sampler.restart = lambda: start_worker(env, log)
        sampler.start()
        recoverer.start()
        start = start_mailing(env, mailing_id)
        result["recipients"] = start["recipients"]
        result["write_seconds"] = start["seconds"]
        result["write_rss"] = start["max_rss_mb"]
        committed = start["committed_at"]

        deadline = time.monotonic() + args.timeout
        settled = False
        while time.monotonic() < deadline:
            time.sleep(1)
            counts = delivery_counts(mailing_id)
            open_rows = counts.get("pending", 0) + counts.get("sending", 0)
            status = Mailing.objects.filter(pk=mailing_id).values_list("status", flat=True)[0]
            if open_rows == 0 and status == Mailing.Status.SENT:
                settled = True
                break
        time.sleep(1)  # one more sample of the worker's memory
        sampler.stop.set()
        sampler.join()
    finally:
        recoverer.stop.set()
        if sampler is not None:
            worker = sampler.worker
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()

    mailing = Mailing.objects.get(pk=mailing_id)
    everything = esp.calls
    calls = [c for c in everything if c["path"] == SEND_PATH]
    ok_calls = [c for c in calls if c["status"] == 201]
    delivered = esp.delivered_to()
    expected = {f"benevole{i:06d}@{EMAIL_DOMAIN}" for i in range(volunteers)}
    # Arrival of one accepted batch to the next: the worker's time per batch, early and late.
    arrivals = sorted(c["time"] for c in ok_calls)
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    result.update(
        gap_first=statistics.median(gaps[:20]) if gaps else None,
        gap_last=statistics.median(gaps[-20:]) if gaps else None,
        settled=settled,
        handover=(mailing.finished_at.timestamp() - committed) if mailing.finished_at else None,
        first_call=(min(c["time"] for c in calls) - committed) if calls else None,
        calls=len(calls),
        calls_ok=len(ok_calls),
        calls_failed=sum(1 for c in calls if c["status"] >= 400),
        calls_duplicate=sum(1 for c in calls if c["duplicate"]),
        record_reads=sum(1 for c in everything if c["path"] != SEND_PATH),
        kills=[t - committed for t in sampler.kills],
        once=sum(1 for e in expected if delivered.get(e) == 1),
        twice=sum(1 for e in expected if delivered.get(e, 0) >= 2),
        never=sum(1 for e in expected if e not in delivered),
        unexpected=sum(n for e, n in delivered.items() if e not in expected),
        counts=delivery_counts(mailing_id),
        rss_10=sampler.rss_at_10,
        rss_end=sampler.last[0] if sampler.last else None,
        rss_peak=sampler.peak or None,
        outage_start=(sampler.outage_started - committed) if sampler.outage_started else None,
    )
    if sampler.outage_started and mailing.finished_at:
        outage_end = sampler.outage_started + args.outage_seconds
        result["after_outage"] = mailing.finished_at.timestamp() - outage_end
    return result


# --- report -------------------------------------------------------------------------------


def fmt(value, spec=".1f"):
    if value is None:
        return "n/a"
    return format(value, spec) if isinstance(value, float) else str(value)


def print_table(results, *, batch_size):
    rows = [
        ("recipients (deliveries written)", lambda r: fmt(r["recipients"])),
        ("writing the deliveries (mailing_start), s", lambda r: fmt(r["write_seconds"])),
        ("mailing_start process peak RSS, MB", lambda r: fmt(r["write_rss"], ".0f")),
        ("every delivery settled", lambda r: "yes" if r["settled"] else "NO"),
        ("time to hand every email over, s", lambda r: fmt(r["handover"])),
        (
            "emails per second",
            lambda r: fmt(r["recipients"] / r["handover"], ".0f") if r["handover"] else "n/a",
        ),
        ("first ESP call after the commit, s", lambda r: fmt(r["first_call"])),
        (
            "s per batch (median, first 20 / last 20 accepted calls)",
            lambda r: f"{fmt(r['gap_first'], '.2f')} / {fmt(r['gap_last'], '.2f')}",
        ),
        ("ESP calls made", lambda r: fmt(r["calls"])),
        ("ESP calls accepted (201)", lambda r: fmt(r["calls_ok"])),
        (
            "ESP calls answered with an error (injected 503s and duplicates)",
            lambda r: fmt(r["calls_failed"]),
        ),
        ("ESP calls refused as duplicate_parameter", lambda r: fmt(r["calls_duplicate"])),
        ("reads of the ESP's record (reconciliation)", lambda r: fmt(r["record_reads"])),
        ("batch size (esp_profile)", lambda r: fmt(batch_size)),
        ("recipients delivered once", lambda r: fmt(r["once"])),
        ("recipients delivered twice or more", lambda r: fmt(r["twice"])),
        ("recipients never delivered", lambda r: fmt(r["never"])),
        ("deliveries to unexpected addresses", lambda r: fmt(r["unexpected"])),
        (
            "deliveries sent / failed / skipped",
            lambda r: " / ".join(str(r["counts"].get(k, 0)) for k in ("sent", "failed", "skipped")),
        ),
        ("worker RSS idle, MB", lambda r: fmt(r["rss_idle"], ".0f")),
        ("worker RSS at 10 % delivered, MB", lambda r: fmt(r["rss_10"], ".0f")),
        ("worker RSS at the end, MB", lambda r: fmt(r["rss_end"], ".0f")),
        ("worker peak RSS (VmHWM, every worker process), MB", lambda r: fmt(r["rss_peak"], ".0f")),
        (
            "workers killed (SIGKILL), s after the commit",
            lambda r: ", ".join(f"{t:.0f}" for t in r["kills"]) if r["kills"] else "none",
        ),
        ("outage started after, s", lambda r: fmt(r.get("outage_start"))),
        ("last email handed over after the outage's end, s", lambda r: fmt(r.get("after_outage"))),
    ]
    names = [r["scenario"] for r in results]
    print("| figure | " + " | ".join(names) + " |")
    print("| --- | " + " | ".join("---:" for _ in names) + " |")
    for label, value in rows:
        print(f"| {label} | " + " | ".join(value(r) for r in results) + " |")
    base = results[0]["handover"]
    if base:
        ratios = [f"{r['handover'] / base:.2f}" if r["handover"] else "n/a" for r in results]
        print(f"| hand-over time / {names[0]}'s | " + " | ".join(ratios) + " |")


def main():
    args = parse_args()
    started = time.monotonic()
    esp = FakeBrevo(api_key="bench-key", latency=args.latency).start()
    try:
        env = production_env(
            database_url(args.database),
            EMAIL_BACKEND="anymail.backends.brevo.EmailBackend",
            BREVO_API_KEY="bench-key",
            BREVO_API_URL=esp.url,
            ANYMAIL_WEBHOOK_SECRET="bench:secret",  # noqa: S106
            MAILING_RETRY_BASE_SECONDS="1",
            MAILING_TASK_SECONDS="20",
            MAILING_LEASE_SECONDS="40",
        )
        if not args.reuse:
            print(f"Preparing the {args.database} database…", flush=True)
            fresh_database(args.database)
            prepare_database(env, demo=True)
        setup_django(env)
        from mailings.services import esp_profile

        print(f"Creating {args.volunteers} volunteers…", flush=True)
        seconds = create_volunteers(args.volunteers)
        print(f"  {seconds:.1f} s", flush=True)

        results = []
        kills = [float(x) for x in args.kills_at.split(",") if x]
        for name, faults in (
            ("normal", {}),
            ("outage", {"outage": True}),
            ("kills", {"kills": kills}),
        ):
            print(f"Scenario {name}…", flush=True)
            t0 = time.monotonic()
            results.append(
                run_scenario(
                    name, env=env, esp=esp, volunteers=args.volunteers, args=args, **faults
                )
            )
            print(f"  {time.monotonic() - t0:.0f} s", flush=True)
            from django.db import connection

            connection.close()
        batch_size = esp_profile().batch_size
    finally:
        esp.stop()

    print()
    print("Command: .venv/bin/python bench/bench_mailings.py " + shlex.join(sys.argv[1:]))
    print(
        f"Database {args.database}, {args.volunteers} volunteers, ESP latency {args.latency} s, "
        f"outage {args.outage_seconds:.0f} s of 503 at {args.outage_at:.0%} delivered, "
        f"workers killed at {args.kills_at} delivered, MAILING_RETRY_BASE_SECONDS=1, "
        "MAILING_TASK_SECONDS=20, MAILING_LEASE_SECONDS=40, mailings_recover every 15 s, "
        f"one worker at a time; whole run {time.monotonic() - started:.0f} s."
    )
    print()
    print_table(results, batch_size=batch_size)


if __name__ == "__main__":
    main()
