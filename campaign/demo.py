"""Demo content of the site-wide part: locales, the legal pages, navigation, settings
and the demo accounts. Idempotent: every object is found by a stable key before it is created."""

import json
import re

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
        # The accessibility statement, in the RGAA model's order (docs/ACCESSIBILITY.md says
        # how the checks it reports were made). No full RGAA audit has been made: the RGAA
        # then requires "non conforme", whatever automated checks find.
        "accessibilite",
        ("Accessibilité", "Accessibility"),
        (
            "Nous voulons que chacun puisse utiliser ce site, quels que soient son âge, son "
            "matériel et sa façon de naviguer. Voici où nous en sommes.",
            "We want everyone to be able to use this site, whatever their age, their device "
            "and the way they browse. Here is where we stand.",
        ),
        [
            (
                "Les mairies et les associations de la campagne Tous Voisins – Tous Solidaires "
                "s'engagent à rendre ce site accessible, conformément à l'article 47 de la loi "
                "n° 2005-102 du 11 février 2005. Cette déclaration d'accessibilité s'applique "
                "à tout le site, en français et en anglais.",
                "The town halls and associations of the Tous Voisins – Tous Solidaires campaign "
                "are committed to making this site accessible, in accordance with article 47 of "
                "French law no. 2005-102 of 11 February 2005. This accessibility statement "
                "applies to the whole site, in French and in English.",
            ),
            ("h2", "État de conformité", "Compliance status"),
            (
                "Ce site est non conforme au référentiel général d'amélioration de "
                "l'accessibilité (RGAA), version 4.1. Le RGAA impose cette mention tant "
                "qu'aucun audit complet n'a été réalisé, et c'est notre cas. Elle ne veut pas "
                "dire que le site est inutilisable : les contrôles décrits ci-dessous ne "
                "trouvent aucune erreur, mais ils ne remplacent pas un audit.",
                "This site is non-compliant with the French accessibility standard RGAA, "
                "version 4.1. The RGAA requires this wording as long as no full audit has been "
                "carried out, which is our case. It does not mean the site cannot be used: the "
                "checks described below find no error, but they do not replace an audit.",
            ),
            ("h2", "Ce que nous avons vérifié", "What we checked"),
            (
                "Le 5 décembre 2026, nous avons contrôlé le site dans le navigateur Chromium "
                "avec l'outil axe-core (version 4.12.1), selon les règles des WCAG 2.1, "
                "niveaux A et AA. Chaque type de page a été vérifié en français et en anglais, "
                "avec et sans JavaScript : l'accueil, les pages de contenu, les histoires, les "
                "gestes, les kits, l'affiche personnalisée, les communes engagées, "
                "l'inscription à l'heure civique et ses suites, la recherche et la page "
                "introuvable. Nous avons aussi envoyé chaque formulaire vide, pour vérifier "
                "ses messages d'erreur. Résultat : aucune erreur détectée.",
                "On 5 December 2026, we checked the site in the Chromium browser with the "
                "axe-core tool (version 4.12.1), against the WCAG 2.1 rules, levels A and AA. "
                "Every type of page was checked in French and in English, with and without "
                "JavaScript: the home page, the content pages, the stories, the gestures, the "
                "kits, the personalised poster, the committed towns, the civic hour sign-up "
                "and what follows it, the search and the page not found. We also sent every "
                "form empty, to check its error messages. Result: no error detected.",
            ),
            (
                "Nous avons aussi rempli et envoyé le formulaire d'inscription avec le clavier "
                "seul : à chaque étape, on voit clairement quel élément est sélectionné.",
                "We also filled in and sent the sign-up form with the keyboard alone: at every "
                "step, you can clearly see which element is selected.",
            ),
            (
                "Technologies utilisées : HTML, CSS, SVG et JavaScript. JavaScript est "
                "facultatif : tout fonctionne sans lui.",
                "Technologies used: HTML, CSS, SVG and JavaScript. JavaScript is optional: "
                "everything works without it.",
            ),
            ("h2", "Ce qui n'est pas encore vérifié", "What has not been checked yet"),
            (
                "Un outil automatique ne voit qu'une partie des problèmes. Nous n'avons pas "
                "encore testé le site avec un lecteur d'écran, ni avec un texte agrandi à "
                "200 %, ni avec des personnes en situation de handicap.",
                "An automatic tool only finds some of the problems. We have not yet tested the "
                "site with a screen reader, with text enlarged to 200%, or with people with "
                "disabilities.",
            ),
            (
                "Les documents PDF (le livret des 100 gestes, les affiches, les kits) n'ont "
                "pas été vérifiés : un lecteur d'écran les lit sans doute mal. Le contenu du "
                "livret se trouve aussi sur ce site, dans la rubrique des 100 gestes.",
                "The PDF documents (the 100 gestures booklet, the posters, the kits) have not "
                "been checked: a screen reader probably reads them poorly. The booklet's "
                "content is also on this site, in the 100 gestures section.",
            ),
            ("h2", "Nous signaler un problème", "Tell us about a problem"),
            (
                "Vous n'arrivez pas à utiliser une page ou un document ? Écrivez-nous à "
                '<a href="mailto:bonjour@tousvoisins.example">bonjour@tousvoisins.example</a>. '
                "Nous vous répondrons sous cinq jours ouvrés et nous vous donnerons "
                "l'information sous une autre forme : par e-mail, par téléphone ou sur papier.",
                "Cannot use a page or a document? Write to us at "
                '<a href="mailto:bonjour@tousvoisins.example">bonjour@tousvoisins.example</a>. '
                "We will answer within five working days and give you the information in "
                "another form: by email, by phone or on paper.",
            ),
            ("h2", "Voies de recours", "If our answer does not satisfy you"),
            (
                "Vous nous avez signalé un problème d'accessibilité et notre réponse ne vous "
                "satisfait pas ? Vous pouvez saisir le Défenseur des droits :",
                "You told us about an accessibility problem and our answer does not satisfy "
                "you? You can turn to the Défenseur des droits, the French rights defender:",
            ),
            (
                "ul",
                [
                    (
                        "en lui écrivant avec son "
                        '<a href="https://formulaire.defenseurdesdroits.fr/">'
                        "formulaire en ligne</a> ;",
                        "by writing to them with their "
                        '<a href="https://formulaire.defenseurdesdroits.fr/">online form</a>;',
                    ),
                    (
                        "en contactant le "
                        '<a href="https://www.defenseurdesdroits.fr/saisir/delegues">'
                        "délégué du Défenseur des droits</a> près de chez vous ;",
                        "by contacting the "
                        '<a href="https://www.defenseurdesdroits.fr/saisir/delegues">'
                        "Défenseur des droits delegate</a> near you;",
                    ),
                    (
                        "par courrier, gratuitement et sans timbre : Défenseur des droits, "
                        "Libre réponse 71120, 75342 Paris CEDEX 07.",
                        "by post, free of charge and without a stamp: Défenseur des droits, "
                        "Libre réponse 71120, 75342 Paris CEDEX 07, France.",
                    ),
                ],
            ),
        ],
    ),
]

# The RGAA asks for the conformity status on every page: the footer's link says it.
ACCESSIBILITY_LINK = ("Accessibilité : non conforme", "Accessibility: non-compliant")

FOOTER_TEXT = (
    "<p>Une campagne des mairies et de leurs partenaires associatifs.</p>",
    "<p>A campaign by town halls and their partner associations.</p>",
)


_LINK = re.compile(r"<a href=\"[^\"]*\">")


def _segment(html):
    """A text as wagtail-localize segments it: each link's address moved out, the link
    named a1, a2… in its place."""
    count = iter(range(1, 100))
    return _LINK.sub(lambda _match: f'<a id="a{next(count)}">', html)


def _body(items):
    """A content page's body in French, and the English of each of its texts. An item is a
    paragraph (fr, en), a heading ("h2", fr, en) or a list ("ul", [(fr, en), …])."""
    blocks, strings = [], {}
    for item in items:
        if item[0] == "h2":
            _kind, fr, en = item
            blocks.append(("heading", {"text": fr, "level": "h2"}))
            strings[fr] = en
        elif item[0] == "ul":
            entries = item[1]
            html = "".join(f"<li>{fr}</li>" for fr, _en in entries)
            blocks.append(("paragraph", f"<ul>{html}</ul>"))
            strings.update({_segment(fr): _segment(en) for fr, en in entries})
        else:
            fr, en = item
            blocks.append(("paragraph", f"<p>{fr}</p>"))
            strings[_segment(fr)] = _segment(en)
    return blocks, strings


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
    blocks, body_strings = _body(paragraphs)
    changed = fields_update(
        page,
        {
            "title": title[0],
            "introduction": introduction[0],
            "body": _stream_json(blocks),
        },
    )
    page_publish(page, changed=changed)
    strings = {slug: slugify(title[1]), title[0]: title[1], introduction[0]: introduction[1]}
    strings.update(body_strings)
    instance_translate(instance=page, language_code="en", strings=strings)
    return page


def _link(page, label=""):
    return {"type": "link", "value": {"label": label, "page": page.pk, "link_url": ""}}


# The main menu, in this order, among the home page's children (each app's demo creates its
# own section page; campaign/ finds them by slug and imports no app).
MENU_SLUGS = ["histoires", "gestes", "heure-civique", "kits", "reseau-des-elus", "la-campagne"]


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
                    for slug in ("la-campagne", "mentions-legales", "donnees-personnelles")
                ]
                + [_link(pages["accessibilite"], ACCESSIBILITY_LINK[0])]
            ),
        },
    )
    if changed or nav.pk is None:
        nav.save()
    strings = {
        "Navigation": "Navigation",
        FOOTER_TEXT[0][3:-4]: FOOTER_TEXT[1][3:-4],
        ACCESSIBILITY_LINK[0]: ACCESSIBILITY_LINK[1],
    }
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
