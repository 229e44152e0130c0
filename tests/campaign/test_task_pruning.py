"""Finished task results are pruned on the schedule `make run` and docs/OPERATIONS.md give:
a task's arguments may name a person, so results are kept a week, in every queue."""

import re
import shlex
from datetime import timedelta
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone

import pytest

ROOT = Path(__file__).resolve().parents[2]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _command_in(path):
    """The prune_db_task_results arguments written in `path`."""
    found = re.findall(r"prune_db_task_results([^;`\n]*)", (ROOT / path).read_text())
    assert len(found) == 1, path
    return shlex.split(found[0])


def _scheduled_arguments():
    makefile = [a for a in _command_in("Makefile") if a != "--verbosity" and a != "0"]
    # The operators' table runs what `make run` runs.
    assert _command_in("docs/OPERATIONS.md") == makefile
    return makefile


def _result(*, status, age_days, queue="default"):
    from django_tasks_db.models import DBTaskResult

    finished_at = None
    if status in ("SUCCESSFUL", "FAILED"):
        finished_at = timezone.now() - timedelta(days=age_days)
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {"volunteer_id": 1}},
        task_path="volunteers.tasks.volunteer_send_confirmation_task",
        queue_name=queue,
        backend_name="default",
        run_after=timezone.now() - timedelta(days=age_days),
        finished_at=finished_at,
        exception_class_path="",
        traceback="",
    )


@pytest.mark.django_db
def test_scheduled_pruning_removes_week_old_finished_results_and_keeps_the_rest(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_TASKS
    arguments = _scheduled_arguments()
    assert arguments == ["--queue-name", "*", "--min-age-days", "7"]
    old = [
        _result(status="SUCCESSFUL", age_days=8),
        _result(status="FAILED", age_days=8),
        # Another queue than "default", which the command alone would leave alone.
        _result(status="SUCCESSFUL", age_days=30, queue="emails"),
    ]
    kept = [
        _result(status="SUCCESSFUL", age_days=6),
        _result(status="FAILED", age_days=1),
        # Not finished: a task waiting, or one a killed worker left running, is never pruned.
        _result(status="READY", age_days=30),
        _result(status="RUNNING", age_days=30),
    ]
    call_command("prune_db_task_results", *arguments, stdout=StringIO())
    remaining = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert remaining == {r.pk for r in kept}
    assert not remaining & {r.pk for r in old}
