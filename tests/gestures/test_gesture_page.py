from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from campaign.factories import ContentPageFactory
from campaign.models import CampaignSettings
from gestures import selectors
from gestures.models import GestureIndexPage, GesturePage

from .conftest import add_gestures


@pytest.mark.django_db
def test_gesture_page_shows_how_to_and_facts(client, gestures):
    html = client.get("/gestes/geste-5/").content.decode()
    assert "Geste n° 5" in html
    assert "Rendre service à un voisin, geste 5" in html
    # Each line of "comment faire" is a step of an ordered list.
    assert "<li>Proposez votre aide simplement.</li>" in html
    assert "<li>Respectez le choix de la personne.</li>" in html
    assert "familles, enfants" in html
    assert 'href="/gestes/#geste-5"' in html  # back to the catalogue, at this gesture


@pytest.mark.django_db
def test_previous_and_next_by_number(client, catalogue, categories):
    # Created out of order and with a gap: neighbours follow the numbers, not the tree.
    add_gestures(catalogue, categories, [7, 2, 4])
    html = client.get("/gestes/geste-4/").content.decode()
    assert 'href="/gestes/geste-2/" rel="prev"' in html
    assert 'href="/gestes/geste-7/" rel="next"' in html
    first = client.get("/gestes/geste-2/").content.decode()
    assert 'rel="prev"' not in first and 'href="/gestes/geste-4/" rel="next"' in first
    last = client.get("/gestes/geste-7/").content.decode()
    assert 'rel="next"' not in last


@pytest.mark.django_db
def test_unpublished_gesture_is_not_a_neighbour(client, catalogue, categories):
    pages = add_gestures(catalogue, categories, [1, 2, 3])
    pages[1].unpublish()
    html = client.get("/gestes/geste-1/").content.decode()
    assert 'href="/gestes/geste-3/" rel="next"' in html
    assert client.get("/gestes/geste-2/").status_code == 404


@pytest.mark.django_db
def test_stories_empty_state_until_stories_illustrate_the_gesture(client, gestures):
    html = client.get("/gestes/geste-1/").content.decode()
    assert "Ils l'ont fait" in html
    assert "Aucune histoire n'illustre encore ce geste." in html
    assert selectors.stories_for(page=gestures[0]) == []


@pytest.mark.django_db
def test_signup_call_to_action_hidden_without_a_signup_page(client, gestures):
    html = client.get("/gestes/geste-3/").content.decode()
    assert "Je m'inscris à l'heure civique" not in html


def _name_signup_page(page):
    campaign_settings = CampaignSettings.for_site(page.get_site())
    campaign_settings.signup_page = page
    campaign_settings.save()


@pytest.mark.django_db
def test_signup_call_to_action_preselects_the_category(client, home_page, gestures):
    # Any page the campaign's settings name: gestures/ knows nothing of the volunteers app.
    signup = ContentPageFactory(parent=home_page, title="Je m'inscris", slug="inscription")
    _name_signup_page(signup)
    html = client.get("/gestes/geste-3/").content.decode()
    assert 'href="/inscription/?interet=aines"' in html
    assert "Je m'inscris à l'heure civique" in html


@pytest.mark.django_db
def test_signup_call_to_action_hidden_when_the_named_page_is_not_live(client, home_page, gestures):
    signup = ContentPageFactory(parent=home_page, title="Je m'inscris", slug="inscription")
    _name_signup_page(signup)
    signup.unpublish()
    html = client.get("/gestes/geste-3/").content.decode()
    assert "/inscription/" not in html
    assert "Je m'inscris à l'heure civique" not in html


@pytest.mark.django_db
def test_english_gesture_page_links_to_the_english_signup_page(
    client, home_page, english_home, catalogue, gestures, locales
):
    # The settings name the French page; the English gesture page links to its translation.
    signup = ContentPageFactory(parent=home_page, title="Je m'inscris", slug="inscription")
    _name_signup_page(signup)
    english_catalogue = catalogue.copy_for_translation(locales["en"])
    english_catalogue.save_revision().publish()
    gesture = gestures[2].copy_for_translation(locales["en"], copy_parents=False)
    gesture.save_revision().publish()
    html = client.get(gesture.url).content.decode()
    # No English sign-up page yet: no link rather than a French form.
    assert "/inscription/" not in html
    english_signup = signup.copy_for_translation(locales["en"])
    english_signup.slug = "sign-up"
    english_signup.save_revision().publish()
    html = client.get(gesture.url).content.decode()
    assert 'href="/en/sign-up/?interet=aines"' in html
    assert "/inscription/" not in html


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_gesture_page_runs_a_fixed_number_of_queries(client, catalogue, categories):
    add_gestures(catalogue, categories, [1, 2, 3])
    client.get("/gestes/geste-2/")
    few = _queries(client, "/gestes/geste-2/")
    add_gestures(catalogue, categories, range(4, 60))
    assert _queries(client, "/gestes/geste-2/") == few


@pytest.mark.django_db
def test_gesture_page_queries_stay_fixed_with_its_stories_and_signup_link(
    client, home_page, catalogue, categories
):
    from stories.factories import StoryIndexPageFactory, StoryPageFactory
    from stories.models import StoryGesture

    _name_signup_page(ContentPageFactory(parent=home_page, slug="inscription"))
    gesture = add_gestures(catalogue, categories, [2])[0]
    index = StoryIndexPageFactory(parent=home_page)

    def add_stories(count):
        for _ in range(count):
            StoryGesture.objects.create(story=StoryPageFactory(parent=index), gesture=gesture)

    add_stories(1)
    client.get("/gestes/geste-2/")
    few = _queries(client, "/gestes/geste-2/")
    add_stories(8)
    html = client.get("/gestes/geste-2/").content.decode()
    assert html.count('class="card__title"') == 6 and "/inscription/?interet=" in html
    assert _queries(client, "/gestes/geste-2/") == few


@pytest.mark.django_db
def test_english_gesture_page(client, english_home, catalogue, gestures, locales):
    english_catalogue = catalogue.copy_for_translation(locales["en"])
    english_catalogue.title = "100 acts of solidarity"
    english_catalogue.save_revision().publish()
    category = gestures[0].category.copy_for_translation(locales["en"])
    category.name = "Caring for older neighbours"
    category.save()
    gesture = gestures[0].copy_for_translation(locales["en"], copy_parents=False)
    gesture.title = "Help a neighbour"
    gesture.category = category
    gesture.save_revision().publish()
    html = client.get("/en/gestes/geste-1/").content.decode()
    assert '<html lang="en"' in html
    assert "Gesture no. 1" in html
    assert "How to do it" in html


@pytest.mark.django_db
def test_page_tree_rules(catalogue):
    assert GesturePage.parent_page_types == ["gestures.GestureIndexPage"]
    assert GestureIndexPage.parent_page_types == ["home.HomePage"]
    assert GesturePage.can_create_at(catalogue)
    assert not GesturePage.can_create_at(catalogue.get_parent().specific)


@pytest.mark.django_db
def test_number_is_unique_within_a_language(gestures, locales):
    from django.core.exceptions import ValidationError

    duplicate = GesturePage(
        title="Autre",
        slug="autre",
        number=1,
        description="x",
        howto="a\nb\nc",
        category=gestures[0].category,
        time_needed="5min",
        audiences="voisins",
        places="immeuble",
        locale=locales["fr"],
    )
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "number" in error.value.message_dict


@pytest.mark.django_db
def test_gesture_page_lists_the_stories_that_illustrate_it(client, home_page, gestures):
    # The stories app links a story to gestures; gestures/ finds them through the reverse
    # relation without importing stories/.
    from stories.factories import StoryIndexPageFactory, StoryPageFactory
    from stories.models import StoryGesture

    index = StoryIndexPageFactory(parent=home_page)
    story = StoryPageFactory(parent=index, title="Josiane et les courses du cinquième")
    StoryGesture.objects.create(story=story, gesture=gestures[0])
    other = StoryPageFactory(parent=index, title="Une autre histoire")
    StoryGesture.objects.create(story=other, gesture=gestures[1])
    html = client.get("/gestes/geste-1/").content.decode()
    assert "Josiane et les courses du cinquième" in html
    assert "Une autre histoire" not in html
    assert "Aucune histoire n'illustre encore ce geste." not in html
    story.unpublish()
    html = client.get("/gestes/geste-1/").content.decode()
    assert "Aucune histoire n'illustre encore ce geste." in html
