from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

import pytest

from campaign.factories import ContentPageFactory
from campaign.models import ContentPage
from home.factories import HomePageFactory
from home.models import HomePage


class PageTypeRulesTests(WagtailPageTestCase):
    def test_home_page_lives_at_the_root_only(self):
        self.assertCanCreateAt(Page, HomePage)
        self.assertCanNotCreateAt(HomePage, HomePage)
        self.assertCanNotCreateAt(ContentPage, HomePage)

    def test_content_pages_live_under_home_or_another_content_page(self):
        self.assertCanCreateAt(HomePage, ContentPage)
        self.assertCanCreateAt(ContentPage, ContentPage)
        self.assertCanNotCreateAt(Page, ContentPage)


class ContentPageEditorTests(WagtailPageTestCase):
    def setUp(self):
        self.login()
        root = Page.get_first_root_node()
        self.home = HomePageFactory(parent=root, slug="accueil-test")
        Site.objects.update(root_page=self.home)

    def test_editor_can_create_a_content_page_with_blocks(self):
        self.assertCanCreate(
            self.home,
            ContentPage,
            nested_form_data(
                {
                    "title": "Nous contacter",
                    "slug": "nous-contacter",
                    "introduction": "Écrivez-nous.",
                    "body": streamfield(
                        [
                            ("heading", {"text": "Par courriel", "level": "h2"}),
                            ("paragraph", rich_text("<p>bonjour@tousvoisins.example</p>")),
                            (
                                "quote",
                                {"text": "On se sent moins seul.", "attribution": "Odile"},
                            ),
                        ]
                    ),
                }
            ),
        )

    def test_content_page_is_renderable_editable_and_previewable(self):
        page = ContentPageFactory(parent=self.home)
        self.assertPageIsRenderable(page)
        # StreamFields cannot be derived from the page by Wagtail's helper: post them.
        post_data = nested_form_data(
            {
                "title": page.title,
                "slug": page.slug,
                "introduction": page.introduction,
                "body": streamfield([("paragraph", rich_text("<p>Bonjour.</p>"))]),
            }
        )
        self.assertPageIsEditable(page, post_data=post_data)
        self.assertPageIsPreviewable(page, post_data=post_data)

    def test_home_page_is_renderable_editable_and_previewable(self):
        self.assertPageIsRenderable(self.home)
        post_data = nested_form_data(
            {
                "title": self.home.title,
                "slug": self.home.slug,
                "hero_title": "Tous voisins",
                "hero_text": "Une heure par mois.",
                "hero_image_alt": "",
                "cta_label": "Je m'inscris",
                "civic_hour_title": "L'heure civique",
                "civic_hour_text": "",
                "body": streamfield([]),
            }
        )
        self.assertPageIsEditable(self.home, post_data=post_data)
        self.assertPageIsPreviewable(self.home, post_data=post_data)


@pytest.mark.django_db
def test_image_block_requires_alt_text_unless_decorative():
    from wagtail import blocks

    from campaign.blocks import ImageBlock

    block = ImageBlock()
    with pytest.raises(blocks.StructBlockValidationError):
        block.clean({"image": None, "alt_text": "", "decorative": False, "caption": ""})


@pytest.mark.django_db
def test_link_block_requires_a_page_or_an_address():
    from wagtail import blocks

    from campaign.blocks import LinkBlock

    with pytest.raises(blocks.StructBlockValidationError):
        LinkBlock().clean({"label": "Vide", "page": None, "link_url": ""})
    value = LinkBlock().clean({"label": "", "page": None, "link_url": "https://example.org/"})
    assert value.url() == "https://example.org/"
