import re

from django.core import mail
from django.urls import reverse

from kits import services
from kits.factories import CommuneFactory, DepartmentFactory
from kits.models import EngagedCommune


def _declare(client, django_capture_on_commit_callbacks, **overrides):
    data = {
        "commune": "77288",
        "contact_name": "Claire Martin",
        "role": "Adjointe à la solidarité",
        "email": "claire.martin@ville-melun.example",
    }
    data.update(overrides)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("kits:engaged_form") + "?q=Melun", data)


def test_engagement_flow_with_email_confirmation(
    client, melun, home_page, django_capture_on_commit_callbacks
):
    response = _declare(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("kits:engaged_thanks")
    engagement = EngagedCommune.objects.get()
    assert not engagement.is_confirmed
    # Not public before confirmation.
    assert "Melun" not in client.get(reverse("kits:engaged_communes")).content.decode()
    assert client.get(reverse("kits:engaged_commune", args=[melun.slug])).status_code == 404

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["claire.martin@ville-melun.example"]
    assert "Melun" in message.subject
    link = re.search(r"http://testserver(/communes-engagees/confirmer/[^/\s]+/)", message.body)
    # The link names no one: a signed id and random token only.
    assert "claire" not in link.group(1).lower()

    # The link opens a page; its button's POST confirms. Then staff approve.
    assert client.get(link.group(1)).status_code == 200
    engagement.refresh_from_db()
    assert not engagement.is_confirmed
    response = client.post(link.group(1))
    assert response.status_code == 200
    engagement.refresh_from_db()
    assert engagement.is_confirmed
    assert client.post(link.group(1)).status_code == 200  # a second click is harmless
    assert client.get(reverse("kits:engaged_commune", args=[melun.slug])).status_code == 404
    services.engaged_commune_approve(engagement=engagement)

    listing = client.get(reverse("kits:engaged_communes")).content.decode()
    assert "Île-de-France" in listing and "Seine-et-Marne (77)" in listing
    assert reverse("kits:engaged_commune", args=[melun.slug]) in listing
    assert "claire" not in listing.lower()

    page = client.get(reverse("kits:engaged_commune", args=[melun.slug]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "?commune=77288" in html  # sign-up with the commune preselected


def test_bad_or_expired_links_are_refused_clearly(client, melun, db):
    engagement = EngagedCommune.objects.create(
        commune=melun, contact_name="A", role="Maire", email="a@example.org"
    )
    response = client.get(reverse("kits:engaged_confirm", args=["nimportequoi"]))
    assert response.status_code == 400
    assert "Ce lien ne fonctionne pas" in response.content.decode()
    token = services.engaged_commune_confirmation_token(engagement=engagement)
    engagement.token = "changed"
    engagement.save()
    assert client.get(reverse("kits:engaged_confirm", args=[token])).status_code == 400


def test_engagement_form_bad_input(client, melun, home_page, django_capture_on_commit_callbacks):
    for overrides, message in [
        ({"commune": "99999"}, "Cette commune est inconnue"),
        ({"email": "pas-une-adresse"}, "adresse de courriel valide"),
        ({"contact_name": ""}, "Indiquez votre nom."),
        ({"role": "r" * 200}, "au plus 120 caractères"),
    ]:
        response = _declare(client, django_capture_on_commit_callbacks, **overrides)
        assert response.status_code == 400, overrides
        assert message in response.content.decode(), overrides
    assert not EngagedCommune.objects.exists()
    assert not mail.outbox


def _engage(commune):
    return EngagedCommune.objects.create(
        commune=commune,
        contact_name="Contact",
        role="Maire",
        email="mairie@example.org",
        confirmed_at="2026-05-01T10:00:00Z",
        status=EngagedCommune.Status.APPROVED,
    )


def test_engaged_communes_are_grouped_with_counts_in_a_fixed_number_of_queries(
    client, melun, home_page, django_assert_num_queries
):
    _engage(melun)
    url = reverse("kits:engaged_communes")
    client.get(url)  # the first visitor makes the settings rows (a new cache generation)
    client.get(url)  # the next fills the site caches (campaign/datacache.py)
    with django_assert_num_queries(1) as small:
        client.get(url)
    marne = DepartmentFactory()
    for index in range(5):
        _engage(
            CommuneFactory(insee_code=f"51{index:03d}", name=f"Village {index}", department=marne)
        )
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    html = response.content.decode()
    assert "6 communes se sont engagées" in html
    assert "Marne (51)" in html and "Grand Est" in html


def test_commune_page_shows_its_posters(client, melun, home_page, poster_template):
    _engage(melun)
    poster = services.poster_create(
        template=poster_template,
        commune=melun,
        logo_hash="",
        contact_line="Mairie de Melun",
        event_line="Samedi 12 juin",
    )
    services.poster_approve(poster=poster)
    html = client.get(reverse("kits:engaged_commune", args=[melun.slug])).content.decode()
    assert f"/affiche-personnalisee/{poster.key}/A4-couleur.png" in html
    assert "Samedi 12 juin" in html
