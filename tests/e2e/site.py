"""The site as it runs in production, on loopback, for the real-browser journeys.

One fresh database (a SQLite file, or a PostgreSQL database of its own when DATABASE_URL
points at PostgreSQL), built the way an operator builds it: `migrate`, `import_communes`,
`load_demo --force`, `collectstatic`; then gunicorn serving `campaign.wsgi` with
`campaign.settings.production` and a `db_worker` running the tasks, so that emails are really
produced by the worker. Emails go to the file backend, one file per connection, which
`Outbox` reads back as a mail client would.
"""

import email
import email.policy
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

PROJECT = Path(settings.BASE_DIR)
# E2E_OUT moves the run (database, emails, screenshots) elsewhere, so that two runs on one
# machine do not share a database.
OUT = Path(os.environ.get("E2E_OUT") or PROJECT / "var" / "e2e")
PYTHON = sys.executable


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(run_dir):
    """A database of the suite's own: never the developer's, never the test database."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        base, _, _name = url.rpartition("/")
        name = "tv_e2e"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        return f"{base}/{name}"
    return f"sqlite:///{run_dir / 'site.sqlite3'}"


class Outbox:
    """The emails the worker wrote with Django's file backend (a file per connection, each
    message followed by a line of 79 dashes)."""

    SEPARATOR = b"\n" + b"-" * 79 + b"\n"

    def __init__(self, folder):
        self.folder = Path(folder)

    def messages(self):
        found = []
        for path in sorted(self.folder.glob("*.log")):
            for chunk in path.read_bytes().split(self.SEPARATOR):
                if chunk.strip():
                    found.append(email.message_from_bytes(chunk, policy=email.policy.default))
        return found

    def to(self, address):
        return [m for m in self.messages() if address.lower() in str(m["To"]).lower()]

    def wait_for(self, address, subject_contains="", count=1, timeout=30):
        """The messages to `address` (whose subject holds `subject_contains`), once the worker
        has written at least `count` of them."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.to(address) if subject_contains in str(m["Subject"])]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                subjects = [str(m["Subject"]) for m in self.to(address)]
                raise AssertionError(
                    f"No email {subject_contains!r} to {address} after {timeout} s; got {subjects}"
                )
            time.sleep(0.3)


def text_of(message):
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def html_of(message):
    part = message.get_body(preferencelist=("html",))
    return part.get_content() if part is not None else ""


def links_in(text, base_url):
    return re.findall(re.escape(base_url) + r"[^\s\"'<>)]*", text)


class LiveSite:
    """Start with `start()`, stop with `stop()`; `url(path)` gives an absolute address."""

    def __init__(self):
        self.run_dir = OUT / "run"
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.processes = []
        self.outbox = Outbox(self.run_dir / "emails")

    def url(self, path="/"):
        return self.base_url + path

    def env(self):
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("PYTEST") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "campaign.settings.production",
                "SECRET_KEY": "e2e-only-" + "x" * 50,
                "ALLOWED_HOSTS": "127.0.0.1",
                "DATABASE_URL": self.database_url,
                "WAGTAILADMIN_BASE_URL": self.base_url,
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(self.run_dir / "emails"),
                # Required in production whatever the email backend (the tracking webhook).
                "ANYMAIL_WEBHOOK_SECRET": "e2e:webhook-secret",
                "SUPPRESSION_HASH_KEY": "e2e-only-suppression-key",
                "STATIC_ROOT": str(self.run_dir / "static"),
                "MEDIA_ROOT": str(self.run_dir / "media"),
                # Loopback has no TLS; everything else stays as in production (secure
                # cookies included: Chromium keeps them on http://127.0.0.1).
                "SECURE_SSL_REDIRECT": "false",
                "SECURE_HSTS_SECONDS": "0",
                # A person takes more than a second to fill the form; the browser does not.
                "VOLUNTEERS_MIN_FILL_SECONDS": "1",
                # Every journey comes from 127.0.0.1, one client address for the whole suite
                # (campaign/ratelimit.py; its limits are tested in tests/campaign/).
                "RATE_LIMIT_SIGNUP": "1000/3600",
                "RATE_LIMIT_SIGNUP_EMAIL": "1000/3600",
                "RATE_LIMIT_NOMINATION": "1000/3600",
                "RATE_LIMIT_NOMINATION_EMAIL": "1000/3600",
                "RATE_LIMIT_GESTURE_DONE": "1000/3600",
                "RATE_LIMIT_ENGAGEMENT": "1000/3600",
                "RATE_LIMIT_ENGAGEMENT_EMAIL": "1000/3600",
                "RATE_LIMIT_POSTER": "1000/3600",
                # Issue 15's public forms: the directory's proposals (the accessibility audits
                # send the form empty four times, the journeys four proposals: over the 5 an
                # hour of production, CI's run answered 429) and the meetings' registrations.
                "RATE_LIMIT_ACTOR_PROPOSAL": "1000/3600",
                "RATE_LIMIT_ACTOR_PROPOSAL_EMAIL": "1000/3600",
                "RATE_LIMIT_NETWORK_REGISTRATION": "1000/3600",
                "RATE_LIMIT_NETWORK_REGISTRATION_EMAIL": "1000/3600",
                # Issue 16's request form, per client address and per person's contact.
                "RATE_LIMIT_HELP_REQUEST": "1000/3600",
                "RATE_LIMIT_HELP_REQUEST_CONTACT": "1000/3600",
                # Four journeys (fr, en, scripts on and off) report the same gesture.
                "RATE_LIMIT_GESTURE_DONE_ONCE": "1000/86400",
                "PYTHONDONTWRITEBYTECODE": "1",
                # No worker recycling during a run: this site's gunicorn runs threaded
                # (gthread) workers, which close the connections still waiting in their queue
                # when they restart after max_requests; the link check, which comes after
                # about 2,000 requests per worker, then read a closed connection as a dead
                # link (status 0). Production's default sync workers do not queue
                # connections (gunicorn.conf.py: GUNICORN_THREADS=1).
                "GUNICORN_MAX_REQUESTS": "0",
            }
        )
        # Production requires Redis (rate limits and the page cache shared by the workers); a
        # key prefix of this run's own, so that another run or a stale one never shares its
        # cached pages.
        env["REDIS_URL"] = os.environ.get("E2E_REDIS_URL", "redis://127.0.0.1:6379/0")
        if not hasattr(self, "_cache_key_prefix"):
            self._cache_key_prefix = f"e2e-{os.getpid()}-{self.port}-{time.time_ns()}"
        env["CACHE_KEY_PREFIX"] = self._cache_key_prefix
        return env

    def manage(self, *args, timeout=600):
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=PROJECT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n"
                f"{result.stderr[-5000:]}"
            )
        return result.stdout

    def start(self):
        reuse = os.environ.get("E2E_REUSE_DB") == "1" and (self.run_dir / "built").exists()
        if reuse:
            # While writing a journey: keep the database a previous run built (SQLite only),
            # and its address, which the built content (Site record, booklets) holds.
            self.database_url = f"sqlite:///{self.run_dir / 'site.sqlite3'}"
            self.port = int((self.run_dir / "built").read_text())
            self.base_url = f"http://127.0.0.1:{self.port}"
        else:
            shutil.rmtree(self.run_dir, ignore_errors=True)
            (self.run_dir / "emails").mkdir(parents=True)
            self.database_url = _database_url(self.run_dir)
            self.manage("migrate", "--noinput")
            self.manage("import_communes")
            self.manage("load_demo", "--force")
            self.manage("collectstatic", "--noinput")
            (self.run_dir / "built").write_text(str(self.port))
        log = open(self.run_dir / "server.log", "w")  # noqa: SIM115 (closed with the process)
        self.processes.append(
            subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "campaign.wsgi",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                    "--timeout",
                    "120",
                    # The access log, redacted by gunicorn.conf.py's logger: the e2e suite
                    # checks that no token reaches it.
                    "--access-logfile",
                    "-",
                ],
                cwd=PROJECT,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        worker_log = open(self.run_dir / "worker.log", "w")  # noqa: SIM115
        self.processes.append(
            subprocess.Popen(
                [
                    PYTHON,
                    "manage.py",
                    "db_worker",
                    "--queue-name",
                    "default",
                    "--interval",
                    "0.2",
                    "--no-startup-delay",
                ],
                cwd=PROJECT,
                env=self.env(),
                stdout=worker_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url("/"), timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    "The site did not answer: " + (self.run_dir / "server.log").read_text()[-3000:]
                )
            time.sleep(0.3)
        return self

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes = []

    def shell(self, code):
        """Run Python in the site's environment (to read what the browser cannot see, such
        as a volunteer's status) and return what it printed."""
        return self.manage("shell", "--no-imports", "-c", code).strip().splitlines()[-1]
