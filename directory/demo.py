"""Demo content of the directory: eight actors of the demo communes (those of kits/demo.py
ENGAGEMENTS), published and checked, one of them serving Melun's intercommunality and one a
whole department; and five help points (a weekly digital permanence at Melun's médiathèque, a
weekly sign-up desk at the mairie of Annecy, the France services bus going round the Melun
agglomeration, a public writer in Lille, a first-steps workshop in Brest). Their text is the
actors' own, in French, as an actor would write it; the addresses, emails and websites are
made up (example.org: nothing is ever sent to them). Idempotent: each actor and help point is
found again by its slug; its communes, area and needs are set to the same values on every
load, and a help point's dates replaced when they differ. The dates are counted from the day
of the load, so that they are upcoming whenever the demo is loaded."""

import datetime

from django.db import transaction
from django.utils import timezone

from campaign.geography.models import Commune, Department, Intercommunality

from .models import Actor, HelpPoint, HelpPointDate

# Melun's intercommunality as `import_communes` loads it from the shipped data file (same
# SIREN, name and slug, campaign/geography/services.py): created only on a database whose
# communes came without it (a test's few rows), and Melun linked to it if it has none.
MELUN_AGGLOMERATION = {
    "code": "247700057",
    "name": "CA Melun Val de Seine",
    "slug": "ca-melun-val-de-seine-247700057",
    "kind": Intercommunality.Kind.CA,
}
CHECKED_ON = datetime.date(2026, 11, 2)

ACTORS = [
    {
        "slug": "ccas-de-melun",
        "name": "CCAS de Melun",
        "kind": Actor.Kind.CCAS,
        "communes": ["77288"],
        "needs": ["aines", "courses-services"],
        "description": (
            "Le centre communal d'action sociale vous accompagne dans vos démarches : aides "
            "au logement, portage de repas à domicile, téléassistance pour les personnes "
            "âgées. Vous pouvez aussi nous signaler un voisin isolé."
        ),
        "address": "12 rue de l'Exemple",
        "postcode": "77000",
        "email": "ccas@melun.example.org",
        "phone": "01 64 00 00 10",
        "website": "https://ccas.melun.example.org",
        "opening_hours": "Du lundi au vendredi, de 8 h 30 à 12 h et de 13 h 30 à 17 h.",
        "step_free_access": True,
        "hearing_loop": True,
        "languages": "français, anglais",
    },
    {
        "slug": "france-services-melun-val-de-seine",
        "name": "France services de l'agglomération melunaise",
        "kind": Actor.Kind.FRANCE_SERVICES,
        "intercommunality": True,
        "needs": ["entraide-numerique"],
        "description": (
            "Un seul lieu pour vos démarches administratives : impôts, retraite, CAF, "
            "carte grise. Nos conseillers vous aident à remplir vos dossiers en ligne, sur "
            "place ou par téléphone. Gratuit et sans rendez-vous le matin."
        ),
        "address": "3 place de la Démonstration",
        "postcode": "77000",
        "email": "france-services@agglo.example.org",
        "phone": "01 64 00 00 20",
        "opening_hours": "Du lundi au samedi, de 9 h à 12 h ; l'après-midi sur rendez-vous.",
        "step_free_access": True,
        "languages": "français, arabe, portugais",
        "hosts_help_point": True,
    },
    {
        "slug": "mediatheque-de-brest-mediation-numerique",
        "name": "Médiathèque de Brest – espace de médiation numérique",
        "kind": Actor.Kind.LIBRARY,
        "communes": ["29019"],
        "needs": ["entraide-numerique", "lien-social"],
        "description": (
            "Ateliers gratuits pour apprendre à se servir d'un ordinateur, d'une tablette ou "
            "d'un téléphone, créer une adresse électronique, faire ses démarches en ligne. "
            "Des ordinateurs et une imprimante sont à votre disposition."
        ),
        "address": "8 rue de la Bibliothèque",
        "postcode": "29200",
        "email": "mediation@mediatheque-brest.example.org",
        "phone": "02 98 00 00 30",
        "website": "https://mediatheque-brest.example.org",
        "opening_hours": "Mardi, mercredi et samedi, de 10 h à 18 h.",
        "step_free_access": True,
        "hearing_loop": True,
        "accessibility_notes": "Postes adaptés aux personnes malvoyantes.",
        "languages": "français, breton, anglais",
        "hosts_help_point": True,
    },
    {
        "slug": "maison-de-quartier-de-bellevue-brest",
        "name": "Maison de quartier de Bellevue",
        "kind": Actor.Kind.NEIGHBOURHOOD_HOUSE,
        "communes": ["29019"],
        "needs": ["lien-social", "enfance-education"],
        "description": (
            "Café des voisins le samedi matin, aide aux devoirs pour les enfants du primaire, "
            "repair café une fois par mois. Venez proposer une activité : la maison est à "
            "vous."
        ),
        "address": "5 place du Voisinage",
        "postcode": "29200",
        "email": "accueil@mdq-bellevue.example.org",
        "phone": "02 98 00 00 40",
        "opening_hours": "Du mardi au samedi, de 14 h à 19 h.",
        "step_free_access": True,
        "languages": "français",
    },
    {
        "slug": "visiteurs-benevoles-du-finistere",
        "name": "Réseau des visiteurs bénévoles du Finistère",
        "kind": Actor.Kind.ASSOCIATION,
        "departments": ["29"],
        "needs": ["aines", "veille-secours"],
        "description": (
            "Nos bénévoles rendent visite chaque semaine aux personnes âgées isolées, chez "
            "elles ou en établissement, et les appellent pendant les vagues de chaleur. "
            "Vous avez une heure par semaine ? Rejoignez-nous."
        ),
        "address": "1 rue des Exemples",
        "postcode": "29000",
        "email": "contact@visiteurs29.example.org",
        "website": "https://visiteurs29.example.org",
        "languages": "français, breton",
    },
    {
        "slug": "epicerie-solidaire-d-annecy",
        "name": "Épicerie solidaire d'Annecy",
        "kind": Actor.Kind.ASSOCIATION,
        "communes": ["74010"],
        "needs": ["courses-services"],
        "description": (
            "Des produits frais et d'hygiène à petit prix pour les familles orientées par "
            "les travailleurs sociaux. Nous cherchons des bénévoles pour l'accueil et la "
            "collecte du samedi."
        ),
        "address": "24 avenue de la Démonstration",
        "postcode": "74000",
        "email": "epicerie@annecy-solidaire.example.org",
        "phone": "04 50 00 00 50",
        "opening_hours": "Mardi et vendredi, de 14 h à 18 h.",
        "step_free_access": True,
        "languages": "français, italien",
    },
    {
        "slug": "centre-social-de-fives-lille",
        "name": "Centre social de Fives",
        "kind": Actor.Kind.SOCIAL_CENTRE,
        "communes": ["59350"],
        "needs": ["lien-social", "enfance-education", "entraide-numerique"],
        "description": (
            "Accueil des familles, cours de français, sorties, permanence d'écrivain public "
            "le jeudi. Un point d'entraide vous aide à remplir vos formulaires et à créer vos "
            "comptes en ligne."
        ),
        "address": "40 rue de l'Entraide",
        "postcode": "59000",
        "email": "accueil@cs-fives.example.org",
        "phone": "03 20 00 00 60",
        "website": "https://cs-fives.example.org",
        "opening_hours": "Du lundi au vendredi, de 9 h à 12 h et de 14 h à 18 h.",
        "step_free_access": True,
        "hearing_loop": True,
        "languages": "français, arabe, anglais, langue des signes française",
        "hosts_help_point": True,
    },
    {
        "slug": "collectif-des-voisins-du-moulin-vert-quimper",
        "name": "Collectif des voisins du Moulin Vert",
        "kind": Actor.Kind.COLLECTIVE,
        "communes": ["29232"],
        "needs": ["lien-social", "veille-secours", "reparation-partage"],
        "description": (
            "Des habitants qui s'entraident : prêt d'outils, covoiturage pour les courses, "
            "veille auprès des voisins seuls pendant l'hiver. Nous nous retrouvons le "
            "premier dimanche du mois au jardin partagé."
        ),
        "address": "Jardin partagé, allée de l'Exemple",
        "postcode": "29000",
        "email": "voisins-moulin-vert@example.org",
        "languages": "français",
    },
]


# Weekly permanences run for about six months from the load; the bus's dates are in its first
# two weeks. `weekday` is 0 for Monday; `week` counts weeks from the first such day on or
# after the load.
WEEKS_AHEAD = 26
HELP_POINTS = [
    {
        "slug": "permanence-numerique-mediatheque-de-melun",
        "name": "Permanence numérique de la médiathèque",
        "kind": HelpPoint.Kind.FIXED,
        "actor": "france-services-melun-val-de-seine",
        "commune": "77288",
        "place": "Médiathèque de Melun, espace multimédia (rez-de-chaussée)",
        "address": "6 allée de la Lecture, 77000 Melun",
        "helps_with_forms": True,
        "digital_mediation": True,
        "other_help": "Impression et scan de vos documents",
        "description": (
            "Un conseiller France services vous aide, sans rendez-vous, à faire vos démarches "
            "en ligne, à créer votre adresse électronique ou à vous servir de votre téléphone. "
            "Venez avec vos papiers et, si vous en avez, vos identifiants. C'est gratuit."
        ),
        "phone": "01 64 00 00 21",
        "step_free_access": True,
        "dates": [{"weekday": 1, "starts_at": (14, 0), "ends_at": (17, 0), "weekly": True}],
    },
    {
        "slug": "inscription-heure-civique-mairie-d-annecy",
        "name": "Inscription à l'heure civique à la mairie",
        "kind": HelpPoint.Kind.FIXED,
        "actor": None,
        "commune": "74010",
        "place": "Mairie d'Annecy, hall d'accueil",
        "address": "Esplanade de l'Exemple, 74000 Annecy",
        "helps_sign_up": True,
        "description": (
            "Un agent de la mairie vous présente les actions solidaires près de chez vous et, "
            "si vous le souhaitez, vous inscrit à l'heure civique, même sans adresse "
            "électronique : vous recevez alors la confirmation par courrier."
        ),
        "phone": "04 50 00 00 51",
        "step_free_access": True,
        "dates": [{"weekday": 2, "starts_at": (9, 30), "ends_at": (12, 0), "weekly": True}],
    },
    {
        "slug": "bus-france-services-agglomeration-melunaise",
        "name": "Le bus France services",
        "kind": HelpPoint.Kind.ITINERANT,
        "actor": "france-services-melun-val-de-seine",
        "commune": "77288",
        "helps_with_forms": True,
        "digital_mediation": True,
        "other_help": "Impôts, retraite, CAF, carte grise",
        "description": (
            "Le bus s'arrête près de chez vous avec deux conseillers, des ordinateurs et une "
            "imprimante. Apportez vos papiers ; si vous n'avez pas encore de compte en ligne, "
            "on le crée avec vous. Une rampe permet d'y monter en fauteuil."
        ),
        "phone": "01 64 00 00 22",
        "step_free_access": True,
        "dates": [
            {
                "weekday": 0,
                "starts_at": (9, 0),
                "ends_at": (12, 0),
                "commune": "77288",
                "place": "Place de la Démonstration, devant la gare",
            },
            {
                "weekday": 2,
                "starts_at": (14, 0),
                "ends_at": (17, 0),
                "commune": "77487",
                "place": "Parking de la salle des fêtes",
            },
            {
                "weekday": 4,
                "starts_at": (9, 0),
                "ends_at": (12, 0),
                "commune": "77152",
                "place": "Place du marché",
            },
            {
                "weekday": 1,
                "week": 1,
                "starts_at": (14, 0),
                "ends_at": (17, 0),
                "commune": "77285",
                "place": "Devant le centre commercial de l'Exemple",
            },
        ],
    },
    {
        "slug": "ecrivain-public-centre-social-de-fives",
        "name": "Écrivain public et aide aux démarches",
        "kind": HelpPoint.Kind.FIXED,
        "actor": "centre-social-de-fives-lille",
        "commune": "59350",
        "place": "Centre social de Fives, salle 2",
        "address": "40 rue de l'Entraide, 59000 Lille",
        "helps_with_forms": True,
        "other_help": "Lecture et rédaction de courriers",
        "description": (
            "Une bénévole vous aide à lire un courrier, à écrire une lettre ou à remplir un "
            "dossier (CAF, logement, santé). Sans rendez-vous : apportez vos papiers."
        ),
        "phone": "03 20 00 00 61",
        "step_free_access": True,
        "dates": [{"weekday": 3, "starts_at": (14, 0), "ends_at": (16, 30), "weekly": True}],
    },
    {
        "slug": "premiers-pas-numeriques-mediatheque-de-brest",
        "name": "Premiers pas numériques",
        "kind": HelpPoint.Kind.FIXED,
        "actor": "mediatheque-de-brest-mediation-numerique",
        "commune": "29019",
        "place": "Médiathèque, espace multimédia",
        "address": "8 rue de la Bibliothèque, 29200 Brest",
        "digital_mediation": True,
        "description": (
            "Un atelier en petit groupe pour apprendre à se servir d'une tablette ou d'un "
            "téléphone : envoyer un message, appeler en vidéo ses petits-enfants, trouver un "
            "horaire de bus. On vous prête le matériel ; il n'y a pas de question bête."
        ),
        "phone": "02 98 00 00 31",
        "step_free_access": True,
        "dates": [{"weekday": 5, "starts_at": (10, 0), "ends_at": (12, 0), "weekly": True}],
    },
]


# What a row does not say is set back to the model's default on every load.
POINT_DEFAULTS = {
    "place": "",
    "address": "",
    "helps_with_forms": False,
    "helps_sign_up": False,
    "digital_mediation": False,
    "other_help": "",
    "description": "",
    "phone": "",
    "step_free_access": False,
}


def _dates(row, *, today, communes):
    """The rows of a demo help point's dates as (field values), counted from `today`;
    those in a commune not imported are left out."""
    values = []
    for index, spec in enumerate(row["dates"]):
        code = spec.get("commune")
        if code and code not in communes:
            continue
        day = today + datetime.timedelta(
            days=(spec["weekday"] - today.weekday()) % 7, weeks=spec.get("week", 0)
        )
        values.append(
            {
                "date": day,
                "starts_at": datetime.time(*spec["starts_at"]),
                "ends_at": datetime.time(*spec["ends_at"]),
                "repeat_until": (
                    day + datetime.timedelta(weeks=WEEKS_AHEAD) if spec.get("weekly") else None
                ),
                "commune_id": code or None,
                "place": spec.get("place", ""),
                # Stable across loads: a calendar that subscribed updates its events.
                "uid": f"demo-{row['slug']}-{index}",
            }
        )
    return values


def load_help_points(*, today=None):
    """The demo's help points, published, with their dates counted from `today`. Returns
    how many were loaded (those of communes not imported are left out)."""
    today = today or timezone.localdate()
    rows = HELP_POINTS
    codes = {row["commune"] for row in rows} | {
        spec["commune"] for row in rows for spec in row["dates"] if spec.get("commune")
    }
    communes = Commune.objects.in_bulk(list(codes), field_name="insee_code")
    actors = Actor.objects.in_bulk(
        [row["actor"] for row in rows if row["actor"]], field_name="slug"
    )
    loaded = 0
    fields = ["date", "starts_at", "ends_at", "repeat_until", "commune_id", "place", "uid"]
    for row in rows:
        if row["commune"] not in communes:
            continue
        values = {**POINT_DEFAULTS}
        values.update(
            (name, value)
            for name, value in row.items()
            if name not in ("slug", "actor", "commune", "dates")
        )
        values.update(
            actor=actors.get(row["actor"]), commune=communes[row["commune"]], published=True
        )
        point = HelpPoint.objects.filter(slug=row["slug"]).first()
        if point is None:
            point = HelpPoint.objects.create(slug=row["slug"], **values)
        elif any(getattr(point, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(point, name, value)
            point.save()
        wanted = _dates(row, today=today, communes=communes)
        current = list(point.dates.order_by("uid").values(*fields))
        if current != sorted(wanted, key=lambda d: d["uid"]):
            point.dates.all().delete()
            for date_values in wanted:
                HelpPointDate.objects.create(help_point=point, **date_values)
        loaded += 1
    return loaded


def _melun_agglomeration(communes):
    """The demo's intercommunality, and Melun's link to it when it has none."""
    agglomeration = Intercommunality.objects.filter(code=MELUN_AGGLOMERATION["code"]).first()
    if agglomeration is None:
        agglomeration = Intercommunality.objects.create(**MELUN_AGGLOMERATION)
    melun = communes.get("77288")
    if melun is not None and melun.intercommunality_id is None:
        Commune.objects.filter(pk=melun.pk).update(intercommunality=agglomeration)
    return agglomeration


@transaction.atomic
def load(stdout=None):
    """The demo actors, published. Runs after gestures.demo (their categories) and the
    communes' import (actors of communes not imported are left out)."""
    from gestures.models import GestureCategory

    codes = {code for row in ACTORS for code in row.get("communes", [])} | {"77288"}
    communes = Commune.objects.in_bulk(list(codes), field_name="insee_code")
    departments = Department.objects.in_bulk(
        [code for row in ACTORS for code in row.get("departments", [])], field_name="code"
    )
    categories = {c.slug: c for c in GestureCategory.objects.filter(locale__language_code="fr")}
    agglomeration = _melun_agglomeration(communes) if "77288" in communes else None
    loaded = 0
    for row in ACTORS:
        row = dict(row)
        served = [communes[c] for c in row.pop("communes", []) if c in communes]
        areas = [departments[c] for c in row.pop("departments", []) if c in departments]
        intercommunalities = [agglomeration] if row.pop("intercommunality", False) else []
        intercommunalities = [i for i in intercommunalities if i is not None]
        needs = [categories[s] for s in row.pop("needs", []) if s in categories]
        if not (served or areas or intercommunalities):
            continue  # the communes were not imported
        slug = row.pop("slug")
        actor = Actor.objects.filter(slug=slug).first()
        values = {**row, "status": Actor.Status.PUBLISHED, "last_checked_at": CHECKED_ON}
        if actor is None:
            actor = Actor.objects.create(slug=slug, **values)
        elif any(getattr(actor, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(actor, name, value)
            actor.save()
        actor.communes.set(served)
        actor.departments.set(areas)
        actor.intercommunalities.set(intercommunalities)
        actor.categories.set(needs)
        loaded += 1
    help_points = load_help_points()
    if stdout:
        stdout.write(f"Annuaire : {loaded} acteurs publiés, {help_points} points d'entraide.\n")
    return loaded
