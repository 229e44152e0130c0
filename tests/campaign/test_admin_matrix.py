"""Every admin URL against the volunteers' permission matrix.

The URL list is read from Django's resolver: every pattern under /admin/ (Wagtail's core,
snippets, choosers, bulk actions, reports, APIs, wagtail-localize and our own views), so a
view added later is walked without anyone writing a line here. Each pattern's arguments are
filled with real objects: the pks of the volunteers the user may NOT see, app labels and model
names, every registered bulk action; each URL is asked plainly, then with `?q=` (a hidden
volunteer's name) and `?id=` (the hidden volunteers' pks), and listings with `?export=`.

Four users walk it, with volunteers of two communes in the database (shared with the mairie
or not, confirmed or pending) and a help request in each:
- a mairie user of commune A (Melun), who may see A's confirmed volunteers who agreed to be
  shared with their mairie, and nobody else, except the first name of A's assisted sign-ups
  awaiting confirmation, whose letter they may print again (volunteers/admin_views.py); not
  being a referent, they see no help request at all;
- the help requests' referent of commune A, who may see A's requests with their person's
  contact, the first name and initial of the volunteers they may propose them to, and the
  contact of the volunteer who accepted one (helprequests/admin_views.py), and nothing of
  commune B: neither its requests nor its volunteers nor its referent;
- a "Communication" staff user and a "Contributeurs mairie" user, who may see no volunteer
  (volunteers.models.VolunteerQuerySet.visible_to: no view permission, not a mairie user) and
  no help request.

No response may be a server error, and no response body may hold the name or email of a
volunteer the user may not see, nor (for those not entitled to them) the proposer of a
nomination, the contact of an engaged commune, or a help request's person. Posting to the
bulk actions deletes nothing, and posting to the help requests' actions (propose, cancel,
close) changes nothing of commune B's request."""

import io
import re
import zipfile
from urllib.parse import urlencode

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

import pytest

from campaign.geography.models import Commune, Department, Region
from directory.models import Actor, HelpPoint
from helprequests.models import (
    REFERENT_GROUP,
    AccessRecord,
    HelpProposal,
    HelpRequest,
    Referent,
)
from kits.models import EngagedCommune
from mailings.models import Delivery, Mailing
from network.models import MeetingRegistration
from stories.models import Nomination
from tests.utils import make_commune
from volunteers.factories import MairieAccessFactory, VolunteerFactory
from volunteers.models import AssistedSignup, Volunteer
from volunteers.models.access import MAIRIE_GROUP_NAME

pytestmark = pytest.mark.django_db

# Patterns the walk does not request, each with its reason. A pattern that cannot be filled
# and is not listed here fails the test: whoever adds it decides.
NOT_WALKED = {
    "wagtailadmin_error_test": "Wagtail's /admin/failwhale/ raises on purpose (tests the 500 page)",
}

# Argument values that are not objects.
PLAIN_VALUES = {
    "uidb64": ["MQ"],
    "token": ["set-password"],
    "mode": ["default"],
    "filter_spec": ["original"],
    "revision_id_a": ["earliest"],
    "revision_id_b": ["latest"],
    "action_name": ["approve"],
    "action": ["approve"],
    "session_id": ["1"],
    "uploaded_file_id": ["1"],
}

# Integer arguments named after the object they designate (when the namespace does not say).
PAGE_ARGUMENTS = {"page_id", "parent_page_id", "page_to_move_id", "destination_id", "page_pk"}

APP_MODEL_ARGUMENTS = [
    ("app_label", "model_name"),
    ("app_name", "model_name"),
    ("content_type_app_name", "content_type_model_name"),
]


@pytest.fixture
def world(home_page):
    """Two communes and their volunteers; names no admin page could hold by chance."""
    idf = Region.objects.create(code="11", name="Île-de-France", slug="ile-de-france")
    bretagne = Region.objects.create(code="53", name="Bretagne", slug="bretagne")
    d77 = Department.objects.create(code="77", name="Seine-et-Marne", slug="77", region=idf)
    d29 = Department.objects.create(code="29", name="Finistère", slug="29", region=bretagne)
    melun = make_commune("77288", "Melun", d77)
    brest = make_commune("29019", "Brest", d29)

    def person(key, commune, *, consent, status=Volunteer.Status.CONFIRMED):
        return VolunteerFactory(
            commune=commune,
            consent_mairie=consent,
            status=status,
            first_name=f"Prenom{key}",
            last_name=f"Nomfamille{key}",
            email=f"courriel-{key.lower()}@exemple-matrice.org",
        )

    people = {
        "a_shared": person("Ashared", melun, consent=True),
        "a_not_shared": person("Anotshared", melun, consent=False),
        "a_pending": person("Apending", melun, consent=True, status=Volunteer.Status.PENDING),
        "b_shared": person("Bshared", brest, consent=True),
        "b_not_shared": person("Bnotshared", brest, consent=False),
        "b_pending": person("Bpending", brest, consent=True, status=Volunteer.Status.PENDING),
        "a_assisted": person("Aassisted", melun, consent=False, status=Volunteer.Status.PENDING),
    }
    # Assisted sign-ups awaiting confirmation, whose letter may be printed again: A's by A's
    # mairie user (who sees its first name), B's by nobody but staff granted it.
    assisted = {
        key: AssistedSignup.objects.create(
            volunteer=people[key], method="in_person", channel="letter", letter_code_hash="0" * 64
        )
        for key in ("a_assisted", "b_pending")
    }
    # Other people's data a mairie user may not read either: a nomination and an engaged
    # commune's contact, both of commune B.
    from stories.factories import NominationFactory

    NominationFactory(
        commune=brest,
        hero_first_name="HerosSecret",
        proposer_name="ProposeurSecret",
        proposer_email="proposeur-secret@exemple-matrice.org",
    )
    EngagedCommune.objects.create(
        commune=brest,
        contact_name="ContactSecret",
        role="Maire",
        email="contact-secret@exemple-matrice.org",
    )
    # A directory actor of commune B only, and one of both communes (which the mairie user
    # of A may see).
    from directory.factories import ActorFactory

    ActorFactory(
        name="ActeurSecretBrest", communes=[brest], proposer_email="acteur@exemple-matrice.org"
    )
    ActorFactory(name="ActeurPartageMelunBrest", communes=[melun, brest])
    # Help points: one of commune B only (created first: the walk asks for the first pk of
    # each snippet model), and one held in B with a date in A (which A's mairie user sees).
    from directory.factories import HelpPointDateFactory, HelpPointFactory

    HelpPointDateFactory(help_point=HelpPointFactory(name="PointSecretBrest", commune=brest))
    HelpPointDateFactory(
        help_point=HelpPointFactory(name="PointPartageMelunBrest", commune=brest), commune=melun
    )
    # A registration to a meeting of the officials' network: staff with the permission only,
    # never a mairie user (network/wagtail_hooks.py), not Communication nor contributors.
    from network.factories import (
        MeetingPageFactory,
        MeetingRegistrationFactory,
        NetworkIndexPageFactory,
    )

    index = NetworkIndexPageFactory(parent=home_page, locale=home_page.locale)
    MeetingRegistrationFactory(
        meeting=MeetingPageFactory(parent=index),
        name="InscritSecret",
        email="inscrit-secret@exemple-matrice.org",
        commune="Brest",
        role="RoleSecret",
    )
    mailing = Mailing.objects.create(subject="Matrice", body="Bonjour", language="fr")
    for volunteer in people.values():
        Delivery.objects.create(mailing=mailing, volunteer=volunteer)
    help_requests = _help_requests(melun, brest, people)
    return {
        "melun": melun,
        "brest": brest,
        "people": people,
        "mailing": mailing,
        "assisted": assisted,
        "help_requests": help_requests,
    }


def _help_requests(melun, brest, people):
    """A help request of commune B (created first: a stranger tries the lowest numbers),
    looking for a volunteer again after one declined, whose candidate would be B's shared
    volunteer; one of A accepted by A's shared volunteer, and one of A looking for someone.
    B's referent and a line of the access log, written by a staff member."""
    from helprequests.factories import HelpProposalFactory, HelpRequestFactory

    Volunteer.objects.filter(pk__in=[people["a_shared"].pk, people["b_shared"].pk]).update(
        consent_help_requests=True, availability=["weekday"]
    )
    for key in ("a_shared", "b_shared"):
        people[key].interests.create(slug="courses-services")
    b = HelpRequestFactory(
        commune=brest,
        status=HelpRequest.Status.SEARCHING,
        first_name="DemandeSecretBrest",
        phone="06 98 76 54 32",
        email="demande-secret@exemple-matrice.org",
        requester_name="DemandeurSecretBrest",
        requester_email="demandeur-secret@exemple-matrice.org",
        when_details="QuandSecretBrest",
        details="DetailSecretBrest",
        asked_by=HelpRequest.AskedBy.NEIGHBOUR,
    )
    b_proposal = HelpProposalFactory(
        request=b, volunteer=people["b_not_shared"], status=HelpProposal.Status.DECLINED
    )
    a = HelpRequestFactory(
        commune=melun,
        status=HelpRequest.Status.ACCEPTED,
        volunteer=people["a_shared"],
        first_name="DemandeSecretMelun",
        phone="06 98 76 54 31",
        email="demande-melun@exemple-matrice.org",
    )
    HelpProposalFactory(
        request=a, volunteer=people["a_shared"], status=HelpProposal.Status.ACCEPTED
    )
    a_searching = HelpRequestFactory(
        commune=melun, first_name="DemandeSecretMelunDeux", availability=["weekday"]
    )
    referent_b = get_user_model().objects.create_user(
        username="ReferentSecretBrest", password="x", email="referent-secret@exemple-matrice.org"
    )
    referent_b.groups.add(Group.objects.get(name=REFERENT_GROUP))
    Referent.objects.create(user=referent_b, commune=brest)
    staff = get_user_model().objects.create_user(username="EquipeSecrete", password="x")
    AccessRecord.objects.create(
        user=staff,
        action=AccessRecord.Action.VIEW_VOLUNTEER,
        request=b,
        volunteer=people["b_shared"],
        commune=brest,
    )
    return {"b": b, "b_proposal": b_proposal, "a": a, "a_searching": a_searching}


def _moderation_groups(home_page):
    from stories.factories import StoryIndexPageFactory
    from stories.services import moderation_setup

    index = StoryIndexPageFactory(parent=home_page, locale=home_page.locale)
    return moderation_setup(index=index)


def _user(username, group_name):
    user = get_user_model().objects.create_user(username=username, password="x")
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def mairie_user(world):
    user = _user("mairie-melun", MAIRIE_GROUP_NAME)
    MairieAccessFactory(user=user, commune=world["melun"])
    return user


@pytest.fixture
def referent_user(world):
    """The help requests' referent of commune A (helprequests/models.py), in their group."""
    user = _user("referent-melun", REFERENT_GROUP)
    Referent.objects.create(user=user, commune=world["melun"])
    return user


# ---------------------------------------------------------------------------------------
# The resolver, walked


def admin_patterns():
    """(route, name, argument names) of every URL pattern under /admin/."""

    def walk(patterns, prefix, namespace, arguments):
        for entry in patterns:
            names = set(arguments)
            if isinstance(entry.pattern, RoutePattern):
                names |= set(entry.pattern.converters)
            else:
                names |= set(entry.pattern.regex.groupindex)
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                yield from walk(entry.url_patterns, route, inner, names)
            elif isinstance(entry, URLPattern):
                name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
                yield route, name, sorted(names)

    return [
        pattern
        for pattern in walk(get_resolver().url_patterns, "", None, set())
        if pattern[0].startswith("admin/")
    ]


def _namespace_model(name):
    """The model a snippet or chooser namespace is about, if it says."""
    match = re.match(r"wagtailsnippet(?:s|choosers)_([a-z0-9_]+?)_([a-z0-9]+):", name or "")
    if match:
        try:
            return apps.get_model(match[1], match[2])
        except LookupError:
            return None
    return None


class Filler:
    """Values for each argument of a pattern: objects of the database, hidden volunteers
    first."""

    def __init__(self, world, home_page):
        people = world["people"]
        order = ["b_shared", "b_not_shared", "b_pending", "a_not_shared", "a_pending"]
        self.hidden_pks = [str(people[k].pk) for k in order]
        self.all_volunteer_pks = [str(v.pk) for v in people.values()]
        self.home_page = home_page
        self.mailing = world["mailing"]
        # Another commune's sign-up first, as a stranger would try it, then the user's own.
        self.assisted_pks = [str(world["assisted"][k].pk) for k in ("b_pending", "a_assisted")]
        # The same for help requests: commune B's, then A's (accepted, and looking).
        requests = world["help_requests"]
        self.help_request_pks = [str(requests[k].pk) for k in ("b", "a", "a_searching")]

    def pks_for(self, model):
        if model is Volunteer:
            return self.all_volunteer_pks
        if model is not None:
            first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
            if first is not None:
                return [str(first), self.hidden_pks[0]]
        return self.hidden_pks[:1]

    def app_models(self, name):
        pairs = [("volunteers", "volunteer")]
        if name and name.startswith("wagtailadmin_pages:"):
            pairs.append(("home", "homepage"))
        if name and name.startswith("wagtailsettings:"):
            from wagtail.contrib.settings.registry import registry

            pairs += [(m._meta.app_label, m._meta.model_name) for m in registry]
        if name and name.startswith("wagtailadmin_workflows:"):
            pairs.append(("wagtailcore", "groupapprovaltask"))
        if name == "wagtailadmin_tag_model_autocomplete":
            pairs.append(("wagtailimages", "image"))
        return pairs

    def candidates(self, name, argument):
        """Values for one argument, or None when the walk does not know how to fill it."""
        if argument in PLAIN_VALUES:
            return PLAIN_VALUES[argument]
        model = _namespace_model(name)
        if argument in ("pk", "object_id") and model is not None:
            return self.pks_for(model)
        if argument in PAGE_ARGUMENTS:
            return [str(self.home_page.pk)]
        if argument == "revision_id":
            return [str(self.home_page.latest_revision_id or 1)]
        if name and name.startswith("wagtailsnippets_mailings_mailing:"):
            return [str(self.mailing.pk)]
        if name and name.startswith("assisted_signup:") and argument == "pk":
            return self.assisted_pks
        if name and name.startswith("helprequests_admin:") and argument == "pk":
            return self.help_request_pks
        if argument in (
            "pk",
            "object_id",
            "image_id",
            "document_id",
            "doc_id",
            "collection_id",
            "redirect_id",
            "query_id",
            "task_id",
            "task_state_id",
            "workflow_pk",
            "workflow_state_id",
            "translation_id",
            "translation_source_id",
            "string_segment_id",
            "overridable_segment_id",
        ):
            # Designates an object the walk has none of: a hidden volunteer's pk, as a
            # stranger would try it.
            return self.hidden_pks[:1]
        return None

    def fills(self, name, arguments):
        """Keyword sets for one pattern: the first value of each argument, then each other
        value of one argument at a time (bounded, not the whole product). None when an
        argument cannot be filled."""
        arguments = list(arguments)
        pairs = []
        for app_arg, model_arg in APP_MODEL_ARGUMENTS:
            if app_arg in arguments and model_arg in arguments:
                pairs = self.app_models(name)
                arguments.remove(app_arg)
                arguments.remove(model_arg)
                break
        if "action" in arguments and name == "wagtail_bulk_action":
            return "bulk"
        values = {}
        for argument in arguments:
            found = self.candidates(name, argument)
            if found is None:
                return None
            values[argument] = found
        base = {argument: found[0] for argument, found in values.items()}
        fills = []
        for app_label, model_name in pairs or [(None, None)]:
            extra = {}
            if app_label:
                extra = {app_arg: app_label, model_arg: model_name}
                model = apps.get_model(app_label, model_name)
                for argument in ("pk", "object_id"):
                    if argument in values:
                        values[argument] = self.pks_for(model)
                        base[argument] = values[argument][0]
            fills.append({**base, **extra})
            for argument, found in values.items():
                for value in found[1:]:
                    fills.append({**base, **extra, argument: value})
        return fills


def _build(route, name, kwargs):
    if name:
        return reverse(name, kwargs=kwargs)
    # Unnamed patterns: Wagtail's test404 and the admin's catch-all 404.
    if route == "admin/^.*/$":
        return "/admin/rien-ici/"
    assert not kwargs, route
    return "/" + route


def bulk_actions():
    from wagtail.admin.views.bulk_action.registry import bulk_action_registry

    bulk_action_registry._scan_for_bulk_actions()
    return [
        (app_label, model_name, action)
        for app_label, models in sorted(bulk_action_registry.actions.items())
        for model_name, actions in sorted(models.items())
        for action in sorted(actions)
    ]


def planned_requests(filler):
    """Every (pattern, url) to ask, and the patterns that could not be filled."""
    plan, unfillable, walked = [], [], set()
    for route, name, arguments in admin_patterns():
        if name in NOT_WALKED:
            continue
        key = (route, name)
        fills = filler.fills(name, arguments)
        if fills is None:
            unfillable.append(key)
            continue
        walked.add(key)
        if fills == "bulk":
            for app_label, model_name, action in bulk_actions():
                url = reverse(
                    "wagtail_bulk_action",
                    kwargs={"app_label": app_label, "model_name": model_name, "action": action},
                )
                plan.append((key, url))
            continue
        for kwargs in fills:
            plan.append((key, _build(route, name, kwargs)))
    return plan, unfillable, walked


def _text_of(response):
    """The response's text, whatever its form: streamed, or an XLSX workbook (a zip)."""
    if response.streaming:
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    if body[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                body = b"".join(archive.read(member) for member in archive.namelist())
        except zipfile.BadZipFile:
            pass
    return body.decode("utf-8", errors="replace").lower()


NOMINATION = ["herossecret", "proposeursecret", "proposeur-secret@exemple-matrice.org"]
ENGAGED_CONTACT = ["contactsecret", "contact-secret@exemple-matrice.org"]
# A directory actor serving commune B only, and its proposer (whom nobody sees in the admin).
ACTOR_OF_B = ["acteursecretbrest", "acteur@exemple-matrice.org"]
# A help point of commune B only.
HELP_POINT_OF_B = ["pointsecretbrest"]
REGISTRATION = ["inscritsecret", "inscrit-secret@exemple-matrice.org", "rolesecret"]
# An assisted sign-up of A awaiting confirmation: its first name only, never the rest.
ASSISTED_OF_A = ["nomfamilleaassisted", "courriel-aassisted@exemple-matrice.org"]
# Help requests: B's person and who asked for them, A's person (whom A's referent sees), and
# what only staff see: B's referent, the staff member who read B's request.
REQUEST_OF_B = [
    "demandesecretbrest",
    "06 98 76 54 32",
    "demande-secret@exemple-matrice.org",
    "demandeursecretbrest",
    "demandeur-secret@exemple-matrice.org",
    "quandsecretbrest",
    "detailsecretbrest",
]
REQUESTS_OF_A = ["demandesecretmelun", "06 98 76 54 31", "demande-melun@exemple-matrice.org"]
HELP_STAFF_ONLY = ["referentsecretbrest", "referent-secret@exemple-matrice.org", "equipesecrete"]


def _forbidden_strings(people, hidden_keys, others=()):
    strings = {value: value for value in others}
    for key in hidden_keys:
        volunteer = people[key]
        for value in (volunteer.first_name, volunteer.last_name, volunteer.email):
            strings[value.lower()] = key
    return strings


def walk(client, user, world, home_page, *, hidden_keys, others=()):
    """GET every planned URL plainly, with ?q= and ?id=, and listings with ?export=. Returns
    the number of patterns walked, the requests made, the failures and the bodies seen."""
    filler = Filler(world, home_page)
    plan, unfillable, walked = planned_requests(filler)
    assert not unfillable, (
        "admin URL patterns the matrix test cannot fill: teach Filler their arguments, or "
        f"list them in NOT_WALKED with a reason: {unfillable}"
    )
    people = world["people"]
    forbidden = _forbidden_strings(people, hidden_keys, others)
    hidden_pks = [people[k].pk for k in hidden_keys]
    # The start of a hidden name: it finds the person, and its echo in a search box is not
    # taken for a leak.
    query = urlencode(
        [("q", people["b_shared"].first_name[:-3])] + [("id", pk) for pk in hidden_pks]
    )
    client.raise_request_exception = False
    client.force_login(user)
    failures, texts, requests = [], [], 0
    for (_route, name), url in plan:
        variants = [url, f"{url}?{query}"]
        if name == "wagtail_bulk_action":
            variants.append(f"{url}?id=all")
        if name == "wagtail_bulk_action" or "chosen_multiple" in (name or ""):
            # Ids no model has: a word, a number beyond 64 bits, the page tree's root.
            variants.append(f"{url}?id=x&id=1")
            variants.append(f"{url}?id=99999999999999999999")
        if name and name.endswith((":list", ":index")):
            variants += [f"{url}?export=csv", f"{url}?export=xlsx"]
        for address in variants:
            response = client.get(address)
            requests += 1
            if name == "wagtailadmin_logout" or "_auth_user_id" not in client.session:
                client.force_login(user)
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {address}")
                continue
            text = _text_of(response)
            texts.append(text)
            leaked = sorted({key for value, key in forbidden.items() if value in text})
            if leaked:
                failures.append(f"{address} shows {', '.join(leaked)}")
    return len(walked), requests, failures, texts


def _post_bulk_actions(client, user, world):
    people = world["people"]
    hidden = [v.pk for k, v in people.items()]
    before = {
        model: model._default_manager.count()
        for model in (
            Volunteer,
            Mailing,
            Delivery,
            Commune,
            Nomination,
            EngagedCommune,
            MeetingRegistration,
            Actor,
            HelpPoint,
            HelpRequest,
            HelpProposal,
            Referent,
            AccessRecord,
        )
    }
    client.raise_request_exception = False
    client.force_login(user)
    statuses = []
    for app_label, model_name, action in bulk_actions():
        url = reverse(
            "wagtail_bulk_action",
            kwargs={"app_label": app_label, "model_name": model_name, "action": action},
        )
        model = apps.get_model(app_label, model_name)
        if model is Volunteer:
            ids = hidden
        elif model is HelpPoint:
            # A's mairie user may delete A's help points: B's only is posted.
            ids = [HelpPoint.objects.get(name="PointSecretBrest").pk]
        else:
            ids = ["all"]
        response = client.post(f"{url}?{urlencode([('id', i) for i in ids])}", {})
        statuses.append((url, response.status_code))
        assert response.status_code < 500, url
    after = {model: model._default_manager.count() for model in before}
    assert after == before
    return statuses


HIDDEN_FROM_MAIRIE = ["a_not_shared", "a_pending", "b_shared", "b_not_shared", "b_pending"]
EVERYONE = ["a_shared", "a_assisted", *HIDDEN_FROM_MAIRIE]
# A's referent may see A's shared volunteer (a candidate, and who accepted A's request), never
# its last name; none of the others (not proposable, or of commune B).
HIDDEN_FROM_REFERENT = ["a_not_shared", "a_pending", "a_assisted", *HIDDEN_FROM_MAIRIE[2:]]


def _report(kind, patterns, requests, failures):
    print(f"\nadmin matrix, {kind}: {patterns} URL patterns walked, {requests} requests")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:80])


def test_a_mairie_user_sees_only_its_communes_shared_volunteers_at_every_admin_url(
    client, world, home_page, mairie_user
):
    patterns, requests, failures, texts = walk(
        client,
        mairie_user,
        world,
        home_page,
        hidden_keys=HIDDEN_FROM_MAIRIE,
        others=NOMINATION
        + ENGAGED_CONTACT
        + ACTOR_OF_B
        + HELP_POINT_OF_B
        + REGISTRATION
        + ASSISTED_OF_A
        + REQUEST_OF_B
        + REQUESTS_OF_A
        + HELP_STAFF_ONLY,
    )
    # The walk does see what the user may see: the detector is not blind.
    allowed = world["people"]["a_shared"].email.lower()
    assert any(allowed in text for text in texts)
    # The new letter's page of A's assisted sign-up was reached (B's answered 404).
    assert any("une nouvelle lettre pour prenomaassisted" in text for text in texts)
    assert any("acteurpartagemelunbrest" in text for text in texts)
    assert any("pointpartagemelunbrest" in text for text in texts)
    _report("mairie user", patterns, requests, failures)


def test_a_referent_sees_only_its_communes_help_requests_at_every_admin_url(
    client, world, home_page, referent_user
):
    people = world["people"]
    patterns, requests, failures, texts = walk(
        client,
        referent_user,
        world,
        home_page,
        hidden_keys=HIDDEN_FROM_REFERENT,
        others=REQUEST_OF_B
        + HELP_STAFF_ONLY
        + [people["a_shared"].last_name.lower()]
        + NOMINATION
        + ENGAGED_CONTACT
        + ACTOR_OF_B
        + HELP_POINT_OF_B
        + REGISTRATION,
    )
    # The walk does see what the referent may see: their request's person, the contact of
    # the volunteer who accepted it, and a candidate's first name and initial.
    assert any("demandesecretmelun" in text and "06 98 76 54 31" in text for text in texts)
    assert any(people["a_shared"].email.lower() in text for text in texts)
    assert any("prenomashared n." in text for text in texts)
    _report("referent", patterns, requests, failures)


def test_communication_staff_see_no_volunteer_at_any_admin_url(client, world, home_page):
    _moderation_groups(home_page)
    user = _user("communication", "Communication")
    patterns, requests, failures, _texts = walk(
        client,
        user,
        world,
        home_page,
        hidden_keys=EVERYONE,
        others=ENGAGED_CONTACT + REGISTRATION + REQUEST_OF_B + REQUESTS_OF_A + HELP_STAFF_ONLY,
    )
    _report("Communication", patterns, requests, failures)


def test_mairie_contributors_see_no_volunteer_at_any_admin_url(client, world, home_page):
    _moderation_groups(home_page)
    user = _user("contributeur-melun", "Contributeurs mairie")
    patterns, requests, failures, _texts = walk(
        client,
        user,
        world,
        home_page,
        hidden_keys=EVERYONE,
        others=NOMINATION
        + ENGAGED_CONTACT
        + REGISTRATION
        + REQUEST_OF_B
        + REQUESTS_OF_A
        + HELP_STAFF_ONLY,
    )
    _report("Contributeurs mairie", patterns, requests, failures)


WALKERS = ["mairie", "referent", "Communication", "Contributeurs mairie"]


def _walker(kind, home_page, mairie_user, referent_user):
    if kind == "mairie":
        return mairie_user
    if kind == "referent":
        return referent_user
    _moderation_groups(home_page)
    return _user(f"user-{kind}", kind)


@pytest.mark.parametrize("kind", WALKERS)
def test_posting_every_bulk_action_deletes_nothing(
    client, world, home_page, mairie_user, referent_user, kind
):
    user = _walker(kind, home_page, mairie_user, referent_user)
    statuses = _post_bulk_actions(client, user, world)
    assert statuses


def _help_requests_state():
    return (
        list(HelpRequest.objects.order_by("pk").values_list("pk", "status", "closed_reason")),
        list(HelpProposal.objects.order_by("pk").values_list("pk", "status", "volunteer_id")),
    )


def _post_help_request_actions(client, user, world):
    """POST every address of the help requests' admin: with commune B's request in the
    address, and with A's looking one for the two actions whose body names another row (a
    volunteer to propose, a proposal to cancel), the body naming B's volunteer and B's
    proposal. Returns (address, status) after redirects."""
    requests = world["help_requests"]
    people = world["people"]
    b_volunteer = people["b_shared"]
    body = {
        "volunteer": b_volunteer.pk,
        "proposal": requests["b_proposal"].pk,
        "reason": "fake",
        "any_interest": "1",
        "any_time": "1",
    }
    forbidden = REQUEST_OF_B + [b_volunteer.first_name.lower(), b_volunteer.email.lower()]
    client.raise_request_exception = False
    client.force_login(user)
    statuses = []
    for _route, name, arguments in admin_patterns():
        if not (name or "").startswith("helprequests_admin:"):
            continue
        pks = [None]
        if "pk" in arguments:
            pks = [requests["b"].pk]
            if name.endswith((":propose", ":cancel_proposal")):
                pks.append(requests["a_searching"].pk)
        for pk in pks:
            address = reverse(name, kwargs={"pk": pk} if pk else {})
            response = client.post(address, body, follow=True)
            assert response.status_code < 500, address
            text = _text_of(response)
            leaked = [value for value in forbidden if value in text]
            assert not leaked, f"{address} shows {leaked}"
            statuses.append((name, address, response.status_code))
    return statuses


@pytest.mark.parametrize("kind", WALKERS)
def test_posting_the_help_requests_actions_changes_nothing_of_commune_b(
    client, world, home_page, mairie_user, referent_user, kind
):
    """Propose B's volunteer, cancel B's proposal, close B's request, by every address of the
    help requests' admin: nothing changes, and A's referent is answered 404 for B's request
    (and refused B's volunteer for A's request)."""
    user = _walker(kind, home_page, mairie_user, referent_user)
    before = _help_requests_state()
    statuses = _post_help_request_actions(client, user, world)
    assert _help_requests_state() == before
    b_pk = world["help_requests"]["b"].pk
    actions = ("helprequests_admin:propose", "helprequests_admin:cancel_proposal")
    actions += ("helprequests_admin:close",)
    of_b = {name: status for name, address, status in statuses if f"/{b_pk}/" in address}
    assert set(actions) < set(of_b)
    if kind == "referent":
        # The actions find no such request; the pages that only answer GET refuse a POST.
        assert {of_b[name] for name in actions} == {404}
        assert set(of_b.values()) <= {404, 405}
    else:
        # Not allowed to handle requests at all: refused before any request is looked up.
        assert set(of_b.values()) <= {200, 403}


def test_every_unfillable_pattern_is_listed_with_a_reason(world, home_page):
    """A new admin URL whose arguments the walk cannot fill fails here, and a reason in
    NOT_WALKED that no longer matches a pattern is removed."""
    filler = Filler(world, home_page)
    _plan, unfillable, walked = planned_requests(filler)
    assert unfillable == []
    names = {name for _route, name, _arguments in admin_patterns()}
    assert set(NOT_WALKED) <= names
    assert len(walked) > 300
    assert all(reason for reason in NOT_WALKED.values())


@pytest.mark.parametrize(
    "address",
    [
        "/admin/snippets/choose/stories/storytheme/chosen-multiple/",
        "/admin/snippets/choose/volunteers/volunteer/chosen-multiple/",
        "/admin/images/chooser/chosen-multiple/",
        "/admin/documents/chooser/chosen-multiple/",
        "/admin/choose-page/chosen-multiple/",
        "/admin/bulk/stories/storytheme/delete/",
        "/admin/bulk/wagtailcore/page/delete/",
        "/admin/bulk/wagtailimages/image/delete/",
    ],
)
@pytest.mark.parametrize("ids", [["x"], ["99999999999999999999"], ["1", "1.5"]])
def test_ids_no_model_has_answer_400_not_500(client, home_page, address, ids):
    """Wagtail passed each `id` to filter(pk__in=…): a word answered 500."""
    user = get_user_model().objects.create_superuser("chef", "chef@example.org", "x")
    client.force_login(user)
    client.raise_request_exception = False
    response = client.get(address, {"id": ids})
    assert response.status_code == 400


def test_the_page_chooser_ignores_the_tree_root(client, home_page):
    user = get_user_model().objects.create_superuser("chef", "chef@example.org", "x")
    client.force_login(user)
    client.raise_request_exception = False
    response = client.get("/admin/choose-page/chosen-multiple/", {"id": [1, home_page.pk]})
    assert response.status_code == 200
    assert [page["id"] for page in response.json()["result"]] == [home_page.pk]


@pytest.mark.parametrize(
    "model", ["stories/nomination", "kits/engagedcommune", "volunteers/mairieaccess"]
)
def test_private_snippet_choosers_need_a_permission_on_the_model(client, world, mairie_user, model):
    client.force_login(mairie_user)
    for suffix in ("", "results/", "chosen-multiple/?id=1"):
        response = client.get(f"/admin/snippets/choose/{model}/{suffix}")
        assert response.status_code == 403 or response["Location"] == reverse("wagtailadmin_home")
        assert b"Secret" not in response.content


def test_communication_staff_choose_nominations_and_everyone_chooses_communes(
    client, world, home_page, mairie_user
):
    _moderation_groups(home_page)
    client.force_login(_user("communication", "Communication"))
    response = client.get("/admin/snippets/choose/stories/nomination/")
    assert response.status_code == 200 and b"HerosSecret" in response.content
    client.force_login(mairie_user)
    response = client.get("/admin/snippets/choose/geography/commune/results/", {"q": "Brest"})
    assert response.status_code == 200 and b"Brest" in response.content
