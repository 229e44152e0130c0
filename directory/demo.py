"""Demo content of the directory: eight actors of the demo communes (those of kits/demo.py
ENGAGEMENTS), published and checked, one of them serving Melun's intercommunality and one a
whole department. Their text is the actors' own, in French, as an actor would write it; the
addresses, emails and websites are made up (example.org: nothing is ever sent to them).
Idempotent: each actor is found again by its slug; its communes, area and needs are set to
the same values on every load."""

import datetime

from django.db import transaction

from campaign.geography.models import Commune, Department, Intercommunality

from .models import Actor

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
    if stdout:
        stdout.write(f"Annuaire : {loaded} acteurs publiés.\n")
    return loaded
