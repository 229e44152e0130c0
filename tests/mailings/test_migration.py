"""The mailings moved from `volunteers` to their own app without losing anything: a database
at the last migration before the move, with a mailing, its deliveries, a tracking event and
a group allowed to send, migrated to the latest state, still has every row, every link and
the group's permission (now `mailings.send_mailing`).

It runs in a process of its own on a SQLite file of its own (migration_check.py): migrating
the shared test database back and forth left content types that broke the next test
reloading it."""

import os
import subprocess
import sys

from django.conf import settings


def test_the_move_keeps_rows_links_and_group_permissions(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'before-the-move.sqlite3'}"
    env["DJANGO_SETTINGS_MODULE"] = "campaign.settings.test"
    done = subprocess.run(
        [sys.executable, "-m", "tests.mailings.migration_check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    assert done.stdout.strip().splitlines()[-1] == "ok", done.stdout[-3000:]
