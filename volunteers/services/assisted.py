"""The "inscription accompagnée" (issue 15): a mairie agent or a help-point volunteer signs
someone up on their behalf, in the admin.

The person is registered as on the public form (`volunteer_signup`: pending, the same
answer whether the address is known or not), with consent records of source "assisted" that
hold the exact wording read to them, and an `AssistedSignup` row saying who did it and how
the consent was given. They stay pending until they confirm themselves, by the usual email
or by the code of a printed letter (letter.py), whichever the agent chose: an address typed
by someone else may be mistyped, and only its owner's click proves it is theirs (docs/PRIVACY.md).

The letter's code is ten characters the person can type (Crockford's base 32: no I, L, O or
U to misread); only its keyed fingerprint is stored, so the table holds no key to anyone's
sign-up. The QR code carries the same code signed (`letter_token_make`), which gives it the
shape the log filter blanks (campaign/logging.py: a path segment with a colon).

A letter lost or never received is printed again (`assisted_letter_reissue`): a new code
whose fingerprint replaces the old one, so that the old letter, wherever it is, confirms
nothing any more; the agent and the moment are kept in Wagtail's log (ModelLogEntry)."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from wagtail.log_actions import log

from campaign.site_address import public_url

from .. import conf
from ..models import AssistedSignup, ConsentRecord, Volunteer
from .volunteers import Wording, volunteer_signup

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
LETTER_SALT = "volunteers.assisted-letter"
# What a person may type for a character of the alphabet (Crockford's decoding).
_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


@dataclass(frozen=True)
class AssistedSignupResult:
    """What the agent's screen and the letter need. Deliberately nothing that tells whether
    the address was already registered: the letter is drawn the same either way."""

    first_name: str
    commune_name: str
    language: str
    channel: str
    letter_code: str  # "" for the email channel
    # A letter printed again: the date by which the person must confirm (the retention of
    # unconfirmed sign-ups runs from the first sign-up, not from the new letter).
    deadline: datetime | None = None
    reissued: bool = False


def letter_code_make() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def letter_code_normalize(value: str) -> str:
    """What the person typed, as the code: case, spaces and dashes ignored, the letters
    that look like digits read as those digits."""
    kept = "".join(c for c in (value or "").upper() if c.isalnum())
    return kept.translate(_TYPED)


def letter_code_display(code: str) -> str:
    """ "K7P4M-2QXAB": two groups of five, easier to read aloud and to type."""
    return f"{code[:5]}-{code[5:]}"


def letter_code_hash(code: str) -> str:
    return salted_hmac(LETTER_SALT, letter_code_normalize(code), algorithm="sha256").hexdigest()


def letter_token_make(code: str) -> str:
    return signing.dumps(letter_code_normalize(code), salt=LETTER_SALT)


def letter_token_code(token: str) -> str | None:
    try:
        return str(signing.loads(token, salt=LETTER_SALT))
    except signing.BadSignature:
        return None


def letter_urls(*, code: str, language: str) -> tuple[str, str]:
    """(the short address printed to be typed, with the code beside it; the QR code's
    address, which carries the code), on the site's public address, in `language`."""
    with translation.override(language):
        short = public_url(reverse("volunteers:letter"))
        qr = public_url(
            reverse("volunteers:letter_link", kwargs={"token": letter_token_make(code)})
        )
    return short, qr


def assisted_letter_volunteer(*, code: str) -> Volunteer | None:
    """The pending sign-up a letter's code belongs to, or None: unknown, already used
    (confirmed) or expired (older than the retention of unconfirmed sign-ups)."""
    code = letter_code_normalize(code)
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    since = timezone.now() - timezone.timedelta(days=conf.UNCONFIRMED_RETENTION_DAYS)
    return (
        Volunteer.objects.pending()
        .filter(
            assisted_signup__letter_code_hash=letter_code_hash(code),
            created_at__gte=since,
        )
        .first()
    )


def assisted_signup_create(
    *,
    agent,
    email: str,
    first_name: str,
    commune,
    interests=(),
    language: str,
    consent_emails_wording: Wording,
    consent_mairie_wording: Wording | None,
    method: str,
    paper_reference: str = "",
    channel: str,
) -> AssistedSignupResult:
    """Register a sign-up made by `agent` (a staff or mairie user) on someone's behalf.

    A new address: the volunteer (pending), its consent records (source "assisted", the
    wording read), the `AssistedSignup` row (agent, method, paper form's reference, channel,
    the letter code's fingerprint); with the email channel the usual confirmation email is
    sent after commit, with the letter channel none (the letter carries the code).
    A known address: nothing is changed or recorded, the person gets the public path's email
    (the confirmation again, or a link to their preferences), and the agent the same answer
    and the same letter, whose code then leads nowhere. The caller has checked that `agent`
    may sign people up in `commune`."""
    letter = channel == AssistedSignup.Channel.LETTER
    code = letter_code_make() if letter else ""
    postcode = commune.postcodes.order_by("code").values_list("code", flat=True).first() or ""
    with transaction.atomic():
        result = volunteer_signup(
            email=email,
            first_name=first_name,
            commune=commune,
            postcode=postcode,
            interests=interests,
            language=language,
            consent_emails_wording=consent_emails_wording,
            consent_mairie_wording=consent_mairie_wording,
            source=ConsentRecord.Source.ASSISTED,
            confirmation_email=not letter,
        )
        if result.created:
            AssistedSignup.objects.create(
                volunteer=result.volunteer,
                agent=agent,
                method=method,
                paper_reference=(paper_reference if method == AssistedSignup.Method.PAPER else ""),
                channel=channel,
                letter_code_hash=letter_code_hash(code) if letter else "",
                created_at=result.volunteer.created_at,
            )
    return AssistedSignupResult(
        first_name=first_name,
        commune_name=commune.name,
        language=language,
        channel=channel,
        letter_code=code,
    )


LETTER_REISSUE_ACTION = "volunteers.assisted_letter_reissue"


class LetterReissueRefused(Exception):
    """No new letter for this sign-up; `reason` says why: "confirmed" (the person has
    confirmed), "closed" (unsubscribed, erased, address refused by the ESP) or "expired"
    (unconfirmed for longer than the retention: its code leads nowhere, the purge deletes it)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def assisted_letter_deadline(volunteer: Volunteer) -> datetime:
    """Until when the person may confirm: the retention of unconfirmed sign-ups, counted from
    the sign-up (assisted_letter_volunteer, volunteers_purge)."""
    return volunteer.created_at + timezone.timedelta(days=conf.UNCONFIRMED_RETENTION_DAYS)


def assisted_letter_reissue_refusal(*, volunteer: Volunteer, now=None) -> str | None:
    """Why no new letter may be printed for this person (a LetterReissueRefused reason), or
    None when one may: they have not confirmed and still can."""
    if volunteer.status == Volunteer.Status.CONFIRMED:
        return "confirmed"
    if volunteer.status != Volunteer.Status.PENDING:
        return "closed"
    if assisted_letter_deadline(volunteer) <= (now or timezone.now()):
        return "expired"
    return None


def assisted_letter_reissue(*, assisted_signup: AssistedSignup, agent) -> AssistedSignupResult:
    """Print a sign-up's letter again, for a person who lost it or never got it (or who was
    to confirm by email and did not get it): a new code, whose fingerprint replaces the old
    one, so that the old letter's code (and QR code) confirms nothing any more. The channel
    becomes the letter; an email already sent keeps its link (signed, valid 7 days).

    Recorded in Wagtail's log (action LETTER_REISSUE_ACTION, by `agent`, now), which holds
    no personal data: the row's label is its method and date. Raises LetterReissueRefused
    when the person has confirmed, left or let the sign-up expire; the rows are locked, so
    that a confirmation arriving meanwhile is seen. The caller has checked that `agent` may
    act on this sign-up (AssistedSignup.objects.in_reach_of)."""
    code = letter_code_make()
    with transaction.atomic():
        assisted = AssistedSignup.objects.select_for_update().get(pk=assisted_signup.pk)
        # of=self: PostgreSQL cannot lock the nullable side of the commune's outer join.
        volunteer = (
            Volunteer.objects.select_for_update(of=("self",))
            .select_related("commune")
            .get(pk=assisted.volunteer_id)
        )
        reason = assisted_letter_reissue_refusal(volunteer=volunteer)
        if reason is not None:
            raise LetterReissueRefused(reason)
        previous_channel = assisted.channel
        assisted.letter_code_hash = letter_code_hash(code)
        assisted.channel = AssistedSignup.Channel.LETTER
        assisted.save(update_fields=["letter_code_hash", "channel"])
        log(
            instance=assisted,
            action=LETTER_REISSUE_ACTION,
            user=agent,
            data={"previous_channel": previous_channel},
        )
    return AssistedSignupResult(
        first_name=volunteer.first_name,
        commune_name=volunteer.commune.name if volunteer.commune else "",
        language=volunteer.language,
        channel=AssistedSignup.Channel.LETTER,
        letter_code=code,
        deadline=assisted_letter_deadline(volunteer),
        reissued=True,
    )
