"""Operations of the kits app that are not CMS content: counting downloads, storing logos,
rendering personalised posters, engaging communes."""

import hashlib
import io
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wagtail.models import Locale, Page, Site

from PIL import Image

from campaign import purge
from campaign.site_address import page_public_url, public_url
from volunteers.selectors import without_mairie_users

from . import rendering
from .models import DownloadCount, EngagedCommune, PersonalisedPoster, PosterTemplate

logger = logging.getLogger(__name__)

LOGO_DIR = "kits/logos"
POSTER_DIR = "kits/posters"
ARTWORK_DIR = "kits/posters/artwork"
SIZES = ("A4", "A3")
VARIANTS = ("couleur", "nb")
EXTENSIONS = ("pdf", "png")
CONFIRMATION_SALT = "kits.engaged-commune.confirm"
CONFIRMATION_MAX_AGE = 7 * 24 * 3600
SIGNUP_PAGE_MODEL = "volunteersignuppage"


# Downloads -------------------------------------------------------------------------------


def download_count_increment(*, kit_file, day=None):
    """Add one download to today's count of `kit_file`. No IP, no user agent, nothing about
    the visitor: only the file and the day.

    The row is created once per file and day; concurrent requests then add with an SQL
    `count = count + 1`, so no download is lost to a read-modify-write race. The unique
    constraint settles two requests creating the same day's row at once."""
    day = day or timezone.localdate()
    updated = DownloadCount.objects.filter(kit_file=kit_file, day=day).update(
        count=models.F("count") + 1
    )
    if updated:
        return
    try:
        with transaction.atomic():
            DownloadCount.objects.create(kit_file=kit_file, day=day, count=1)
    except IntegrityError:
        # Another request created the row between our update and our insert.
        DownloadCount.objects.filter(kit_file=kit_file, day=day).update(count=models.F("count") + 1)


def download_report(*, start, end):
    """Downloads per kit and file between `start` and `end` (dates, inclusive): a list of
    kits, each a dict with its title, total and files (label, language, type, count), most
    downloaded first. Two queries whatever the number of kits."""
    from .models import KitFile

    totals = dict(
        DownloadCount.objects.filter(day__gte=start, day__lte=end)
        .values("kit_file")
        .annotate(total=models.Sum("count"))
        .values_list("kit_file", "total")
    )
    files = (
        KitFile.objects.filter(pk__in=totals)
        .select_related("page", "document", "page__locale")
        .order_by("page__title", "sort_order")
    )
    kits = {}
    for kit_file in files:
        kit = kits.setdefault(
            kit_file.page_id,
            {
                "title": kit_file.page.title,
                "locale": kit_file.page.locale.language_code,
                "total": 0,
                "files": [],
            },
        )
        count = totals[kit_file.pk]
        kit["total"] += count
        kit["files"].append(
            {
                "label": kit_file.get_format_display(),
                "document": kit_file.document.title,
                "language": kit_file.language,
                "type": kit_file.file_type,
                "count": count,
            }
        )
    rows = sorted(kits.values(), key=lambda kit: (-kit["total"], kit["title"]))
    for kit in rows:
        kit["files"].sort(key=lambda f: -f["count"])
    return rows


# Logos -----------------------------------------------------------------------------------


def logo_store(*, image):
    """Store a verified logo (a loaded Pillow image) as a normalised PNG, named by the hash of
    its bytes; return the hash. Re-encoding drops metadata and anything hidden after the
    image data; the same logo uploaded twice is stored once."""
    image = image.convert("RGBA") if image.mode not in ("RGB", "RGBA") else image
    image.thumbnail((1200, 1200))  # far more than a logo needs at 300 dpi on its zone
    out = io.BytesIO()
    image.save(out, "PNG")
    data = out.getvalue()
    logo_hash = hashlib.sha256(data).hexdigest()
    path = f"{LOGO_DIR}/{logo_hash}.png"
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(data))
    return logo_hash


def logo_read(*, logo_hash):
    """The stored logo's PNG bytes, or None when there is none (or it has been cleaned up)."""
    path = f"{LOGO_DIR}/{logo_hash}.png"
    if not logo_hash or not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        return handle.read()


# Posters ---------------------------------------------------------------------------------


def signup_url(*, commune, request=None):
    """Where a poster's QR code leads: the sign-up page if there is one, else the French home
    page, with the commune preselected. Two queries at most."""
    page = (
        Page.objects.live()
        .filter(
            content_type__app_label="volunteers",
            content_type__model=SIGNUP_PAGE_MODEL,
            locale__language_code="fr",
        )
        .order_by("path")
        .first()
    )
    if page is not None:
        base = page_public_url(page, request)
    else:
        site = Site.objects.select_related("root_page").filter(is_default_site=True).first()
        root = site.root_page if site else None
        if root is not None and root.locale_id != _french_locale_id():
            root = root.get_translation_or_none(Locale.objects.get(language_code="fr")) or root
        base = page_public_url(root, request) if root else public_url("/")
    return f"{base or public_url('/')}?commune={commune.insee_code}"


def _french_locale_id():
    return Locale.objects.filter(language_code="fr").values_list("pk", flat=True).first()


@dataclass(frozen=True)
class PosterFile:
    path: str
    rendered: bool  # False when it came from the cache


def poster_key(*, template, commune, logo_hash, contact_line, event_line, qr_url):
    """The hash of everything that shapes a poster design (the size and the variant name
    the files inside it)."""
    payload = json.dumps(
        [
            template.revision,
            commune.insee_code,
            commune.name,
            logo_hash or "",
            rendering.normalise_text(contact_line),
            rendering.normalise_text(event_line),
            qr_url,
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def poster_create(*, template, commune, logo_hash, contact_line, event_line, request=None):
    """Record the design a mairie asked for (or find it again: same inputs, same row) and
    return it. Files are rendered on demand by `poster_file_get`."""
    qr_url = signup_url(commune=commune, request=request)
    key = poster_key(
        template=template,
        commune=commune,
        logo_hash=logo_hash,
        contact_line=contact_line,
        event_line=event_line,
        qr_url=qr_url,
    )
    poster = PersonalisedPoster.objects.filter(key=key).first()
    if poster is not None:
        return poster
    try:
        with transaction.atomic():
            return PersonalisedPoster.objects.create(
                key=key,
                template=template,
                commune=commune,
                logo_hash=logo_hash or "",
                contact_line=rendering.normalise_text(contact_line),
                event_line=rendering.normalise_text(event_line),
            )
    except IntegrityError:
        return PersonalisedPoster.objects.get(key=key)


def poster_path(*, poster, size, variant, extension):
    return f"{POSTER_DIR}/{poster.key[:2]}/{poster.key}/{size}-{variant}.{extension}"


def _artwork_jpeg(*, template, size, black_and_white):
    """The artwork resampled to 300 dpi for the page, cached per template revision: the
    slowest step of a cold render, shared by every commune's poster."""
    digest = hashlib.sha256(f"{template.revision}:{size}:{black_and_white}".encode()).hexdigest()
    path = f"{ARTWORK_DIR}/{digest}.jpg"
    if default_storage.exists(path):
        with default_storage.open(path, "rb") as handle:
            return handle.read()
    with template.artwork.open_file() as handle:
        artwork = Image.open(handle)
        artwork.load()
    data = rendering.prepared_artwork(artwork, size, black_and_white)
    default_storage.save(path, ContentFile(data))
    return data


def poster_inputs(*, poster, size, variant, request=None):
    """Everything the renderer needs for one file of `poster`, and the artwork as JPEG bytes
    at 300 dpi for the page (the PDF embeds them as they are; the preview decodes them)."""
    template = poster.template
    black_and_white = variant == "nb"
    artwork_jpeg = _artwork_jpeg(template=template, size=size, black_and_white=black_and_white)
    inputs = rendering.PosterInputs(
        # Opened lazily: the PDF never decodes it, the preview decodes it reduced (JPEG draft).
        artwork=Image.open(io.BytesIO(artwork_jpeg)),
        zones={prefix: template.zone(prefix) for prefix in rendering.ZONE_PREFIXES},
        commune_name=poster.commune.name,
        contact_line=poster.contact_line,
        event_line=poster.event_line,
        qr_url=signup_url(commune=poster.commune, request=request),
        logo=logo_read(logo_hash=poster.logo_hash),
        text_colour=template.text_colour,
        page_size=size,
        black_and_white=black_and_white,
    )
    return inputs, artwork_jpeg


def poster_file_get(*, poster, size, variant, extension, request=None):
    """The path in the default storage of one file of a poster (PDF or PNG preview), rendered
    the first time and served from the storage afterwards."""
    if size not in SIZES or variant not in VARIANTS or extension not in EXTENSIONS:
        raise ValueError("unknown poster file")
    path = poster_path(poster=poster, size=size, variant=variant, extension=extension)
    if default_storage.exists(path):
        return PosterFile(path, rendered=False)
    inputs, artwork_jpeg = poster_inputs(poster=poster, size=size, variant=variant, request=request)
    if extension == "pdf":
        data = rendering.render_pdf(inputs, artwork_jpeg)
    else:
        data = rendering.render_png(inputs)
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(data))
    return PosterFile(path, rendered=True)


def poster_template_choices():
    return PosterTemplate.objects.filter(is_active=True).select_related("artwork")


# Engaged communes ------------------------------------------------------------------------


def engaged_commune_declare(*, commune, contact_name, role, email, language):
    """Record a mairie's declaration (pending) and, once the transaction commits, send the
    confirmation email from a task. Returns the declaration."""
    from .tasks import engaged_commune_send_confirmation_task

    engagement = EngagedCommune.objects.create(
        commune=commune, contact_name=contact_name, role=role, email=email, language=language
    )
    transaction.on_commit(
        lambda: engaged_commune_send_confirmation_task.enqueue(
            engaged_commune_id=engagement.pk, language=language
        )
    )
    return engagement


def engaged_commune_confirmation_token(*, engagement):
    return signing.dumps({"id": engagement.pk, "t": engagement.token}, salt=CONFIRMATION_SALT)


def engaged_commune_send_confirmation(*, engagement, language):
    """Send the email whose signed link confirms the declaration."""
    with translation.override(language):
        link = public_url(
            reverse(
                "kits:engaged_confirm",
                kwargs={"token": engaged_commune_confirmation_token(engagement=engagement)},
            )
        )
        context = {"engagement": engagement, "link": link, "commune": engagement.commune}
        subject = render_to_string("kits/emails/engaged_confirm_subject.txt", context).strip()
        body = render_to_string("kits/emails/engaged_confirm.txt", context)
    message = EmailMultiAlternatives(subject, body, to=[engagement.email])
    message.send()


class ConfirmationError(Exception):
    pass


class ModerationError(Exception):
    """A moderation step staff cannot take; the message says why, in their language."""


def engaged_commune_from_token(*, token):
    """The declaration a signed link names, changing nothing (the emailed link opens a page;
    mail scanners that follow it confirm nothing). Raises ConfirmationError for a bad or
    expired link."""
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature as error:
        raise ConfirmationError("bad link") from error
    if not isinstance(data, dict):
        raise ConfirmationError("bad link")
    engagement = (
        EngagedCommune.objects.select_related("commune")
        .filter(pk=data.get("id"), token=str(data.get("t")))
        .first()
    )
    if engagement is None:
        raise ConfirmationError("unknown")
    return engagement


def engaged_commune_confirm(*, token):
    """Confirm the address of the declaration a signed link names (from the POST of the
    emailed page), then let staff know it waits for them. Returns the declaration;
    confirming twice is harmless and changes nothing staff decided. Raises ConfirmationError
    for a bad or expired link."""
    from .tasks import engaged_commune_notify_staff_task

    engagement = engaged_commune_from_token(token=token)
    with transaction.atomic():
        updated = EngagedCommune.objects.filter(
            pk=engagement.pk, status=EngagedCommune.Status.UNCONFIRMED
        ).update(status=EngagedCommune.Status.PENDING, confirmed_at=timezone.now())
        if updated:
            transaction.on_commit(
                lambda: engaged_commune_notify_staff_task.enqueue(engaged_commune_id=engagement.pk)
            )
    engagement.refresh_from_db(fields=["status", "confirmed_at"])
    return engagement


def moderator_addresses(*, permission):
    """The addresses of the active staff who hold `permission` ("app.codename"), through a
    group, directly or as superusers; mairie users never (they do not moderate)."""
    from django.contrib.auth import get_user_model

    users = without_mairie_users(
        get_user_model()
        .objects.with_perm(permission, include_superusers=True)
        .filter(is_active=True)
        .exclude(email="")
    )
    return sorted({user.email for user in users})


def engaged_commune_notify_staff(*, engagement):
    """Tell the staff who approve engaged communes that a confirmed declaration waits for
    them, with a link to the queue. The email names the commune and the declarer's role, not
    the declarer (their name and address are in the admin)."""
    recipients = moderator_addresses(permission="kits.moderate_engagedcommune")
    if not recipients:
        logger.warning("engaged commune %s waits for review: no moderator to notify", engagement.pk)
        return
    queue = public_url(
        reverse("wagtailsnippets_kits_engagedcommune:list") + f"?status={engagement.status}"
    )
    with translation.override(settings.LANGUAGE_CODE):
        context = {"engagement": engagement, "commune": engagement.commune, "link": queue}
        subject = render_to_string("kits/emails/engaged_review_subject.txt", context).strip()
        body = render_to_string("kits/emails/engaged_review.txt", context)
    EmailMultiAlternatives(subject, body, to=recipients).send()


def engaged_commune_approve(*, engagement):
    """List the commune publicly. Only a declaration whose address was confirmed can be
    approved, and a commune is listed once."""
    if engagement.confirmed_at is None:
        raise ModerationError(
            _(
                "Cette déclaration n'est pas confirmée par son adresse : elle ne peut pas "
                "être approuvée."
            )
        )
    if engagement.status == EngagedCommune.Status.APPROVED:
        return engagement
    if (
        EngagedCommune.objects.public()
        .filter(commune_id=engagement.commune_id)
        .exclude(pk=engagement.pk)
        .exists()
    ):
        raise ModerationError(
            _("Cette commune est déjà listée par une autre déclaration approuvée.")
        )
    from .tasks import engaged_commune_tell_approved_task

    reviewed_at = timezone.now()
    try:
        with transaction.atomic():
            # Conditional: of two staff approving at once, one changes the row (and the
            # declarer hears of it once).
            updated = (
                EngagedCommune.objects.filter(pk=engagement.pk)
                .exclude(status=EngagedCommune.Status.APPROVED)
                .update(status=EngagedCommune.Status.APPROVED, reviewed_at=reviewed_at)
            )
    except IntegrityError as error:
        raise ModerationError(
            _("Cette commune est déjà listée par une autre déclaration approuvée.")
        ) from error
    if updated:
        transaction.on_commit(
            lambda: engaged_commune_tell_approved_task.enqueue(engaged_commune_id=engagement.pk)
        )
        # Cached pages show the engaged communes (the directory's map): an UPDATE sends no
        # signal, so the purge is asked for here.
        purge.purge_everything_on_commit()
    engagement.refresh_from_db(fields=["status", "reviewed_at"])
    return engagement


def engaged_commune_withdraw(*, engagement):
    """Take the commune off every public place (its page, the list, the counts). If it was
    listed, its declarer is told (by a task, once the change is committed)."""
    from .tasks import engaged_commune_tell_withdrawn_task

    reviewed_at = timezone.now()
    was_listed = EngagedCommune.objects.filter(
        pk=engagement.pk, status=EngagedCommune.Status.APPROVED
    ).update(status=EngagedCommune.Status.WITHDRAWN, reviewed_at=reviewed_at)
    if was_listed:
        transaction.on_commit(
            lambda: engaged_commune_tell_withdrawn_task.enqueue(engaged_commune_id=engagement.pk)
        )
        purge.purge_everything_on_commit()  # off the cached pages too (see the approval)
    else:
        EngagedCommune.objects.filter(pk=engagement.pk).update(
            status=EngagedCommune.Status.WITHDRAWN, reviewed_at=reviewed_at
        )
    engagement.refresh_from_db(fields=["status", "reviewed_at"])
    return engagement


def _declarer_language(engagement):
    """The language the declarer wrote in, or the site's first language when it was not
    recorded (declarations made before it was)."""
    languages = {code for code, _name in settings.LANGUAGES}
    return engagement.language if engagement.language in languages else settings.LANGUAGE_CODE


def _campaign_contact_address():
    """The campaign's contact address from the default site's settings, or "" without one."""
    from campaign.models import CampaignSettings

    site = Site.objects.filter(is_default_site=True).first()
    return CampaignSettings.for_site(site).contact_email if site else ""


def engaged_commune_tell_outcome(*, engagement, outcome):
    """Tell the declarer, in the language they declared in, what staff decided: "approved"
    (the commune is listed: links to its page and to the list) or "withdrawn" (no longer
    listed: whom to write to)."""
    if outcome not in ("approved", "withdrawn"):
        raise ValueError("unknown outcome")
    with translation.override(_declarer_language(engagement)):
        context = {
            "engagement": engagement,
            "commune": engagement.commune,
            "commune_link": public_url(
                reverse("kits:engaged_commune", args=[engagement.commune.slug])
            ),
            "list_link": public_url(reverse("kits:engaged_communes")),
            "contact": _campaign_contact_address() if outcome == "withdrawn" else "",
        }
        subject = render_to_string(f"kits/emails/engaged_{outcome}_subject.txt", context).strip()
        body = render_to_string(f"kits/emails/engaged_{outcome}.txt", context)
    EmailMultiAlternatives(subject, body, to=[engagement.email]).send()


def poster_approve(*, poster):
    """Show the poster (its contact and event lines included) on its commune's page, once the
    commune is approved."""
    poster.status = PersonalisedPoster.Status.APPROVED
    poster.reviewed_at = timezone.now()
    poster.save(update_fields=["status", "reviewed_at"])
    return poster


def poster_withdraw(*, poster):
    """Take the poster off its commune's page. Whoever made it keeps its files."""
    poster.status = PersonalisedPoster.Status.WITHDRAWN
    poster.reviewed_at = timezone.now()
    poster.save(update_fields=["status", "reviewed_at"])
    return poster
