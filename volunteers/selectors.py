"""Read-only figures for the dashboard, and what other apps may ask for (kits: a commune's
volunteer count, its moderators without the mairie accounts)."""

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from .models import Volunteer
from .models.access import MAIRIE_GROUP_NAME, MairieAccess, is_mairie_user

WEEKS = 12


def commune_volunteer_count(*, commune) -> int:
    """Confirmed volunteers of a commune (for kits' engaged-commune pages)."""
    return Volunteer.objects.confirmed().filter(commune=commune).count()


def without_mairie_users(users):
    """`users` (a user queryset) without the mairie accounts, superusers kept: mairies do not
    moderate (kits notifies its moderators)."""
    return users.exclude(Q(is_superuser=False) & Q(groups__name=MAIRIE_GROUP_NAME))


def dashboard_scope(user):
    """The volunteers a dashboard sums up: all of them for staff, a mairie's communes only."""
    if is_mairie_user(user):
        codes = MairieAccess.objects.filter(user=user).values("commune_id")
        return Volunteer.objects.filter(commune_id__in=codes)
    return Volunteer.objects.all()


def dashboard_figures(*, user, weeks=WEEKS, now=None) -> dict:
    """Sign-ups and confirmations per week over the last `weeks` weeks, the confirmation
    rate of those sign-ups, and a table per department. Four queries whatever the volume."""
    now = now or timezone.now()
    start = timezone.localtime(now) - timezone.timedelta(weeks=weeks - 1)
    start = (start - timezone.timedelta(days=start.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    scope = dashboard_scope(user).exclude(status=Volunteer.Status.ERASED)
    signups = dict(
        scope.filter(created_at__gte=start)
        .annotate(week=TruncWeek("created_at"))
        .values_list("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    confirmations = dict(
        scope.filter(confirmed_at__gte=start)
        .annotate(week=TruncWeek("confirmed_at"))
        .values_list("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    rows = []
    for i in range(weeks):
        week = (start + timezone.timedelta(weeks=i)).date()
        rows.append(
            {
                "week": week,
                "signups": _week_get(signups, week),
                "confirmations": _week_get(confirmations, week),
            }
        )
    totals = scope.filter(created_at__gte=start).aggregate(
        total=Count("pk"),
        confirmed=Count("pk", filter=~Q(status=Volunteer.Status.PENDING)),
    )
    departments = list(
        scope.filter(commune__isnull=False)
        .values("commune__department__code", "commune__department__name")
        .annotate(
            signups=Count("pk"),
            confirmed=Count("pk", filter=Q(status=Volunteer.Status.CONFIRMED)),
        )
        .order_by("commune__department__code")
    )
    peak = max([1] + [max(r["signups"], r["confirmations"]) for r in rows])
    return {
        "weeks": rows,
        "peak": peak,
        "total": totals["total"],
        "confirmed": totals["confirmed"],
        "rate": round(100 * totals["confirmed"] / totals["total"]) if totals["total"] else None,
        "departments": departments,
    }


def _week_get(counts, week):
    for key, value in counts.items():
        key_date = key.date() if hasattr(key, "date") else key
        if key_date == week:
            return value
    return 0
