from django.urls import reverse

from kits import services
from kits.models import EngagedCommune, PersonalisedPoster


def test_staff_see_and_edit_engaged_communes_but_never_confirm_them(admin_client, melun):
    engagement = EngagedCommune.objects.create(
        commune=melun, contact_name="Claire Martin", role="Maire", email="claire@example.org"
    )
    listing = admin_client.get(reverse("wagtailsnippets_kits_engagedcommune:list"))
    assert listing.status_code == 200
    assert "Claire Martin" in listing.content.decode()
    url = reverse("wagtailsnippets_kits_engagedcommune:edit", args=[engagement.pk])
    assert admin_client.get(url).status_code == 200
    # The edit form changes the contact's details; the confirmation is the address's own
    # (the emailed page) and the approval a moderation action: neither is a field here.
    response = admin_client.post(
        url,
        {
            "commune": "77288",
            "contact_name": "Claire Martin-Durand",
            "role": "Maire",
            "email": "claire@example.org",
            "confirmed_at": "2026-05-01 10:00",
            "status": "approved",
        },
    )
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.contact_name == "Claire Martin-Durand"
    assert not engagement.is_confirmed
    assert engagement.status == EngagedCommune.Status.UNCONFIRMED
    # An unknown INSEE code typed by staff is an error on the field, not a 500.
    response = admin_client.post(
        url,
        {"commune": "00000", "contact_name": "C", "role": "M", "email": "c@example.org"},
    )
    assert response.status_code == 200
    assert "error" in response.content.decode()


def test_personalised_posters_are_records_staff_cannot_edit(
    admin_client, melun, poster_template, home_page
):
    poster = services.poster_create(
        template=poster_template,
        commune=melun,
        logo_hash="",
        contact_line="Mairie de Melun",
        event_line="",
    )
    listing = admin_client.get(reverse("wagtailsnippets_kits_personalisedposter:list"))
    assert listing.status_code == 200 and "Melun" in listing.content.decode()
    edit = admin_client.get(
        reverse("wagtailsnippets_kits_personalisedposter:edit", args=[poster.pk])
    )
    assert edit.status_code in (302, 403)
    assert PersonalisedPoster.objects.count() == 1


def test_poster_template_create_view_renders(admin_client, db):
    response = admin_client.get(reverse("wagtailsnippets_kits_postertemplate:add"))
    assert response.status_code == 200
    assert "nom de la commune : gauche" in response.content.decode().lower()
