"""Staff edit gestures in the Wagtail admin like any other page."""

from wagtail.models import Locale, Page, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data

from gestures.factories import (
    GestureCategoryFactory,
    GestureIndexPageFactory,
    GesturePageFactory,
)
from gestures.models import GestureIndexPage, GesturePage
from home.factories import HomePageFactory
from home.models import HomePage


class GestureAdminTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        Locale.objects.get_or_create(language_code="fr")
        root = Page.get_first_root_node()
        Site.objects.all().delete()
        for page in Page.objects.filter(depth=2):
            page.delete()
        cls.home = HomePageFactory(parent=root)
        Site.objects.create(hostname="localhost", port=80, root_page=cls.home, is_default_site=True)
        cls.index = GestureIndexPageFactory(parent=cls.home)
        cls.category = GestureCategoryFactory(slug="aines")
        cls.gesture = GesturePageFactory(parent=cls.index, number=1, category=cls.category)

    def setUp(self):
        self.login()

    def test_page_tree(self):
        self.assertCanCreateAt(HomePage, GestureIndexPage)
        self.assertCanCreateAt(GestureIndexPage, GesturePage)
        self.assertCanNotCreateAt(HomePage, GesturePage)

    def test_staff_create_a_gesture_with_check_boxes(self):
        self.assertCanCreate(
            self.index,
            GesturePage,
            nested_form_data(
                {
                    "title": "Arroser les plantes d'un voisin parti en vacances",
                    "slug": "arroser-les-plantes",
                    "number": 2,
                    "description": "Vos voisins partent l'esprit tranquille.",
                    "howto": "Proposez-le avant leur départ.\nNotez les consignes.\nRendez la clé.",
                    "category": self.category.pk,
                    "time_needed": "15min",
                }
            )
            # Check boxes post one value per ticked box (nested_form_data would number them).
            | {"audiences": ["voisins", "aines"], "places": ["immeuble"]},
        )
        created = GesturePage.objects.get(number=2)
        # Stored in the vocabulary's order whatever the order of the boxes ticked.
        self.assertEqual(created.audiences, "aines,voisins")

    def test_number_taken_is_refused(self):
        response = self.client.post(
            f"/admin/pages/add/gestures/gesturepage/{self.index.pk}/",
            nested_form_data(
                {
                    "title": "Doublon",
                    "slug": "doublon",
                    "number": 1,
                    "description": "x",
                    "howto": "a\nb\nc",
                    "category": self.category.pk,
                    "time_needed": "15min",
                }
            )
            | {"audiences": ["voisins"], "places": ["immeuble"]},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Un autre geste porte déjà ce numéro dans cette langue.")
        self.assertFalse(GesturePage.objects.filter(slug="doublon").exists())

    def test_gesture_is_renderable_editable_and_previewable(self):
        self.assertPageIsRenderable(self.gesture)
        self.assertPageIsEditable(self.gesture)
        self.assertPageIsPreviewable(self.gesture)
        self.assertPageIsRenderable(self.index)
        self.assertPageIsPreviewable(self.index)

    def test_category_snippet_admin(self):
        response = self.client.get("/admin/snippets/gestures/gesturecategory/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.category.name)
