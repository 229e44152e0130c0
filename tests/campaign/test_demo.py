from io import StringIO

from django.core.management import call_command

from wagtail.models import Page, Revision, Site

import pytest

from campaign.models import CampaignSettings, Navigation


def _snapshot():
    return sorted(
        (p.locale.language_code, p.url_path, p.title, p.live)
        for p in Page.objects.select_related("locale").filter(depth__gt=1)
    )


# A real transaction: wagtail-localize publishes each translation when its loader's
# transaction commits, as it does when `make run` loads the demo.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_load_demo_builds_both_languages_and_is_idempotent(client, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    first = _snapshot()
    call_command("load_demo", stdout=StringIO())
    assert _snapshot() == first
    assert Navigation.objects.count() == 2
    urls = {(lang, path) for lang, path, _title, _live in first}
    for expected in [
        ("fr", "/accueil/"),
        ("en", "/home/"),
        ("fr", "/accueil/mentions-legales/"),
        ("fr", "/accueil/donnees-personnelles/"),
        ("fr", "/accueil/accessibilite/"),
        ("en", "/home/legal-notice/"),
        ("en", "/home/personal-data/"),
        ("en", "/home/accessibility/"),
    ]:
        assert expected in urls
    settings.DEBUG = False
    for url in ("/", "/en/", "/accessibilite/", "/en/accessibility/", "/en/personal-data/"):
        assert client.get(url).status_code == 200, url
    english = client.get("/en/legal-notice/").content.decode()
    assert "Who publishes this site" in english
    # The settings name the demo's sign-up page; gesture pages link to it in each language.
    from gestures.models import GesturePage

    signup = CampaignSettings.for_site(Site.objects.get(is_default_site=True)).signup_page
    assert signup.specific_class.__name__ == "VolunteerSignupPage"
    gestures = list(GesturePage.objects.live().filter(number=1).select_related("locale"))
    assert sorted(g.locale.language_code for g in gestures) == ["en", "fr"]
    for gesture in gestures:
        localized_signup = signup.get_translation(gesture.locale)
        assert f'href="{localized_signup.url}?interet=' in client.get(gesture.url).content.decode()
    assert Revision.objects.exists()
    # The demo mailings: one recorded as sent to every demo volunteer, once, even though the
    # demo was loaded twice; one draft.
    from mailings.models import Mailing
    from volunteers.models import EmailTemplate, Volunteer

    sent = Mailing.objects.get(status=Mailing.Status.SENT)
    assert sent.deliveries.filter(status="sent").count() == Volunteer.objects.mailable().count()
    assert Mailing.objects.filter(status=Mailing.Status.DRAFT).count() == 1
    assert EmailTemplate.objects.filter(kind="monthly_reminder").count() == 2


@pytest.mark.django_db
def test_load_demo_refuses_to_run_outside_development(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")
