import pytest

from network.factories import MeetingPageFactory, NetworkIndexPageFactory
from network.models import NetworkIndexPage
from tests.stories.conftest import geography  # noqa: F401 - the shared fixture


@pytest.fixture
def network_index(home_page):
    return NetworkIndexPageFactory(parent=home_page, locale=home_page.locale)


@pytest.fixture
def english_network_index(network_index, english_home, locales):
    """The English translation of the network's home, published."""
    english = network_index.copy_for_translation(locales["en"])
    english.title = "Officials' network"
    english.slug = "officials-network"
    english.save_revision().publish()
    return NetworkIndexPage.objects.get(pk=english.pk)


@pytest.fixture
def meeting(network_index):
    return MeetingPageFactory(parent=network_index, slug="rencontre", capacity=3)
