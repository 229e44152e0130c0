"""campaign 0003 names the sign-up page a site already has, so that gesture pages keep their
sign-up link after the upgrade that stopped finding it by its type (issue 13)."""

import importlib

from django.apps import apps

import pytest

from campaign.factories import ContentPageFactory
from campaign.models import CampaignSettings
from volunteers.factories import VolunteerSignupPageFactory

migration = importlib.import_module("campaign.migrations.0003_campaignsettings_signup_page")


@pytest.mark.django_db
def test_the_migration_names_the_site_s_live_french_signup_page(home_page, locales):
    ContentPageFactory(parent=home_page, slug="a-propos")
    signup = VolunteerSignupPageFactory(parent=home_page, locale=home_page.locale)
    english = signup.copy_for_translation(locales["en"])
    english.save_revision().publish()
    migration.name_existing_signup_page(apps, None)
    assert CampaignSettings.for_site(home_page.get_site()).signup_page_id == signup.pk


@pytest.mark.django_db
def test_the_migration_keeps_a_page_staff_chose_and_names_nothing_without_one(home_page):
    site = home_page.get_site()
    migration.name_existing_signup_page(apps, None)
    assert CampaignSettings.for_site(site).signup_page_id is None
    chosen = ContentPageFactory(parent=home_page, slug="rejoindre")
    CampaignSettings.objects.filter(site=site).update(signup_page=chosen)
    VolunteerSignupPageFactory(parent=home_page, locale=home_page.locale)
    migration.name_existing_signup_page(apps, None)
    assert CampaignSettings.objects.get(site=site).signup_page_id == chosen.pk
