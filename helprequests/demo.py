"""Demo content of the help requests ("un coup de main"): two referents (the mairie of Melun,
and the Centre social de Fives named by the mairie of Lille), a staff account for the communes
without a referent, five volunteers of Melun, Lille and Annecy who agreed to be proposed
requests, and eight requests in every state, so that the hours figure of the home and commune
pages is not zero.

Every person is fictitious: "(démo)" in the volunteers' last names, example.org and
exemple.fr addresses, 06 00 00 00 0x phone numbers. Rows are written directly, never
through services: loading the demo sends no email and queues no task.

Idempotent: accounts by username, referents by user and commune, volunteers by address,
requests by their demo phone number; a request found is left as it is (someone may have
moved it along in the admin). A request anonymised three months after closing has lost its
number: a later load_demo adds it again, as a new request."""

import datetime

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone, translation

from campaign.demo import account_ensure, fields_update
from campaign.geography.models import Commune
from campaign.purge import purge_everything_on_commit
from volunteers.models import ConsentRecord, Volunteer, email_hash

from .models import (
    REFERENT_GROUP,
    STAFF_GROUP,
    AccessRecord,
    HelpProposal,
    HelpRequest,
    Referent,
)

MELUN, LILLE, ANNECY = "77288", "59350", "74010"

# (username, password, group, first name, [(commune, organisation)], description)
ACCOUNTS = [
    (
        "referente-melun",
        "referente-demo-melun",
        REFERENT_GROUP,
        "Sophie (mairie de Melun)",
        [(MELUN, "")],
        "référente coups de main de la mairie de Melun : voit et traite les demandes de "
        "Melun, et elles seules",
    ),
    (
        "centre-social-fives",
        "fives-demo-lille",
        REFERENT_GROUP,
        "Centre social de Fives",
        [(LILLE, "Centre social de Fives")],
        "référent coups de main pour Lille, association nommée par la mairie : voit et "
        "traite les demandes de Lille",
    ),
    (
        "equipe-coups-de-main",
        "coups-de-main-demo",
        STAFF_GROUP,
        "Équipe coups de main",
        [],
        "équipe de la campagne : demandes des communes sans référent, nomination des "
        "référents, journal des accès",
    ),
]

# (first name, last name, address, commune, interests, availability)
VOLUNTEERS = [
    (
        "Nadia",
        "Haddad (démo)",
        "nadia.haddad.demo@example.org",
        MELUN,
        ["courses-services", "aines"],
        ["weekday", "evening"],
    ),
    (
        "Pierre",
        "Garnier (démo)",
        "pierre.garnier.demo@example.org",
        MELUN,
        ["entraide-numerique", "lien-social"],
        ["evening", "weekend"],
    ),
    (
        "Amina",
        "Diallo (démo)",
        "amina.diallo.demo@example.org",
        LILLE,
        ["lien-social", "aines"],
        ["weekday"],
    ),
    (
        "Julien",
        "Lefebvre (démo)",
        "julien.lefebvre.demo@example.org",
        LILLE,
        ["courses-services", "reparation-partage"],
        ["weekend", "evening"],
    ),
    (
        "Claire",
        "Mollard (démo)",
        "claire.mollard.demo@example.org",
        ANNECY,
        ["entraide-numerique", "accueil"],
        ["weekday", "weekend"],
    ),
]

S = HelpRequest.Status
A = HelpRequest.AskedBy
P = HelpProposal.Status

# Each request: its phone (the demo key), where and what, who asks, and how far it went.
# "days" is how long ago it was made; "volunteer" the address of who was proposed it;
# "proposal" that proposal's answer.
REQUESTS = [
    {
        "phone": "06 00 00 00 01",
        "commune": MELUN,
        "category": "courses-services",
        "first_name": "Simone",
        "email": "",
        "asked_by": A.SELF,
        "when": "Le jeudi, en fin de matinée",
        "details": "Porter les courses au 4e étage sans ascenseur, le jeudi.",
        "availability": ["weekday"],
        "days": 40,
        "status": S.DONE,
        "volunteer": "nadia.haddad.demo@example.org",
        "proposal": P.ACCEPTED,
        "minutes": 90,
    },
    {
        "phone": "06 00 00 00 02",
        "commune": MELUN,
        "category": "entraide-numerique",
        "first_name": "Marcel",
        "email": "marcel.demo@exemple.fr",
        "asked_by": A.RELATIVE,
        "requester_name": "Sylvie, sa fille (démo)",
        "requester_email": "sylvie.demo@exemple.fr",
        "when": "Un soir de la semaine",
        "details": "Aide pour prendre rendez-vous en ligne à la CAF : mon père n'a pas "
        "d'ordinateur et je travaille loin.",
        "availability": ["evening"],
        "days": 30,
        "status": S.DONE,
        "volunteer": "pierre.garnier.demo@example.org",
        "proposal": P.ACCEPTED,
        "minutes": 75,
    },
    {
        "phone": "06 00 00 00 03",
        "commune": LILLE,
        "category": "lien-social",
        "first_name": "Yvonne",
        "email": "",
        "asked_by": A.NEIGHBOUR,
        "requester_name": "Rachid, son voisin du 2e (démo)",
        "requester_email": "rachid.demo@exemple.fr",
        "when": "En semaine, l'après-midi",
        "details": "Une visite à ma voisine de 88 ans qui ne sort plus depuis sa chute. Elle "
        "aime parler de son jardin d'autrefois.",
        "availability": ["weekday"],
        "days": 25,
        "status": S.DONE,
        "volunteer": "amina.diallo.demo@example.org",
        "proposal": P.ACCEPTED,
        "minutes": 120,
    },
    {
        "phone": "06 00 00 00 04",
        "commune": MELUN,
        "category": "courses-services",
        "first_name": "Gérard",
        "email": "",
        "asked_by": A.MAIRIE,
        "source": HelpRequest.Source.ADMIN,
        "created_by": "referente-melun",
        "when": "Mardi prochain, rendez-vous à 14 h",
        "details": "Un trajet jusqu'à l'hôpital de Melun pour une consultation, et le retour.",
        "availability": ["weekday"],
        "days": 3,
        "status": S.PROPOSED,
        "volunteer": "nadia.haddad.demo@example.org",
        "proposal": P.PENDING,
    },
    {
        "phone": "06 00 00 00 05",
        "commune": ANNECY,
        "category": "entraide-numerique",
        "first_name": "Odette",
        "email": "odette.demo@exemple.fr",
        "asked_by": A.SELF,
        "when": "Le matin, n'importe quel jour",
        "details": "Déclarer mes revenus en ligne : je n'ai jamais fait ça seule.",
        "availability": ["weekday", "weekend"],
        "days": 1,
        "status": S.NEW,
    },
    {
        "phone": "06 00 00 00 06",
        "commune": LILLE,
        "category": "reparation-partage",
        "first_name": "Fatima",
        "email": "fatima.demo@exemple.fr",
        "asked_by": A.SELF,
        "when": "Samedi matin",
        "details": "Changer l'ampoule du plafonnier de la cuisine : je ne peux plus monter "
        "sur un escabeau.",
        "availability": ["weekend"],
        "days": 6,
        "status": S.ACCEPTED,
        "volunteer": "julien.lefebvre.demo@example.org",
        "proposal": P.ACCEPTED,
    },
    {
        "phone": "06 00 00 00 07",
        "commune": LILLE,
        "category": "aines",
        "first_name": "Lucien",
        "email": "",
        "asked_by": A.PROFESSIONAL,
        "requester_name": "Mme Roger, assistante sociale (démo)",
        "requester_email": "assistante.sociale.demo@exemple.fr",
        "when": "Une fois par semaine",
        "details": "Lire et trier le courrier avec lui : il voit mal et les lettres s'accumulent.",
        "availability": ["weekday"],
        "days": 9,
        "status": S.SEARCHING,
        "volunteer": "amina.diallo.demo@example.org",
        "proposal": P.DECLINED,
    },
    {
        "phone": "06 00 00 00 08",
        "commune": MELUN,
        "category": "aines",
        "first_name": "André",
        "email": "",
        "asked_by": A.RELATIVE,
        "requester_name": "Hélène, sa nièce (démo)",
        "requester_email": "helene.demo@exemple.fr",
        "when": "Le samedi après-midi",
        "details": "Tenir compagnie à mon oncle le samedi, le temps que sa femme fasse ses "
        "courses.",
        "availability": ["weekend"],
        "days": 20,
        "status": S.CLOSED,
        "closed_reason": HelpRequest.ClosedReason.SOLVED,
    },
]


def _ensure_accounts(communes, stdout):
    users = {}
    for username, password, group, first_name, referent_of, description in ACCOUNTS:
        user = account_ensure(
            username=username,
            password=password,
            description=description,
            groups=[group],
            first_name=first_name,
            stdout=stdout,
        )
        users[username] = user
        for code, organisation in referent_of:
            commune = communes.get(code)
            if commune is None:
                if stdout:
                    stdout.write(f"  Référent {username} : commune {code} absente, ignorée.")
                continue
            referent, created = Referent.objects.get_or_create(
                user=user, commune=commune, defaults={"organisation": organisation}
            )
            if not created and referent.organisation != organisation:
                referent.organisation = organisation
                referent.save(update_fields=["organisation"])
    return users


def _consent_wording():
    from volunteers.forms import CONSENT_HELP_REQUESTS_LABEL, CONSENT_WORDING_VERSION

    with translation.override("fr"):
        return CONSENT_WORDING_VERSION, str(CONSENT_HELP_REQUESTS_LABEL)


def _ensure_volunteers(communes, now):
    version, wording = _consent_wording()
    volunteers = {}
    for first, last, email, code, interests, availability in VOLUNTEERS:
        commune = communes.get(code)
        if commune is None:
            continue
        values = {
            "email_hash": email_hash(email),
            "first_name": first,
            "last_name": last,
            "commune": commune,
            "postcode": commune.postcodes.values_list("code", flat=True).first() or "",
            "status": Volunteer.Status.CONFIRMED,
            "consent_emails": True,
            "consent_help_requests": True,
            "help_paused": False,
            "availability": availability,
        }
        volunteer = Volunteer.objects.filter(email=email).first()
        if volunteer is None:
            volunteer = Volunteer.objects.create(email=email, confirmed_at=now, **values)
        elif fields_update(volunteer, values):
            volunteer.save()
        for slug in interests:
            volunteer.interests.get_or_create(slug=slug)
        # The proof of the consent to be proposed requests, as the preference centre records it.
        if not volunteer.consents.filter(purpose=ConsentRecord.Purpose.HELP_REQUESTS).exists():
            ConsentRecord.objects.create(
                volunteer=volunteer,
                purpose=ConsentRecord.Purpose.HELP_REQUESTS,
                granted=True,
                wording_version=version,
                wording=wording,
                language="fr",
                source=ConsentRecord.Source.PREFERENCES,
                created_at=now - datetime.timedelta(days=60),
            )
        volunteers[email] = volunteer
    return volunteers


def _request_consent(asked_by):
    from .forms import CONSENT_BEHALF_LABEL, CONSENT_SELF_LABEL

    label = CONSENT_SELF_LABEL if asked_by in (A.SELF, A.MAIRIE) else CONSENT_BEHALF_LABEL
    with translation.override("fr"):
        return str(label)


def _create_request(data, *, commune, volunteers, users, now):
    """One demo request, its proposal and the access log's lines of its referent."""
    created_at = now - datetime.timedelta(days=data["days"])
    status = data["status"]
    volunteer = volunteers.get(data.get("volunteer"))
    answer = data.get("proposal")
    referent = users["equipe-coups-de-main"]
    if commune.insee_code == MELUN:
        referent = users["referente-melun"]
    elif commune.insee_code == LILLE:
        referent = users["centre-social-fives"]
    matched_at = created_at + datetime.timedelta(days=2) if answer == P.ACCEPTED else None
    done_at = created_at + datetime.timedelta(days=5) if status == S.DONE else None
    closed_at = done_at
    if status == S.CLOSED:
        closed_at = created_at + datetime.timedelta(days=4)
    help_request = HelpRequest.objects.create(
        commune=commune,
        category=data["category"],
        availability=data["availability"],
        when_details=data["when"],
        details=data["details"],
        first_name=data["first_name"],
        phone=data["phone"],
        email=data["email"],
        asked_by=data["asked_by"],
        requester_name=data.get("requester_name", ""),
        requester_email=data.get("requester_email", ""),
        consent_wording=_request_consent(data["asked_by"]),
        consent_at=created_at,
        language="fr",
        source=data.get("source", HelpRequest.Source.WEBSITE),
        created_by=users.get(data.get("created_by")),
        status=status,
        closed_reason=data.get("closed_reason", ""),
        volunteer=volunteer if answer == P.ACCEPTED else None,
        minutes=data.get("minutes"),
        created_at=created_at,
        status_changed_at=closed_at or matched_at or created_at,
        matched_at=matched_at,
        done_at=done_at,
        closed_at=closed_at,
    )
    AccessRecord.objects.create(
        user=referent,
        action=AccessRecord.Action.VIEW_REQUEST,
        request=help_request,
        commune=commune,
        at=created_at + datetime.timedelta(hours=3),
    )
    if volunteer is None or answer is None:
        return help_request
    proposed_at = created_at + datetime.timedelta(days=1)
    pending = answer == P.PENDING
    HelpProposal.objects.create(
        request=help_request,
        volunteer=volunteer,
        proposed_by=referent,
        status=answer,
        created_at=now - datetime.timedelta(hours=6) if pending else proposed_at,
        deadline=(now if pending else proposed_at) + datetime.timedelta(hours=48),
        answered_at=None if pending else matched_at or proposed_at + datetime.timedelta(hours=5),
    )
    AccessRecord.objects.create(
        user=referent,
        action=AccessRecord.Action.PROPOSE,
        request=help_request,
        volunteer=volunteer,
        commune=commune,
        at=now - datetime.timedelta(hours=6) if pending else proposed_at,
    )
    return help_request


def _ensure_requests(communes, volunteers, users, now):
    """The requests not there yet; returns how many were added."""
    have = set(
        HelpRequest.objects.filter(phone__in=[r["phone"] for r in REQUESTS]).values_list(
            "phone", flat=True
        )
    )
    added = 0
    for data in REQUESTS:
        commune = communes.get(data["commune"])
        if data["phone"] in have or commune is None:
            continue
        if data.get("volunteer") and data["volunteer"] not in volunteers:
            continue
        _create_request(data, commune=commune, volunteers=volunteers, users=users, now=now)
        added += 1
    return added


def _groups_exist():
    return Group.objects.filter(name__in=[REFERENT_GROUP, STAFF_GROUP]).count() == 2


@transaction.atomic
def load(stdout=None):
    """Runs after volunteers.demo and before mailings.demo (whose past mailing counts every
    demo volunteer): accounts, referents, volunteers who opted in, requests."""
    if not _groups_exist():  # helprequests/migrations/0002_groups.py makes them
        raise RuntimeError("Les groupes des coups de main manquent : lancez migrate.")
    now = timezone.now()
    codes = [MELUN, LILLE, ANNECY]
    communes = Commune.objects.in_bulk(codes, field_name="insee_code")
    users = _ensure_accounts(communes, stdout)
    volunteers = _ensure_volunteers(communes, now)
    if _ensure_requests(communes, volunteers, users, now):
        # The hours figure of the home and commune pages changed.
        purge_everything_on_commit()
