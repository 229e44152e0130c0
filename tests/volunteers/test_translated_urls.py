"""English volunteers get English addresses; the French ones already sent keep working."""

import re

from django.test import Client

import pytest

from volunteers import emails, tokens
from volunteers.factories import VolunteerFactory
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def _links(text):
    return re.findall(r"http://testserver(/\S+?/)(?=\s|$|>)", text)


def test_an_english_sign_up_gets_english_addresses(
    client,
    geography,
    english_signup_page,
    signup_data,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(english_signup_page.url, signup_data())
    # The thank-you sub-page is English too.
    assert response["Location"] == english_signup_page.url + "thank-you/"
    assert client.get(response["Location"]).status_code == 200
    (confirmation,) = mailoutbox
    (link,) = _links(confirmation.body)
    assert link.startswith("/en/volunteers/confirm/")
    # Confirming sends the welcome email, whose links are English as well.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link).status_code == 200
    welcome = mailoutbox[1]
    assert "/en/volunteers/preferences/" in welcome.body
    assert welcome.extra_headers["List-Unsubscribe"].startswith(
        "<http://testserver/en/volunteers/unsubscribe/"
    )
    assert "benevoles" not in welcome.body + welcome.alternatives[0][0]


def test_a_french_sign_up_keeps_french_addresses(
    geography, post_signup, signup_page, signup_data, mailoutbox
):
    response = post_signup(signup_data())
    assert response["Location"] == signup_page.url + "merci/"
    assert _links(mailoutbox[0].body)[0].startswith("/benevoles/confirmer/")


def test_the_mailing_link_maker_makes_english_addresses(home_page):
    volunteer = VolunteerFactory(language="en")
    links = emails.LinkMaker()
    assert "/en/volunteers/preferences/" in links.preferences_url(volunteer)
    assert "/en/volunteers/unsubscribe/" in links.unsubscribe_url(volunteer)


def test_an_english_link_sent_with_a_french_path_still_works(geography, home_page):
    volunteer = VolunteerFactory(language="en", email="old@example.org")
    token = tokens.token_make(volunteer=volunteer, purpose=tokens.UNSUBSCRIBE)
    old = f"/en/benevoles/desinscription/{token}/"
    client = Client(enforce_csrf_checks=True)
    # Opened: sent on to the English address.
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == f"/en/volunteers/unsubscribe/{token}/"
    # A mail client's one-click unsubscribe (RFC 8058) posts to the address it was given.
    response = client.post(old, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.UNSUBSCRIBED


def test_the_old_french_thank_you_route_on_the_english_page_is_sent_on(client, english_signup_page):
    response = client.get(english_signup_page.url + "merci/")
    assert response.status_code == 301
    assert response["Location"] == english_signup_page.url + "thank-you/"
