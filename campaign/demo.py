"""Demo content of the site-wide part: locales, the legal pages, navigation, settings
and the demo accounts. Idempotent: every object is found by a stable key before it is created."""

import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify

from wagtail.blocks import StreamValue
from wagtail.models import Locale, Page, Site
from wagtail_localize.models import LocaleSynchronization

from campaign.localize import instance_translate
from campaign.models import CampaignSettings, ContentPage, Navigation

DEMO_ACCOUNTS = [
    # (username, password, superuser, groups, description)
    (
        "redaction",
        "voisins-solidaires",
        False,
        ["Editors", "Moderators"],
        "rédaction (pages, histoires, propositions, envois, modèles d'e-mails)",
    ),
    ("admin", "admin-tous-voisins", True, [], "administrateur"),
]

# The demo accounts created by this run of load_demo, in order, for its closing list:
# (description, username, password).
ACCOUNTS_CREATED = []

# (slug, title fr/en, introduction fr/en, paragraphs [(fr, en), …])
PAGES = [
    (
        "la-campagne",
        ("La campagne", "The campaign"),
        (
            "Tous Voisins – Tous Solidaires rassemble des mairies et des associations autour "
            "d'une idée simple : l'entraide commence sur le palier.",
            "Tous Voisins – Tous Solidaires brings town halls and associations together "
            "around a simple idea: helping each other starts on the landing.",
        ),
        [
            (
                "Partout en France, des habitants aident déjà leurs voisins sans bruit. Ils "
                "portent des courses, prennent des nouvelles, réparent un vélo. Nous voulons "
                "les remercier et donner envie d'en faire autant.",
                "All over France, people already help their neighbours quietly. They carry "
                "shopping, check in on each other, fix a bike. We want to thank them and "
                "make others want to do the same.",
            ),
            (
                "La campagne propose trois choses : des histoires vraies de héros du civisme "
                "ordinaire, 100 gestes solidaires faciles à faire, et l'heure civique, une "
                "heure par mois pour une action près de chez vous.",
                "The campaign offers three things: true stories of everyday civic heroes, "
                "100 easy acts of solidarity, and the civic hour, one hour a month for an "
                "action near you.",
            ),
            (
                "Les mairies trouvent ici des affiches et des kits gratuits. Elles peuvent "
                "les personnaliser avec le nom de leur commune.",
                "Town halls will find free posters and kits here. They can personalise them "
                "with the name of their town.",
            ),
        ],
    ),
    (
        "mentions-legales",
        ("Mentions légales", "Legal notice"),
        (
            "Qui publie ce site, qui l'héberge, et comment nous joindre.",
            "Who publishes this site, who hosts it, and how to reach us.",
        ),
        [
            (
                "Ce site est publié par le collectif de la campagne Tous Voisins – Tous "
                "Solidaires, qui réunit des mairies et des associations partenaires.",
                "This site is published by the collective of the Tous Voisins – Tous "
                "Solidaires campaign, which brings together town halls and partner "
                "associations.",
            ),
            (
                "Pour toute question sur le site, écrivez à bonjour@tousvoisins.example. "
                "Nous répondons sous cinq jours ouvrés.",
                "For any question about the site, write to bonjour@tousvoisins.example. We "
                "answer within five working days.",
            ),
            (
                "Les textes du site sont sous licence Creative Commons BY-SA 4.0. Les "
                "portraits restent la propriété des personnes photographiées et de leurs "
                "auteurs.",
                "The texts on this site are under the Creative Commons BY-SA 4.0 licence. "
                "Portraits remain the property of the people photographed and of their "
                "authors.",
            ),
        ],
    ),
    (
        "donnees-personnelles",
        ("Données personnelles", "Personal data"),
        (
            "Nous collectons le moins de données possible. Voici lesquelles, pourquoi, et "
            "comment exercer vos droits.",
            "We collect as little data as possible. Here is which, why, and how to exercise "
            "your rights.",
        ),
        [
            (
                "Quand vous vous inscrivez à l'heure civique, nous gardons votre prénom, "
                "votre adresse e-mail, votre commune et vos préférences. Nous les utilisons "
                "seulement pour la campagne.",
                "When you sign up for the civic hour, we keep your first name, your email "
                "address, your town and your preferences. We use them only for the "
                "campaign.",
            ),
            (
                "Votre mairie ne voit vos coordonnées que si vous l'avez accepté. Vous pouvez "
                "retirer cet accord à tout moment.",
                "Your town hall only sees your contact details if you agreed to it. You can "
                "withdraw this agreement at any time.",
            ),
            (
                "Une inscription non confirmée est effacée après 30 jours. Sans aucune "
                "activité de votre part pendant 3 ans, nous effaçons vos données.",
                "An unconfirmed sign-up is erased after 30 days. If you show no activity for "
                "3 years, we erase your data.",
            ),
            (
                "Depuis le lien présent dans chaque e-mail, vous pouvez télécharger vos "
                "données, les modifier ou les effacer. Vous pouvez aussi saisir la CNIL.",
                "From the link in every email, you can download your data, change it or "
                "erase it. You can also complain to the CNIL, the French data protection "
                "authority.",
            ),
            (
                "Ce site n'utilise aucun traceur publicitaire, aucune police ni aucun script "
                "venant d'un autre site.",
                "This site uses no advertising tracker, and no font or script from another site.",
            ),
        ],
    ),
    (
        "accessibilite",
        ("Accessibilité", "Accessibility"),
        (
            "Nous voulons que chacun puisse utiliser ce site, quels que soient son âge, son "
            "matériel et sa façon de naviguer.",
            "We want everyone to be able to use this site, whatever their age, their device "
            "and the way they browse.",
        ),
        [
            (
                "Ce site vise la conformité au référentiel RGAA 4.1 et aux règles WCAG 2.1 "
                "niveau AA. Il est partiellement conforme : un audit complet est prévu.",
                "This site aims to comply with the French RGAA 4.1 standard and WCAG 2.1 "
                "level AA. It is partially compliant: a full audit is planned.",
            ),
            (
                "Toutes les démarches fonctionnent sans JavaScript, au clavier et avec un "
                "lecteur d'écran. Les pages s'impriment proprement.",
                "Every task works without JavaScript, with a keyboard and with a screen "
                "reader. Pages print cleanly.",
            ),
            (
                "Vous rencontrez une difficulté ? Écrivez-nous à bonjour@tousvoisins.example : "
                "nous vous aiderons et nous corrigerons le problème.",
                "Having trouble? Write to us at bonjour@tousvoisins.example: we will help you "
                "and fix the problem.",
            ),
        ],
    ),
]

FOOTER_TEXT = (
    "<p>Une campagne des mairies et de leurs partenaires associatifs.</p>",
    "<p>A campaign by town halls and their partner associations.</p>",
)


def _rich(paragraphs):
    return [("paragraph", f"<p>{text}</p>") for text in paragraphs]


def _stream_json(blocks):
    return json.dumps([{"type": kind, "value": value} for kind, value in blocks])


def _remove_wagtail_placeholder():
    """Wagtail's first migration creates a "Welcome" page as the site root. The home page
    replaces it; removing it before the English tree is synchronised keeps it from being
    copied there."""
    for page in Page.objects.filter(depth=2, content_type__app_label="wagtailcore"):
        Site.objects.filter(root_page=page).delete()
        page.delete()


def _ensure_locales():
    _remove_wagtail_placeholder()
    fr, _ = Locale.objects.get_or_create(language_code="fr")
    en, _ = Locale.objects.get_or_create(language_code="en")
    if not LocaleSynchronization.objects.filter(locale=en).exists():
        LocaleSynchronization.objects.create(locale=en, sync_from=fr)
    return fr, en


def _ensure_content_page(home, slug, title, introduction, paragraphs):
    page = ContentPage.objects.filter(locale=home.locale, slug=slug).first()
    if page is None:
        page = ContentPage(title=title[0], slug=slug, locale=home.locale)
        home.add_child(instance=page)
    changed = fields_update(
        page,
        {
            "title": title[0],
            "introduction": introduction[0],
            "body": _stream_json(_rich([fr for fr, _en in paragraphs])),
        },
    )
    page_publish(page, changed=changed)
    strings = {slug: slugify(title[1]), title[0]: title[1], introduction[0]: introduction[1]}
    strings.update(dict(paragraphs))
    instance_translate(instance=page, language_code="en", strings=strings)
    return page


def _link(page, label=""):
    return {"type": "link", "value": {"label": label, "page": page.pk, "link_url": ""}}


# The main menu, in this order, among the home page's children (each app's demo creates its
# own section page; campaign/ finds them by slug and imports no app).
MENU_SLUGS = ["histoires", "gestes", "heure-civique", "kits", "la-campagne"]


def _ensure_navigation(fr, pages):
    home = Site.objects.get(is_default_site=True).root_page
    sections = {page.slug: page for page in home.get_children().live()}
    nav = Navigation.objects.filter(locale=fr).first() or Navigation(locale=fr)
    changed = fields_update(
        nav,
        {
            "name": "Navigation",
            "header_links": json.dumps(
                [_link(sections[slug]) for slug in MENU_SLUGS if slug in sections]
            ),
            "footer_text": FOOTER_TEXT[0],
            "footer_links": json.dumps(
                [
                    _link(pages[slug])
                    for slug in (
                        "la-campagne",
                        "mentions-legales",
                        "donnees-personnelles",
                        "accessibilite",
                    )
                ]
            ),
        },
    )
    if changed or nav.pk is None:
        nav.save()
    strings = {"Navigation": "Navigation", FOOTER_TEXT[0][3:-4]: FOOTER_TEXT[1][3:-4]}
    instance_translate(instance=nav, language_code="en", strings=strings)
    return nav


def _comparable(value):
    """A field value as compared by `fields_update`: StreamField data (a StreamValue or the
    JSON the loaders write) without the block ids Wagtail generates at each save."""
    if isinstance(value, StreamValue):
        value = value.get_prep_value()
    elif isinstance(value, str) and value.startswith("[{"):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, list) and all(isinstance(b, dict) and "type" in b for b in value):
        return [(block["type"], block.get("value")) for block in value]
    return value


def fields_update(instance, values):
    """Set the fields of `values` that differ on `instance`; return whether any did. The
    loaders save, publish and translate only what changed: a second load_demo writes no new
    revision, log entry or task."""
    changed = False
    for name, value in values.items():
        field = instance._meta.get_field(name)
        if field.many_to_one or field.one_to_one:
            # Compare keys: a page's specific instance is not equal to its base Page.
            current = getattr(instance, field.attname)
            wanted = getattr(value, field.target_field.attname) if value else None
        else:
            # As the field holds it: "2026-01-12" is the date it stores.
            current, wanted = getattr(instance, name), field.to_python(value)
        if _comparable(current) != _comparable(wanted):
            setattr(instance, name, value)
            changed = True
    return changed


def page_publish(page, *, changed=True):
    """Publish a new revision of `page` when its content changed or it is not live as it
    stands (a draft, unpublished changes). Returns whether it did."""
    if changed or not page.live or page.has_unpublished_changes:
        page.save_revision().publish()
        return True
    return False


def account_ensure(
    *, username, password, description, groups=(), superuser=False, first_name="", stdout=None
):
    """A demo account (staff, in `groups`), created with `password` the first time, then left
    as it is unless its flags or groups differ. Recorded for load_demo's closing list of
    accounts (with their passwords); named on `stdout` as the loader goes."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": f"{username}@tousvoisins.example",
            "first_name": first_name or username,
            "is_staff": True,
            "is_superuser": superuser,
        },
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    elif not user.is_staff or user.is_superuser != superuser:
        user.is_staff, user.is_superuser = True, superuser
        user.save(update_fields=["is_staff", "is_superuser"])
    wanted = Group.objects.filter(name__in=groups).exclude(user=user)
    if wanted:
        user.groups.add(*wanted)
    ACCOUNTS_CREATED.append((description, username, password))
    if stdout:
        stdout.write(f"  Compte de démo {username} : {description}")
    return user


def accounts_list_write(stdout, admin_url):
    """The closing list of load_demo: every demo account and what it is for."""
    stdout.write(f"Comptes de démonstration ({admin_url}) :")
    width = max((len(username) for _d, username, _p in ACCOUNTS_CREATED), default=0)
    for description, username, password in ACCOUNTS_CREATED:
        stdout.write(f"  {username.ljust(width)}  mot de passe {password}  – {description}")


def _ensure_accounts(stdout=None):
    for username, password, superuser, groups, description in DEMO_ACCOUNTS:
        account_ensure(
            username=username,
            password=password,
            description=description,
            groups=groups,
            superuser=superuser,
            stdout=stdout,
        )


@transaction.atomic
def load(stdout=None):
    """Locales (English synchronised from French), the demo accounts. Runs first."""
    _ensure_locales()
    _ensure_accounts(stdout)


@transaction.atomic
def load_navigation(stdout=None):
    """The menu and footer, once every app has created its section page. Runs last."""
    site = Site.objects.get(is_default_site=True)
    home = site.root_page
    pages = {page.slug: page for page in ContentPage.objects.child_of(home)}
    return _ensure_navigation(home.locale, pages)


@transaction.atomic
def load_pages(stdout=None):
    """The generic pages under the site's home page, the navigation and the settings.
    Runs after home.demo, which creates the home page."""
    site = Site.objects.get(is_default_site=True)
    home = site.root_page
    pages = {
        slug: _ensure_content_page(home, slug, title, intro, paragraphs)
        for slug, title, intro, paragraphs in PAGES
    }
    CampaignSettings.for_site(site).save()
    return pages
