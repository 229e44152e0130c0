"""Demo mailings: one already sent to the demo volunteers (written as sent, with its
deliveries: no email leaves) and a draft to try the audience, preview, test and send buttons
on. Idempotent: each mailing is found by its subject first. Runs after volunteers.demo (the
demo volunteers are its audience)."""

from django.db import transaction
from django.utils import timezone

from volunteers import emails

from .emails import mailing_render
from .models import Delivery, Mailing
from .services import AudienceFilters, mailing_audience

# A mailing already sent to the demo volunteers (written as sent, with its deliveries: no
# email leaves), and a draft to try the audience, preview, test and send buttons on.
MAILINGS = [
    {
        "subject": "Merci ! 1 000 heures données en octobre",
        "preheader": "Ce que vos heures ont changé, et l'idée du mois",
        "send": True,
        "body": [
            ("heading", "Merci, {prenom} !"),
            (
                "paragraph",
                "<p>En octobre, vous avez été plus de mille à donner une heure à vos voisins. "
                "Des courses portées, des papiers remplis ensemble, des cafés partagés.</p>"
                "<p>Ce mois-ci, nous vous proposons un geste simple, à faire quand vous "
                "voulez.</p>",
            ),
            ("gesture_of_the_month", None),
            ("button", {"label": "Voir les 100 gestes", "url": "{site}/gestes/"}),
        ],
    },
    {
        "subject": "Décembre : une heure pour ne laisser personne seul",
        "preheader": "Les fêtes approchent : pensez à vos voisins isolés",
        "send": False,
        "body": [
            ("heading", "Les fêtes approchent"),
            (
                "paragraph",
                "<p>Pour beaucoup de voisins âgés, décembre est le mois le plus long. Une "
                "visite, un appel, une carte : cela compte.</p>",
            ),
            ("story", "first-story"),
            ("button", {"label": "Je choisis mon geste", "url": "{site}/gestes/"}),
        ],
    },
]


def _record_as_sent(mailing):
    """Write the demo's past mailing as it stands once sent: its content fixed, one delivery
    per recipient recorded as sent. No worker task, no email: a demo never leaves a mailing
    "en cours d'envoi" for whichever worker starts next (an earlier demo did, through
    mailing_start). Completes such a mailing too. Does nothing to a mailing already sent."""
    if mailing.status in (Mailing.Status.SENT, Mailing.Status.CANCELLED):
        return
    now = timezone.now()
    recipients = mailing_audience(filters=AudienceFilters.of(mailing)).order_by("pk")
    sent = Delivery.Status.SENT
    Delivery.objects.bulk_create(
        [
            Delivery(
                mailing=mailing,
                volunteer_id=pk,
                status=sent,
                attempts=1,
                next_attempt_at=now,
                sent_at=now,
                esp_message_id=f"demo-{mailing.pk}-{pk}",
            )
            for pk in recipients.values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )
    mailing.deliveries.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]).update(
        status=sent, sent_at=now, claimed_at=None, batch_key=None
    )
    if not mailing.sent_html:
        rendered = mailing_render(mailing)
        mailing.sent_subject, mailing.sent_html = rendered.subject, rendered.html
        mailing.sent_text = rendered.text
    mailing.recipients_count = mailing.deliveries.count()
    mailing.started_at = mailing.started_at or now
    mailing.finished_at = now
    mailing.status = Mailing.Status.SENT
    mailing.save()


def _ensure_mailings():
    from stories.models import StoryPage

    site_url = emails.absolute_url("").rstrip("/")
    story = StoryPage.objects.live().filter(locale__language_code="fr").first()
    for spec in MAILINGS:
        mailing = Mailing.objects.filter(subject=spec["subject"]).first()
        if mailing is not None:
            if spec["send"]:
                _record_as_sent(mailing)
            continue
        body = []
        for kind, value in spec["body"]:
            if kind == "button":
                value = {**value, "url": value["url"].replace("{site}", site_url)}
            if kind == "story":
                if story is None:
                    continue
                value = story
            body.append((kind, value))
        mailing = Mailing.objects.create(
            subject=spec["subject"], preheader=spec["preheader"], language="fr", body=body
        )
        if spec["send"]:
            _record_as_sent(mailing)


@transaction.atomic
def load(stdout=None):
    _ensure_mailings()
