"""The monthly "heure civique" reminder: one mailing per language and department, made
from the staff's template and started once a month."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from volunteers import emails
from volunteers.models import EmailTemplate, Volunteer
from volunteers.models.emails import body_text

from ..models import Mailing
from .outbox import mailing_start

REMINDER_DEFAULT = (
    gettext_lazy("Votre heure civique de {mois}"),
    gettext_lazy(
        "Un nouveau mois commence. Voici une idée pour votre heure civique, et des voisins "
        "qui agissent déjà près de chez vous.\n\nMerci d'être là."
    ),
)
REMINDER_STORIES = 3


def _reminder_stories(department_code: str, locale):
    """Up to three recent stories: from the department first, then from its region, then
    from anywhere."""
    from campaign.geography.models import Department
    from campaign.translated import translated_only
    from stories.models import StoryPage

    stories = (
        translated_only(StoryPage.objects.live())
        .filter(locale=locale)
        .order_by("-publication_date", "-pk")
    )
    chosen = []
    filters = []
    if department_code:
        filters.append(Q(commune__department_id=department_code))
        region = (
            Department.objects.filter(code=department_code)
            .values_list("region_id", flat=True)
            .first()
        )
        if region:
            filters.append(Q(commune__region_id=region))
    filters.append(Q())
    for condition in filters:
        for story in stories.filter(condition).exclude(pk__in=[s.pk for s in chosen])[
            : REMINDER_STORIES - len(chosen)
        ]:
            chosen.append(story)
        if len(chosen) >= REMINDER_STORIES:
            break
    return chosen


def _reminder_body(*, text: str, stories) -> list:
    body = [("paragraph", _paragraphs(text))]
    body.append(("gesture_of_the_month", None))
    if stories:
        body.append(("heading", _("Près de chez vous")))
        body.extend(("story", story) for story in stories)
    return body


def _paragraphs(text: str):
    from wagtail.rich_text import RichText

    return RichText(linebreaks(escape(text)))


def mailing_monthly_reminder_send(*, today: date | None = None) -> list[Mailing]:
    """This month's "heure civique" reminder, one mailing per language and department (for
    the local stories), from the staff's template. Run it as often as you like: a month's
    reminders are made and sent once. Returns the mailings started by this call."""
    from wagtail.models import Locale

    today = today or timezone.localdate()
    month = today.replace(day=1)
    started = []
    groups = (
        Volunteer.objects.mailable()
        .values_list("language", "commune__department_id")
        .distinct()
        .order_by("language", "commune__department_id")
    )
    for language, department in groups:
        department = department or ""
        if Mailing.objects.filter(
            kind=Mailing.Kind.REMINDER,
            reminder_month=month,
            language=language,
            reminder_department=department,
        ).exists():
            continue
        locale = Locale.objects.filter(language_code=language).first()
        if locale is None:
            continue
        template = emails.email_template_get(
            kind=EmailTemplate.Kind.MONTHLY_REMINDER, language=language
        )
        with translation.override(language):
            if template is None:
                subject, text = (str(s) for s in REMINDER_DEFAULT)
            else:
                subject, text = template.subject, body_text(template.body)
            month_name = formats.date_format(month, "F")
            subject = subject.replace("{mois}", month_name)
            text = text.replace("{mois}", month_name)
            body = _reminder_body(text=text, stories=_reminder_stories(department, locale))
        try:
            with transaction.atomic():
                mailing = Mailing.objects.create(
                    kind=Mailing.Kind.REMINDER,
                    reminder_month=month,
                    reminder_department=department,
                    language=language,
                    audience_language=language,
                    subject=" ".join(subject.split())[:150],
                    body=body,
                )
                if department:
                    from campaign.geography.models import Department

                    mailing.audience_departments.set(Department.objects.filter(code=department))
        except IntegrityError:
            continue  # another run made it meanwhile
        # A command, not a request: the mailing starts here, its sending goes to workers.
        if mailing_start(mailing_id=mailing.pk):
            mailing.refresh_from_db()
            started.append(mailing)
    return started
