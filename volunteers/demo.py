"""Demo content of l'heure civique: the sign-up page in French and English, the
transactional email templates, a few clearly fictitious volunteers (example.org addresses)
and a demo mairie account. Idempotent: everything is found by a stable key first."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from wagtail.models import Locale, Site

from campaign.geography.models import Commune
from campaign.localize import instance_translate

from . import emails
from .models import EmailTemplate, Mailing, MairieAccess, Volunteer, email_hash
from .models.access import MAIRIE_GROUP_NAME
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

# A mailing already sent to the demo volunteers (the worker of `make run` writes the emails
# to var/emails/), and a draft to try the audience, preview, test and send buttons on.
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
    page.title = PAGE["title"][0]
    page.introduction = f"<p>{PAGE['introduction'][0]}</p>"
    page.thank_you_title = PAGE["thank_you_title"][0]
    page.thank_you_text = f"<p>{PAGE['thank_you_text'][0]}</p>"
    page.privacy_notice = f"<p>{PAGE['privacy_notice'][0]}</p>"
    page.save_revision().publish()
    instance_translate(instance=page, language_code="en", strings=dict(PAGE.values()))
    return page


def _ensure_templates(fr):
    for kind, (subject, body) in TEMPLATES.items():
        template = EmailTemplate.objects.filter(kind=kind, locale=fr).first()
        if template is None:
            template = EmailTemplate(kind=kind, locale=fr)
        template.subject, template.body = subject[0], body[0]
        template.save()
        instance_translate(
            instance=template,
            language_code="en",
            strings={subject[0]: subject[1], body[0]: body[1]},
        )


def _ensure_volunteers(page):
    communes = Commune.objects.in_bulk([v[3] for v in VOLUNTEERS], field_name="insee_code")
    now = timezone.now()
    for first, last, email, code, mairie, interests in VOLUNTEERS:
        commune = communes.get(code)
        volunteer, _ = Volunteer.objects.update_or_create(
            email=email,
            defaults={
                "email_hash": email_hash(email),
                "first_name": first,
                "last_name": last,
                "commune": commune,
                "postcode": (commune.postcodes.values_list("code", flat=True).first() or "")
                if commune
                else "",
                "status": Volunteer.Status.CONFIRMED,
                "confirmed_at": now,
                "consent_emails": True,
                "consent_mairie": mairie,
                "availability": ["weekend"],
                "source_page": page,
            },
        )
        for slug in interests:
            volunteer.interests.get_or_create(slug=slug)


def _ensure_mairie_account(stdout):
    username, password, code = MAIRIE_ACCOUNT
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"email": f"{username}@tousvoisins.example", "first_name": "Mairie de Melun"},
    )
    if created:
        user.set_password(password)
    user.is_staff = True
    user.is_superuser = False
    user.save()
    user.groups.add(Group.objects.get(name=MAIRIE_GROUP_NAME))
    commune = Commune.objects.filter(insee_code=code).first()
    if commune is not None:
        MairieAccess.objects.get_or_create(user=user, commune=commune)
    if stdout:
        note = "" if commune else " (importez les communes pour lui donner Melun)"
        stdout.write(f"  Compte mairie de démo : {username} / {password}{note}")


def _point_home_button(home, page):
    if home.cta_page_id != page.pk:
        home.cta_page = page
        home.save_revision().publish()
    english = page.get_translation_or_none(Locale.objects.get(language_code="en"))
    home_en = home.get_translation_or_none(Locale.objects.get(language_code="en"))
    if english is not None and home_en is not None:
        home_en = home_en.specific
        if home_en.cta_page_id != english.pk:
            home_en.cta_page = english
            home_en.save_revision().publish()


def _ensure_mailings():
    from stories.models import StoryPage

    from .services import mailing_start

    site_url = emails.absolute_url("").rstrip("/")
    story = StoryPage.objects.live().filter(locale__language_code="fr").first()
    for spec in MAILINGS:
        if Mailing.objects.filter(subject=spec["subject"]).exists():
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
            mailing_start(mailing_id=mailing.pk)


@transaction.atomic
def load(stdout=None):
    """Runs after home.demo (the sign-up page lives under the home page)."""
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    page = _ensure_page(home)
    _ensure_templates(home.locale)
    _ensure_volunteers(page)
    _ensure_mairie_account(stdout)
    _point_home_button(home, page)
    _ensure_mailings()
    return page
