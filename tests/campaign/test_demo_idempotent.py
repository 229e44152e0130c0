"""A second load_demo changes nothing, and the task queue it leaves runs without a failure
(issue 11): Wagtail's reference-index tasks used to fail for the English stories' gesture
links, deleted and recreated by every translation sync; the demo mailing used to be left
"en cours d'envoi" for the next worker to really send."""

from io import StringIO

from django.apps import apps
from django.core.management import call_command

from wagtail.models import Site

import pytest

from campaign.geography.services import communes_import

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _counts():
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


def _run_the_queue():
    call_command(
        "db_worker",
        "--batch",
        "--queue-name",
        "*",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0",
        stdout=StringIO(),
        stderr=StringIO(),
    )


# A real transaction: tasks are queued when each loader's transaction commits.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_second_load_demo_changes_nothing_and_no_task_fails(settings, tmp_path):
    from django_tasks_db.models import DBTaskResult

    from mailings.models import Delivery, Mailing
    from volunteers.models import Volunteer

    settings.DEBUG = True
    settings.TASKS = DB_TASKS
    settings.MEDIA_ROOT = tmp_path / "media"
    communes_import()
    call_command("load_demo", stdout=StringIO())
    first = _counts()
    out = StringIO()
    call_command("load_demo", stdout=out)
    second = _counts()
    assert {label: (n, second[label]) for label, n in first.items() if second[label] != n} == {}

    # No mailing waits for a worker: the past one is recorded as sent, with its deliveries.
    assert not Mailing.objects.filter(status=Mailing.Status.SENDING).exists()
    sent = Mailing.objects.get(status=Mailing.Status.SENT)
    assert sent.finished_at is not None and sent.sent_html
    assert sent.recipients_count == Volunteer.objects.mailable().count() > 0
    assert sent.deliveries.filter(status=Delivery.Status.SENT).count() == sent.recipients_count
    assert Mailing.objects.filter(status=Mailing.Status.DRAFT).count() == 1

    # The queue both runs left behind runs clean.
    assert DBTaskResult.objects.ready().exists()
    _run_the_queue()
    assert not DBTaskResult.objects.ready().exists()
    failed = DBTaskResult.objects.filter(status="FAILED")
    assert [(r.task_path, r.args_kwargs, r.exception_class_path) for r in failed] == []
    # Nothing was sent by the worker either.
    assert not DBTaskResult.objects.filter(task_path__startswith="volunteers.").exists()
    sent.refresh_from_db()
    assert sent.status == Mailing.Status.SENT

    # The default site holds the public address (WAGTAILADMIN_BASE_URL).
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("testserver", 80)
    # The closing list names every demo account.
    listing = out.getvalue().split("Comptes de démonstration")[1]
    for username in ("redaction", "communication", "contributeur-melun", "mairie-melun", "admin"):
        assert username in listing
