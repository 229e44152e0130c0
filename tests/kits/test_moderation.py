"""Engaged communes and posters are checked before they are public (issue 12): a declaration
is confirmed by a POST from the emailed page, then approved by staff (notified by email, with
a queue in the admin) before the commune is listed; a poster shows on its commune's page only
once staff approved it; staff withdraw either at any time; both forms are rate limited."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

import pytest

from kits import services
from kits.models import EngagedCommune, PersonalisedPoster

DECLARATION = {
    "commune": "77288",
    "contact_name": "Claire Martin",
    "role": "Adjointe à la solidarité",
    "email": "claire.martin@ville-melun.example",
}


@pytest.fixture
def moderator(db):
    """A member of Wagtail's Editors group (the migration gives it the moderation rights)."""
    user = get_user_model().objects.create_user(
        username="redaction", password="x", email="redaction@tousvoisins.example"
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def mairie_user(melun):
    from volunteers.factories import MairieAccessFactory
    from volunteers.models.access import MAIRIE_GROUP_NAME

    user = get_user_model().objects.create_user(
        username="mairie-melun", password="x", email="mairie@ville-melun.example"
    )
    user.groups.add(Group.objects.get(name=MAIRIE_GROUP_NAME))
    MairieAccessFactory(user=user, commune=melun)
    return user


def _declare(client, capture, **overrides):
    with capture(execute=True):
        return client.post(reverse("kits:engaged_form") + "?q=Melun", {**DECLARATION, **overrides})


def _link(message):
    return re.search(r"http://testserver(/communes-engagees/confirmer/[^/\s]+/)", message.body)[1]


def _public_places(client, melun):
    """Where an engaged commune shows: the list (with its count) and its own page."""
    listing = client.get(reverse("kits:engaged_communes")).content.decode()
    page = client.get(reverse("kits:engaged_commune", args=[melun.slug]))
    return {
        "listed": reverse("kits:engaged_commune", args=[melun.slug]) in listing,
        "counted": "1 commune s'est engagée" in listing,
        "page": page.status_code,
    }


HIDDEN = {"listed": False, "counted": False, "page": 404}
SHOWN = {"listed": True, "counted": True, "page": 200}


def _moderate(client, engagement, action):
    url = reverse("wagtailsnippets_kits_engagedcommune:moderate", args=[engagement.pk, action])
    return client.post(url)


def test_every_moderation_state_and_where_it_shows(
    client, melun, home_page, moderator, django_capture_on_commit_callbacks
):
    # Declared, address not confirmed: nowhere public, no staff email yet.
    assert _declare(client, django_capture_on_commit_callbacks).status_code == 302
    engagement = EngagedCommune.objects.get()
    assert engagement.status == EngagedCommune.Status.UNCONFIRMED
    assert _public_places(client, melun) == HIDDEN
    assert [m.to for m in mail.outbox] == [[DECLARATION["email"]]]
    link = _link(mail.outbox[0])

    # The emailed link opens a page with a button; opening it (as a mail scanner does)
    # changes nothing, however often.
    for _ in range(3):
        page = client.get(link)
        assert page.status_code == 200
        html = page.content.decode()
        assert 'method="post"' in html and "Je confirme l'engagement de Melun" in html
    engagement.refresh_from_db()
    assert engagement.status == EngagedCommune.Status.UNCONFIRMED
    assert engagement.confirmed_at is None
    assert len(mail.outbox) == 1

    # The POST from that page confirms the address: pending, staff notified, still hidden.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)
    assert response.status_code == 200
    assert "Notre équipe la vérifie" in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.status == EngagedCommune.Status.PENDING
    assert engagement.confirmed_at is not None
    assert _public_places(client, melun) == HIDDEN
    staff_email = mail.outbox[-1]
    assert staff_email.to == ["redaction@tousvoisins.example"]
    assert "Melun" in staff_email.subject
    assert "/admin/snippets/kits/engagedcommune/?status=pending" in staff_email.body
    assert DECLARATION["email"] not in staff_email.body  # the admin shows it, not the email
    # A second POST (a double click) changes nothing and notifies no one again.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link)
    assert len(mail.outbox) == 2

    # Staff approve it from the admin queue: listed everywhere.
    client.force_login(moderator)
    queue = client.get(reverse("wagtailsnippets_kits_engagedcommune:list") + "?status=pending")
    assert queue.status_code == 200
    approve_url = reverse(
        "wagtailsnippets_kits_engagedcommune:moderate", args=[engagement.pk, "approve"]
    )
    assert approve_url in queue.content.decode()
    assert client.get(approve_url).status_code == 200  # the confirmation page changes nothing
    engagement.refresh_from_db()
    assert engagement.status == EngagedCommune.Status.PENDING
    assert _moderate(client, engagement, "approve").status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == EngagedCommune.Status.APPROVED
    client.logout()
    assert _public_places(client, melun) == SHOWN
    # The declarer's page now says so.
    assert "Engagement publié" in client.get(link).content.decode()

    # Withdrawn: gone from every public place at once.
    client.force_login(moderator)
    assert _moderate(client, engagement, "withdraw").status_code == 302
    client.logout()
    engagement.refresh_from_db()
    assert engagement.status == EngagedCommune.Status.WITHDRAWN
    assert _public_places(client, melun) == HIDDEN
    # Confirming again from the old link does not bring it back.
    client.post(link)
    engagement.refresh_from_db()
    assert engagement.status == EngagedCommune.Status.WITHDRAWN
    assert _public_places(client, melun) == HIDDEN


def test_a_get_of_the_link_never_confirms(client, melun, db):
    engagement = EngagedCommune.objects.create(
        commune=melun, contact_name="A", role="Maire", email="a@example.org"
    )
    token = services.engaged_commune_confirmation_token(engagement=engagement)
    url = reverse("kits:engaged_confirm", args=[token])
    for method in (client.get, client.head):
        assert method(url).status_code == 200
    engagement.refresh_from_db()
    assert engagement.status == EngagedCommune.Status.UNCONFIRMED
    assert engagement.confirmed_at is None


def test_staff_cannot_approve_a_declaration_its_address_did_not_confirm(client, melun, moderator):
    engagement = EngagedCommune.objects.create(
        commune=melun, contact_name="A", role="Maire", email="a@example.org"
    )
    client.force_login(moderator)
    response = _moderate(client, engagement, "approve")
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == EngagedCommune.Status.UNCONFIRMED
    listing = client.get(reverse("wagtailsnippets_kits_engagedcommune:list")).content.decode()
    assert "pas confirmée par son adresse" in listing  # the message says why


def test_a_commune_is_listed_once(client, melun, moderator, home_page):
    first, second = (
        EngagedCommune.objects.create(
            commune=melun,
            contact_name=name,
            role="Maire",
            email=f"{name}@example.org",
            confirmed_at="2026-05-01T10:00:00Z",
            status=EngagedCommune.Status.PENDING,
        )
        for name in ("a", "b")
    )
    client.force_login(moderator)
    _moderate(client, first, "approve")
    _moderate(client, second, "approve")
    second.refresh_from_db()
    assert second.status == EngagedCommune.Status.PENDING
    assert EngagedCommune.objects.public().count() == 1


@pytest.mark.parametrize("who", ["mairie", "anonymous", "no_permission"])
def test_only_moderators_approve_or_withdraw(client, melun, who, mairie_user, home_page):
    engagement = EngagedCommune.objects.create(
        commune=melun,
        contact_name="A",
        role="Maire",
        email="a@example.org",
        confirmed_at="2026-05-01T10:00:00Z",
        status=EngagedCommune.Status.PENDING,
    )
    poster = PersonalisedPoster.objects.create(
        key="k" * 64,
        template=_template(),
        commune=melun,
        contact_line="Appelez le 06",
    )
    if who == "mairie":
        client.force_login(mairie_user)  # even the mairie of that very commune
    elif who == "no_permission":
        user = get_user_model().objects.create_user(username="editeur", password="x")
        user.user_permissions.add(
            Permission.objects.get(codename="access_admin"),
            Permission.objects.get(codename="view_engagedcommune"),
            Permission.objects.get(codename="view_personalisedposter"),
        )
        client.force_login(user)
    for name, obj in [("engagedcommune", engagement), ("personalisedposter", poster)]:
        for action in ("approve", "withdraw"):
            url = reverse(f"wagtailsnippets_kits_{name}:moderate", args=[obj.pk, action])
            for method in (client.get, client.post):
                response = method(url)
                # Refused: 403, or Wagtail's redirect to the login or the dashboard.
                assert response.status_code in (302, 403), (name, action)
                if response.status_code == 302:
                    location = response["Location"]
                    assert location.startswith("/admin/login/") or "/moderer/" not in location
    engagement.refresh_from_db()
    poster.refresh_from_db()
    assert engagement.status == EngagedCommune.Status.PENDING
    assert poster.status == PersonalisedPoster.Status.PENDING
    if who == "no_permission":
        listing = client.get(reverse("wagtailsnippets_kits_engagedcommune:list"))
        assert listing.status_code == 200
        assert "/moderer/" not in listing.content.decode()  # no button either


def _template():
    from kits.factories import PosterTemplateFactory

    return PosterTemplateFactory()


def _approved(melun):
    return EngagedCommune.objects.create(
        commune=melun,
        contact_name="Contact",
        role="Maire",
        email="mairie@example.org",
        confirmed_at="2026-05-01T10:00:00Z",
        status=EngagedCommune.Status.APPROVED,
    )


def test_poster_lines_show_only_once_staff_approved_the_poster(
    client, melun, home_page, poster_template, moderator
):
    # The poster maker gets their poster at once, for a commune not yet approved.
    response = client.post(
        reverse("kits:poster_form"),
        {
            "template": poster_template.pk,
            "commune": "77288",
            "contact_line": "Appelez Jean au 06 00 00 00 00",
            "event_line": "Grande fête samedi",
            "size": "A4",
            "variant": "couleur",
        },
    )
    assert response.status_code == 302
    poster = PersonalisedPoster.objects.get()
    assert poster.status == PersonalisedPoster.Status.PENDING
    result = client.get(response["Location"])
    assert result.status_code == 200
    assert "qu'après vérification par notre équipe" in result.content.decode()
    pdf = client.get(reverse("kits:poster_file", args=[poster.key, "A4", "couleur", "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"

    page_url = reverse("kits:engaged_commune", args=[melun.slug])
    png = f"/affiche-personnalisee/{poster.key}/A4-couleur.png"
    # The commune not approved: no page at all.
    assert client.get(page_url).status_code == 404
    engagement = _approved(melun)
    # The commune approved, the poster not: neither its image nor its lines.
    html = client.get(page_url).content.decode()
    assert png not in html and "Grande fête samedi" not in html
    assert "Pas encore d'affiche pour cette commune." in html

    client.force_login(moderator)
    queue = client.get(
        reverse("wagtailsnippets_kits_personalisedposter:list") + "?status=pending"
    ).content.decode()
    assert "Appelez Jean au 06 00 00 00 00" in queue  # staff read the lines they approve
    url = reverse("wagtailsnippets_kits_personalisedposter:moderate", args=[poster.pk, "approve"])
    assert client.post(url).status_code == 302
    client.logout()
    html = client.get(page_url).content.decode()
    assert png in html and "Grande fête samedi" in html and "1 affiche personnalisée" in html

    # Withdrawn: off the page; its maker keeps the files.
    client.force_login(moderator)
    url = reverse("wagtailsnippets_kits_personalisedposter:moderate", args=[poster.pk, "withdraw"])
    client.post(url)
    client.logout()
    html = client.get(page_url).content.decode()
    assert png not in html and "Grande fête samedi" not in html
    assert client.get(png).status_code == 200

    # The commune withdrawn: an approved poster goes with its page.
    poster.status = PersonalisedPoster.Status.APPROVED
    poster.save()
    services.engaged_commune_withdraw(engagement=engagement)
    assert client.get(page_url).status_code == 404


def test_the_engagement_form_is_rate_limited_per_address_and_per_email(
    client, melun, home_page, settings, django_capture_on_commit_callbacks
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "engagement": "3/3600"}
    settings.RATE_LIMITS["engagement_email"] = "2/86400"
    for _ in range(2):
        assert _declare(client, django_capture_on_commit_callbacks).status_code == 302
    # A third declaration for the same address: refused with a 429, nothing saved or sent.
    refused = _declare(client, django_capture_on_commit_callbacks)
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert "Nous vous avons écrit" not in refused.content.decode()
    assert EngagedCommune.objects.count() == 2
    assert len(mail.outbox) == 2
    # Another email from the same client address: the address's own limit refuses it.
    refused = _declare(client, django_capture_on_commit_callbacks, email="autre@example.org")
    assert refused.status_code == 429
    assert EngagedCommune.objects.count() == 2
    assert len(mail.outbox) == 2


def test_the_engagement_email_limit_holds_across_client_addresses(
    client, melun, home_page, settings, django_capture_on_commit_callbacks
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "engagement_email": "1/86400"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("kits:engaged_form"), DECLARATION, REMOTE_ADDR="192.0.2.1")
        second = client.post(
            reverse("kits:engaged_form"),
            {**DECLARATION, "email": DECLARATION["email"].upper()},
            REMOTE_ADDR="192.0.2.2",
        )
    assert (first.status_code, second.status_code) == (302, 429)
    assert EngagedCommune.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_poster_form_is_rate_limited(client, melun, home_page, poster_template, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "poster": "2/3600"}
    data = {
        "template": poster_template.pk,
        "commune": "77288",
        "contact_line": "Mairie de Melun",
        "size": "A4",
        "variant": "couleur",
    }
    for index in range(2):
        response = client.post(reverse("kits:poster_form"), {**data, "event_line": f"n{index}"})
        assert response.status_code == 302
    refused = client.post(reverse("kits:poster_form"), {**data, "event_line": "n3"})
    assert refused.status_code == 429
    assert PersonalisedPoster.objects.count() == 2


def test_the_migration_keeps_what_was_public_public(melun, poster_template, home_page):
    """Before moderation, a confirmed declaration was listed and its commune's posters shown:
    the data migration approves exactly those, and nothing else."""
    import importlib

    from django.apps import apps

    from kits.factories import CommuneFactory

    migration = importlib.import_module("kits.migrations.0003_moderation")
    other = CommuneFactory(insee_code="29232", name="Quimper")
    listed = EngagedCommune.objects.create(
        commune=melun,
        contact_name="A",
        role="Maire",
        email="a@example.org",
        confirmed_at="2026-05-01T10:00:00Z",
    )
    unconfirmed = EngagedCommune.objects.create(
        commune=other, contact_name="B", role="Maire", email="b@example.org"
    )
    shown, not_shown = (
        services.poster_create(
            template=poster_template,
            commune=commune,
            logo_hash="",
            contact_line="Mairie",
            event_line="",
        )
        for commune in (melun, other)
    )
    EngagedCommune.objects.update(status="unconfirmed")  # as the new column starts
    PersonalisedPoster.objects.update(status="pending")
    migration.keep_public_rows_public(apps, None)
    for row, status in [
        (listed, "approved"),
        (unconfirmed, "unconfirmed"),
        (shown, "approved"),
        (not_shown, "pending"),
    ]:
        row.refresh_from_db()
        assert row.status == status, row


def test_the_commune_page_keeps_a_bounded_number_of_queries(
    client,
    melun,
    home_page,
    poster_template,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    _approved(melun)
    url = reverse("kits:engaged_commune", args=[melun.slug])

    def poster(index):
        services.poster_approve(
            poster=services.poster_create(
                template=poster_template,
                commune=melun,
                logo_hash="",
                contact_line="Mairie de Melun",
                event_line=f"Rencontre n° {index}",
            )
        )

    poster(0)
    client.get(url)  # the first visitor makes the settings rows (a new cache generation)
    client.get(url)  # the next fills the site caches (campaign/datacache.py)
    with django_assert_max_num_queries(15) as one:
        client.get(url)
    for index in range(1, 8):
        poster(index)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert "7 affiches personnalisées" not in response.content.decode()
    assert "8 affiches personnalisées" in response.content.decode()
