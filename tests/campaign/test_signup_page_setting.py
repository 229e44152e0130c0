"""Staff name the sign-up page in the campaign's settings with a page chooser."""

import pytest

from campaign.factories import ContentPageFactory
from campaign.models import CampaignSettings


@pytest.mark.django_db
def test_staff_choose_the_signup_page_in_the_settings(admin_client, home_page):
    site = home_page.get_site()
    signup = ContentPageFactory(parent=home_page, slug="inscription")
    url = f"/admin/settings/campaign/campaignsettings/{site.pk}/"
    html = admin_client.get(url).content.decode()
    assert 'name="signup_page"' in html and "Page d&#x27;inscription à l&#x27;heure civique" in html
    response = admin_client.post(
        url,
        {
            "campaign_name": "Tous Voisins – Tous Solidaires",
            "tagline_fr": "Une heure par mois pour ses voisins.",
            "tagline_en": "One hour a month for your neighbours.",
            "contact_email": "bonjour@tousvoisins.example",
            "signup_page": signup.pk,
        },
    )
    assert response.status_code == 302
    assert CampaignSettings.objects.get(site=site).signup_page_id == signup.pk
