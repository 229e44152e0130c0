"""Demo content of l'heure civique: the sign-up page in French and English, the
transactional email templates, a few clearly fictitious volunteers (example.org addresses)
and a demo mairie account. Idempotent: everything is found by a stable key first."""

from django.db import transaction
from django.utils import timezone

from wagtail.models import Locale, Site
from wagtail_localize.strings import StringValue

from campaign.demo import account_ensure, fields_update, page_publish
from campaign.geography.models import Commune
from campaign.localize import instance_translate
from campaign.models import CampaignSettings

from .models import EmailTemplate, MairieAccess, Volunteer, email_hash
from .models.access import MAIRIE_GROUP_NAME
from .models.emails import body_rich, body_text
from .models.pages import VolunteerSignupPage

MAIRIE_ACCOUNT = ("mairie-melun", "mairie-demo-melun", "77288")

PAGE = {
    "slug": ("heure-civique", "civic-hour"),
    "title": ("Je donne une heure par mois", "I'll give one hour a month"),
    "introduction": (
        "Une heure par mois, près de chez vous, pour un voisin qui en a besoin. Inscrivez-vous "
        "en une minute : chaque mois, nous vous proposerons une action simple.",
        "One hour a month, near you, for a neighbour who needs it. Sign up in a minute: "
        "every month, we will suggest a simple action.",
    ),
    "thank_you_title": ("Merci, vérifiez vos e-mails", "Thank you, check your emails"),
    "thank_you_text": (
        "Nous venons de vous envoyer un e-mail. Ouvrez le lien qu'il contient dans les 7 jours "
        "pour confirmer votre inscription. Pensez à regarder dans les indésirables.",
        "We have just sent you an email. Open the link it contains within 7 days to confirm "
        "your sign-up. Remember to check your spam folder.",
    ),
    "privacy_notice": (
        "Vos données servent seulement à la campagne Tous Voisins – Tous Solidaires. Votre "
        "mairie ne les voit que si vous l'acceptez. Une inscription non confirmée est effacée "
        "après 30 jours. Depuis chaque e-mail, vous pouvez modifier, télécharger ou effacer "
        "vos données.",
        "Your data is used only for the Tous Voisins – Tous Solidaires campaign. Your town "
        "hall only sees it if you agree. An unconfirmed sign-up is erased after 30 days. From "
        "every email, you can change, download or erase your data.",
    ),
}

TEMPLATES = {
    EmailTemplate.Kind.CONFIRMATION: (
        ("Confirmez votre inscription à l'heure civique", "Confirm your civic hour sign-up"),
        (
            "Bonjour {prenom},\n\nMerci de donner une heure par mois à vos voisins ! Pour "
            "confirmer votre inscription, ouvrez ce lien dans les 7 jours :\n\n{lien}\n\nVous "
            "ne vous êtes pas inscrit ? Ignorez ce message : sans confirmation, votre adresse "
            "sera effacée.",
            "Hello {prenom},\n\nThank you for giving one hour a month to your neighbours! To "
            "confirm your sign-up, open this link within 7 days:\n\n{lien}\n\nDidn't sign up? "
            "Ignore this message: without confirmation, your address will be erased.",
        ),
    ),
    EmailTemplate.Kind.WELCOME: (
        ("Bienvenue dans l'heure civique", "Welcome to the civic hour"),
        (
            "Bonjour {prenom},\n\nVotre inscription est confirmée. Bienvenue ! Chaque mois, "
            "nous vous proposerons une action simple près de chez vous, à {commune}.\n\nVous "
            "pouvez changer vos préférences à tout moment : {lien_preferences}",
            "Hello {prenom},\n\nYour sign-up is confirmed. Welcome! Every month, we will "
            "suggest a simple action near you, in {commune}.\n\nYou can change your "
            "preferences at any time: {lien_preferences}",
        ),
    ),
    EmailTemplate.Kind.PREFERENCES_LINK: (
        ("Vos préférences pour l'heure civique", "Your civic hour preferences"),
        (
            "Bonjour {prenom},\n\nQuelqu'un, sans doute vous, a voulu inscrire votre adresse. "
            "Vous êtes déjà inscrit : rien n'a changé. Pour voir ou modifier vos préférences, "
            "ouvrez ce lien :\n\n{lien}",
            "Hello {prenom},\n\nSomeone, probably you, tried to sign up your address. You are "
            "already signed up: nothing has changed. To see or change your preferences, open "
            "this link:\n\n{lien}",
        ),
    ),
    EmailTemplate.Kind.ERASURE_DONE: (
        ("Vos données ont été effacées", "Your data has been erased"),
        (
            "Bonjour {prenom},\n\nComme vous l'avez demandé, nous avons effacé vos données. "
            "Vous ne recevrez plus d'e-mails de la campagne. Merci pour votre engagement, et à "
            "bientôt peut-être !",
            "Hello {prenom},\n\nAs you asked, we have erased your data. You will not receive "
            "any more emails from the campaign. Thank you for your commitment, and perhaps see "
            "you soon!",
        ),
    ),
    EmailTemplate.Kind.MONTHLY_REMINDER: (
        ("Votre heure civique de {mois}", "Your civic hour for {mois}"),
        (
            "Un nouveau mois commence, et avec lui une nouvelle heure pour vos voisins.\n\n"
            "Voici le geste du mois : simple, utile, à faire quand vous voulez. Plus bas, des "
            "voisins qui agissent déjà près de chez vous.\n\nMerci d'être là !",
            "A new month begins, and with it a new hour for your neighbours.\n\nHere is the "
            "gesture of the month: simple, useful, to do whenever you like. Below, neighbours "
            "who are already taking action near you.\n\nThank you for being there!",
        ),
    ),
}

# Clearly fictitious people: example.org addresses, marked "(démo)" in the last name.
VOLUNTEERS = [
    ("Lucie", "Martin (démo)", "lucie.martin.demo@example.org", "77288", True, ["aines"]),
    ("Karim", "Benali (démo)", "karim.benali.demo@example.org", "77288", False, ["lien-social"]),
    ("Jeanne", "Le Goff (démo)", "jeanne.legoff.demo@example.org", "29019", True, ["accueil"]),
    ("Tom", "Petit (démo)", "tom.petit.demo@example.org", "69123", True, ["entraide-numerique"]),
]


def _ensure_page(home):
    page = VolunteerSignupPage.objects.filter(locale=home.locale, slug=PAGE["slug"][0]).first()
    if page is None:
        page = VolunteerSignupPage(title=PAGE["title"][0], slug=PAGE["slug"][0])
        home.add_child(instance=page)
    changed = fields_update(
        page,
        {
            "title": PAGE["title"][0],
            "introduction": f"<p>{PAGE['introduction'][0]}</p>",
            "thank_you_title": PAGE["thank_you_title"][0],
            "thank_you_text": f"<p>{PAGE['thank_you_text'][0]}</p>",
            "privacy_notice": f"<p>{PAGE['privacy_notice'][0]}</p>",
        },
    )
    page_publish(page, changed=changed)
    instance_translate(instance=page, language_code="en", strings=dict(PAGE.values()))
    return page


def _name_signup_page(site, page):
    """The campaign's settings name the sign-up page (gesture pages link to it)."""
    campaign_settings = CampaignSettings.for_site(site)
    if campaign_settings.signup_page_id != page.pk:
        campaign_settings.signup_page = page
        campaign_settings.save(update_fields=["signup_page"])


def _segment(text):
    """A text as wagtail-localize stores it in a segment (escaped, <br> for a line break)."""
    return StringValue.from_plaintext(text).data


def _template_strings(subject, body):
    """The English of a template's subject and of each paragraph of its body: the body is
    rich text, one segment per paragraph (volunteers.models.emails)."""
    paragraphs = [body_text(body_rich(text)).split("\n\n") for text in body]
    strings = {_segment(subject[0]): _segment(subject[1])}
    strings.update(
        (_segment(fr), _segment(en)) for fr, en in zip(*paragraphs, strict=True) if fr != en
    )
    return strings


def _ensure_templates(fr):
    for kind, (subject, body) in TEMPLATES.items():
        template = EmailTemplate.objects.filter(kind=kind, locale=fr).first()
        if template is None:
            template = EmailTemplate(kind=kind, locale=fr)
        values = {"subject": subject[0], "body": body_rich(body[0])}
        if fields_update(template, values) or not template.pk:
            template.save()
        instance_translate(
            instance=template,
            language_code="en",
            strings=_template_strings(subject, body),
        )


def _ensure_volunteers(page):
    communes = Commune.objects.in_bulk([v[3] for v in VOLUNTEERS], field_name="insee_code")
    now = timezone.now()
    for first, last, email, code, mairie, interests in VOLUNTEERS:
        commune = communes.get(code)
        values = {
            "email_hash": email_hash(email),
            "first_name": first,
            "last_name": last,
            "commune": commune,
            "postcode": (commune.postcodes.values_list("code", flat=True).first() or "")
            if commune
            else "",
            "status": Volunteer.Status.CONFIRMED,
            "consent_emails": True,
            "consent_mairie": mairie,
            "availability": ["weekend"],
            "source_page": page,
        }
        volunteer = Volunteer.objects.filter(email=email).first()
        if volunteer is None:
            volunteer = Volunteer.objects.create(email=email, confirmed_at=now, **values)
        elif fields_update(volunteer, values):
            volunteer.save()
        for slug in interests:
            volunteer.interests.get_or_create(slug=slug)


def _ensure_mairie_account(stdout):
    username, password, code = MAIRIE_ACCOUNT
    commune = Commune.objects.filter(insee_code=code).first()
    user = account_ensure(
        username=username,
        password=password,
        description="mairie de Melun : voit les bénévoles de sa commune qui l'ont accepté"
        + ("" if commune else " (importez les communes pour lui donner Melun)"),
        groups=[MAIRIE_GROUP_NAME],
        first_name="Mairie de Melun",
        stdout=stdout,
    )
    if commune is not None:
        MairieAccess.objects.get_or_create(user=user, commune=commune)


def _point_home_button(home, page):
    if home.cta_page_id != page.pk:
        home.cta_page = page
        home.save_revision().publish()
        # The English home follows (its button to the English page), and its translation
        # source records the French home as it now is: a second load_demo leaves both alone.
        instance_translate(instance=home, language_code="en", strings={})
    english = page.get_translation_or_none(Locale.objects.get(language_code="en"))
    home_en = home.get_translation_or_none(Locale.objects.get(language_code="en"))
    if english is not None and home_en is not None:
        home_en = home_en.specific
        if home_en.cta_page_id != english.pk:
            home_en.cta_page = english
            home_en.save_revision().publish()


@transaction.atomic
def load(stdout=None):
    """Runs after home.demo (the sign-up page lives under the home page)."""
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    page = _ensure_page(home)
    _name_signup_page(site, page)
    _ensure_templates(home.locale)
    _ensure_volunteers(page)
    _ensure_mairie_account(stdout)
    _point_home_button(home, page)
    return page
