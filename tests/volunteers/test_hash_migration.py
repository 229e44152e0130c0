"""Migration 0009 keys the stored fingerprints without the addresses (issue 13)."""

import importlib

from django.apps import apps

import pytest

from volunteers.factories import VolunteerFactory
from volunteers.models import Volunteer, email_hash
from volunteers.models.volunteers import email_hash_legacy

pytestmark = pytest.mark.django_db

ADDRESS = "zephyrine.quintavalle@example.org"


@pytest.fixture
def person(db):
    return VolunteerFactory(email=ADDRESS)


def test_migration_keys_the_stored_hashes_without_the_addresses(person):
    migration = importlib.import_module("volunteers.migrations.0009_keyed_email_hash")
    erased = VolunteerFactory(email=None, status=Volunteer.Status.ERASED, first_name="")
    Volunteer.objects.filter(pk=person.pk).update(email_hash=email_hash_legacy(ADDRESS))
    Volunteer.objects.filter(pk=erased.pk).update(email_hash=email_hash_legacy("gone@example.org"))

    class Editor:
        connection = type("C", (), {"alias": "default"})

    migration.key_the_hashes(apps, Editor())
    assert Volunteer.objects.get(pk=person.pk).email_hash == email_hash(ADDRESS)
    assert Volunteer.objects.get(pk=erased.pk).email_hash == email_hash("gone@example.org")
