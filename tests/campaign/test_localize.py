"""campaign/localize.py: programmatic translation through wagtail-localize keeps the page
tree sound (treebeard's child counts, which Wagtail routes by)."""

from io import StringIO

from django.db import transaction

from wagtail.models import Page

import pytest

from campaign.localize import instance_translate
from campaign.models import ContentPage


def _numchild_wrong():
    """The pages whose recorded child count differs from the pages under them."""
    return [
        (p.pk, p.url_path, p.numchild, count)
        for p in Page.objects.all()
        if p.numchild
        != (count := Page.objects.filter(path__startswith=p.path, depth=p.depth + 1).count())
    ]


@pytest.mark.django_db
def test_translating_a_parent_then_its_children_in_one_transaction_keeps_them_routable(
    home_page, english_home, client, django_capture_on_commit_callbacks
):
    # A loader translates an index page, then adds and translates its children, all in one
    # transaction; the index's translation must still count its children once it commits.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        parent = ContentPage(title="Rubrique", slug="rubrique")
        home_page.add_child(instance=parent)
        parent.save_revision().publish()
        instance_translate(
            instance=parent,
            language_code="en",
            strings={"Rubrique": "Section", "rubrique": "section"},
        )
        child = ContentPage(title="Article", slug="article")
        parent.add_child(instance=child)
        child.save_revision().publish()
        instance_translate(
            instance=child, language_code="en", strings={"Article": "Story", "article": "story"}
        )
    english_parent = Page.objects.get(pk=parent.get_translation(english_home.locale).pk)
    assert english_parent.numchild == 1
    assert _numchild_wrong() == []
    assert client.get("/en/section/story/").status_code == 200


@pytest.mark.django_db
def test_translating_an_index_again_repairs_a_stale_child_count(
    home_page, english_home, client, django_capture_on_commit_callbacks
):
    # A database loaded before the fix holds English index pages that record no children:
    # translating the index again (load_demo, an editor) counts them again.
    with django_capture_on_commit_callbacks(execute=True):
        parent = ContentPage(title="Rubrique", slug="rubrique")
        home_page.add_child(instance=parent)
        parent.save_revision().publish()
        strings = {"Rubrique": "Section", "rubrique": "section"}
        english_parent, _missing = instance_translate(
            instance=parent, language_code="en", strings=strings
        )
        for n in range(2):
            child = ContentPage(title=f"Article {n}", slug=f"article-{n}")
            parent.add_child(instance=child)
            child.save_revision().publish()
            instance_translate(
                instance=child,
                language_code="en",
                strings={f"Article {n}": f"Story {n}", f"article-{n}": f"story-{n}"},
            )
    Page.objects.filter(pk=english_parent.pk).update(numchild=0)
    assert client.get("/en/section/story-1/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        instance_translate(instance=parent, language_code="en", strings=strings)
    assert _numchild_wrong() == []
    assert client.get("/en/section/story-1/").status_code == 200


# A real transaction: the loaders commit as `make setup` runs them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_loaders_leave_every_english_gesture_and_kit_routable(client, settings, tmp_path):
    from campaign import demo as campaign_demo
    from gestures import demo as gestures_demo
    from gestures.models import GesturePage
    from home import demo as home_demo
    from kits import demo as kits_demo
    from kits.models import KitPage

    settings.MEDIA_ROOT = tmp_path / "media"
    campaign_demo.load()
    home_demo.load()
    gestures_demo.load(stdout=StringIO())
    kits_demo.load()
    assert _numchild_wrong() == []
    english_gestures = GesturePage.objects.live().filter(locale__language_code="en")
    assert english_gestures.count() == 100
    for page in english_gestures:
        url = page.get_url()
        assert url.startswith("/en/gestures/")
        assert client.get(url).status_code == 200, url
    english_kits = KitPage.objects.live().filter(locale__language_code="en")
    assert english_kits.count() == 3
    for page in english_kits:
        assert client.get(page.get_url()).status_code == 200, page.get_url()
