"""The demo's actors (idempotent, one serving an intercommunality, reachable from a
postcode), and the proposer's address in the personal-data registry."""

import pytest

from campaign.personal_data import Person
from directory import demo, personal_data, selectors
from directory.factories import ActorFactory
from directory.models import Actor
from kits.factories import CommuneFactory

pytestmark = pytest.mark.django_db


def test_the_demo_loads_twice_to_the_same_published_actors(geo, categories, locales):
    CommuneFactory(insee_code="74010", name="Annecy", postcode="74000")
    assert demo.load() == 6  # Lille and Quimper are not in this geography: left out
    first = {a.slug: (a.status, a.updated_at) for a in Actor.objects.all()}
    assert demo.load() == 6
    assert {a.slug: (a.status, a.updated_at) for a in Actor.objects.all()} == first
    assert set(Actor.objects.values_list("status", flat=True)) == {Actor.Status.PUBLISHED}
    agglo = Actor.objects.get(slug="france-services-melun-val-de-seine")
    assert list(agglo.intercommunalities.values_list("code", flat=True)) == ["247700057"]
    # A resident of Melun finds it from the postcode.
    names = [a.name for a in selectors.search(communes=selectors.place_for(query="77000").communes)]
    assert names == ["CCAS de Melun", "France services de l'agglomération melunaise"]
    assert "lorem" not in " ".join(Actor.objects.values_list("description", flat=True)).lower()


def test_the_proposer_s_address_is_exported_then_erased(geo):
    actor = ActorFactory(proposer_email="Quelqu.un@example.org", communes=[geo["melun"]])
    other = ActorFactory(proposer_email="autre@example.org")
    person = Person(email="quelqu.un@example.org")
    [section] = personal_data.export(person)
    assert [row["actor"] for row in section.rows] == [actor.name]
    token = actor.token
    personal_data.erase(person)
    actor.refresh_from_db()
    assert actor.proposer_email == "" and actor.token != token
    assert actor.status == Actor.Status.PUBLISHED  # the organisation's entry stays
    other.refresh_from_db()
    assert other.proposer_email == "autre@example.org"
