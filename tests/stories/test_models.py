from django.core.exceptions import ValidationError

from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest

from campaign.geography.models import Commune, Department, Region, search_key
from home.factories import HomePageFactory
from home.models import HomePage
from stories.factories import PortraitFactory, StoryIndexPageFactory, StoryPageFactory
from stories.models import StoryIndexPage, StoryPage, StoryTheme


class StoryPageTypeRulesTests(WagtailPageTestCase):
    def test_index_lives_under_home_and_stories_under_the_index_only(self):
        self.assertCanCreateAt(HomePage, StoryIndexPage)
        self.assertCanNotCreateAt(Page, StoryIndexPage)
        self.assertCanCreateAt(StoryIndexPage, StoryPage)
        self.assertCanNotCreateAt(HomePage, StoryPage)
        self.assertCanNotCreateAt(StoryPage, StoryPage)


def _form_data(story_index, **overrides):
    """What the admin's story form posts."""
    theme = StoryTheme.objects.first()
    data = {
        "title": "Karim, le réparateur de vélos",
        "slug": "karim-le-reparateur",
        "hero_first_name": "Karim",
        "hero_initial": "B",
        "hero_display_name": "",
        "commune": Commune.objects.first().pk,
        "portrait": PortraitFactory().pk,
        "portrait_alt": "Illustration : un buste stylisé sur fond vert.",
        "themes": [theme.pk],
        "summary": "Chaque samedi, il répare les vélos des enfants du quartier.",
        "body": streamfield([("paragraph", rich_text("<p>Tout a commencé par une chaîne.</p>"))]),
        "pull_quote": "",
        "publication_date": "2026-03-01",
        "credit": "",
        "gesture_links": inline_formset([]),
    }
    data.update(overrides)
    themes = data.pop("themes")
    data = nested_form_data(data)
    data["themes"] = themes  # a multiple choice posts one value per theme
    return data


class StoryAdminTests(WagtailPageTestCase):
    def setUp(self):
        self.user = self.login()
        root = Page.get_first_root_node()
        self.home = HomePageFactory(parent=root, slug="accueil-stories")
        Site.objects.update(root_page=self.home)
        self.index = StoryIndexPageFactory(parent=self.home)
        region = Region.objects.create(code="11", name="Île-de-France", slug="idf")
        department = Department.objects.create(
            code="77", name="Seine-et-Marne", slug="77", region=region
        )
        Commune.objects.create(
            insee_code="77288",
            name="Melun",
            slug="melun-77288",
            search_name=search_key("Melun"),
            department=department,
            region=region,
        )
        StoryTheme.objects.create(name="Réparation", slug="reparation", locale=self.home.locale)

    def test_editor_can_create_a_story(self):
        self.assertCanCreate(self.index, StoryPage, _form_data(self.index, consent_given="on"))

    def test_story_without_consent_can_be_saved_as_draft(self):
        response = self.client.post(
            f"/admin/pages/add/stories/storypage/{self.index.pk}/", _form_data(self.index)
        )
        assert response.status_code == 302, response.context["form"].errors
        story = StoryPage.objects.get(slug="karim-le-reparateur")
        assert not story.live
        assert story.get_latest_revision() is not None

    def test_admin_publish_without_consent_is_refused_with_a_message(self):
        data = _form_data(self.index)
        data["action-publish"] = "action-publish"
        response = self.client.post(f"/admin/pages/add/stories/storypage/{self.index.pk}/", data)
        assert response.status_code == 200  # the form comes back with the error
        assert "avant de publier" in response.content.decode()
        assert not StoryPage.objects.filter(slug="karim-le-reparateur").exists()
        # Editing an existing draft: publish is refused the same way.
        draft = StoryPageFactory(parent=self.index, consent_given=False, live=False)
        data = _form_data(self.index, slug=draft.slug)
        data["action-publish"] = "action-publish"
        response = self.client.post(f"/admin/pages/{draft.pk}/edit/", data)
        assert response.status_code == 200
        assert "avant de publier" in response.content.decode()
        draft.refresh_from_db()
        assert not draft.live

    def test_admin_publish_with_consent_publishes(self):
        data = _form_data(self.index, consent_given="on")
        data["action-publish"] = "action-publish"
        response = self.client.post(f"/admin/pages/add/stories/storypage/{self.index.pk}/", data)
        assert response.status_code == 302, response.context["form"].errors
        assert StoryPage.objects.get(slug="karim-le-reparateur").live

    def test_story_is_renderable_editable_and_previewable(self):
        story = StoryPageFactory(parent=self.index)
        self.assertPageIsRenderable(story)
        data = _form_data(self.index, slug=story.slug, consent_given="on")
        self.assertPageIsEditable(story, post_data=data)
        self.assertPageIsPreviewable(story, post_data=data)

    def _preview_new_story(self, **overrides):
        """The editor's preview panel for a story not saved yet: the form is posted to the
        preview endpoint, then the panel's iframe GETs it."""
        url = f"/admin/pages/add/stories/storypage/{self.index.pk}/preview/"
        data = _form_data(self.index, **overrides)
        posted = self.client.post(url, data)
        assert posted.status_code == 200
        assert posted.json()["is_valid"], posted.json()
        return self.client.get(url)

    def test_a_new_story_previews_beside_published_ones(self):
        StoryPageFactory(parent=self.index, title="Lucienne", publication_date="2026-02-01")
        response = self._preview_new_story()
        assert response.status_code == 200
        html = response.content.decode()
        assert "Karim, le réparateur de vélos" in html
        # Its date comes after Lucienne's: the preview shows where it will sit.
        assert "Histoire précédente : Lucienne" in html

    def test_a_new_story_without_a_date_yet_has_no_neighbours(self):
        StoryPageFactory(parent=self.index, title="Lucienne", publication_date="2026-02-01")
        # The preview panel says the form needs a date (no 500)...
        url = f"/admin/pages/add/stories/storypage/{self.index.pk}/preview/"
        posted = self.client.post(url, _form_data(self.index, publication_date=""))
        assert posted.status_code == 200 and not posted.json()["is_valid"]
        # ...and a story whose date is cleared in code has no place among the others.
        story = StoryPageFactory(parent=self.index, title="Sans date")
        story.publication_date = None
        assert story.neighbours() == (None, None)


@pytest.mark.django_db
def test_programmatic_publish_without_consent_is_refused(story_index):
    draft = StoryPageFactory(parent=story_index, consent_given=False, live=False)
    revision = draft.save_revision()
    with pytest.raises(ValidationError) as excinfo:
        revision.publish()
    assert "consent_given" in excinfo.value.message_dict
    draft.refresh_from_db()
    assert not draft.live
    # Creating a story live from code is refused just the same.
    with pytest.raises(ValidationError):
        StoryPageFactory(parent=story_index, consent_given=False)
    # Once the box is ticked, the same draft publishes.
    draft.consent_given = True
    draft.save_revision().publish()
    draft.refresh_from_db()
    assert draft.live


@pytest.mark.django_db
def test_hero_name_is_first_name_and_initial_by_default(story_index):
    story = StoryPageFactory.build(hero_first_name="Josiane", hero_initial="M")
    assert story.hero_name == "Josiane M."
    story.hero_initial = "m."
    assert story.hero_name == "Josiane m."
    story.hero_initial = ""
    assert story.hero_name == "Josiane"
    story.hero_display_name = "Josiane Martin"
    assert story.hero_name == "Josiane Martin"


@pytest.mark.django_db
def test_portrait_alt_text_and_summary_length_are_required_to_publish(story_index):
    story = StoryPageFactory(parent=story_index, live=False, portrait_alt="")
    story.summary = "x" * 301
    with pytest.raises(ValidationError) as excinfo:
        story.save_revision().publish()
    assert {"portrait_alt", "summary"} <= set(excinfo.value.message_dict)


@pytest.mark.django_db
def test_neighbours_are_the_stories_just_before_and_after_in_one_query(
    story_index, django_assert_num_queries
):
    dates = ["2026-01-05", "2026-02-01", "2026-02-01", "2026-03-10", "2026-04-02"]
    stories = [
        StoryPageFactory(parent=story_index, title=f"Histoire {n}", publication_date=date)
        for n, date in enumerate(dates)
    ]
    for story in stories:
        story.refresh_from_db()
    for n, story in enumerate(stories):
        with django_assert_num_queries(1):
            previous, following = story.neighbours()
        assert previous == (stories[n - 1] if n else None)
        assert following == (stories[n + 1] if n + 1 < len(stories) else None)
    undated = stories[2]
    undated.publication_date = None
    assert undated.neighbours() == (None, None)
