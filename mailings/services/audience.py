"""Who receives a mailing: the filters staff choose, and the volunteers they reach now."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from volunteers.models import Volunteer

from ..models import Mailing


@dataclass
class AudienceFilters:
    regions: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    communes: list[str] = field(default_factory=list)
    interests: list[str] = field(default_factory=list)
    language: str = ""
    signed_up_after: date | None = None
    signed_up_before: date | None = None
    # The monthly reminder's share for volunteers who gave no commune.
    without_commune: bool = False

    @classmethod
    def of(cls, mailing: Mailing) -> "AudienceFilters":
        if mailing.pk is None:
            regions, departments = [], []
        else:
            regions = [r.code for r in mailing.audience_regions.all()]
            departments = [d.code for d in mailing.audience_departments.all()]
        return cls(
            regions=regions,
            departments=departments,
            communes=mailing.commune_codes(),
            interests=list(mailing.audience_interests or []),
            language=mailing.audience_language,
            signed_up_after=mailing.audience_signed_up_after,
            signed_up_before=mailing.audience_signed_up_before,
            without_commune=(
                mailing.kind == Mailing.Kind.REMINDER and not mailing.reminder_department
            ),
        )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def mailing_audience(*, filters: AudienceFilters):
    """The volunteers a mailing would reach now: confirmed, consenting to emails, with an
    address (so never a bounced, complained, unsubscribed or erased person), narrowed by
    the filters. Places add up; every other filter narrows."""
    qs = Volunteer.objects.mailable()
    places = Q()
    if filters.regions:
        places |= Q(commune__region_id__in=filters.regions)
    if filters.departments:
        places |= Q(commune__department_id__in=filters.departments)
    if filters.communes:
        # Paris, Lyon and Marseille: volunteers give their arrondissement; the city's own
        # code reaches all of them.
        places |= Q(commune_id__in=filters.communes) | Q(commune__parent_id__in=filters.communes)
    if places:
        qs = qs.filter(places)
    if filters.without_commune:
        qs = qs.filter(commune__isnull=True)
    if filters.interests:
        qs = qs.filter(pk__in=Volunteer.objects.filter(interests__slug__in=filters.interests))
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.signed_up_after:
        qs = qs.filter(created_at__gte=_day_start(filters.signed_up_after))
    if filters.signed_up_before:
        qs = qs.filter(created_at__lt=_day_start(filters.signed_up_before))
    return qs
