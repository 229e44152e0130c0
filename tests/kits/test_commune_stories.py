"""The engaged-commune page lists the commune's stories, which stories/ offers through the
`kits_commune_stories` hook (kits/ imports nothing of stories/), and its volunteer count,
which kits asks of volunteers/ through its selector."""

from django.urls import reverse

import pytest

from kits import selectors
from kits.models import EngagedCommune
from stories.factories import StoryIndexPageFactory, StoryPageFactory


def _engage(commune):
    return EngagedCommune.objects.create(
        commune=commune,
        contact_name="Contact",
        role="Maire",
        email="mairie@example.org",
        confirmed_at="2026-05-01T10:00:00Z",
        status=EngagedCommune.Status.APPROVED,
    )


def _section(html):
    return html.split('id="commune-stories"')[1].split("</section>")[0]


@pytest.mark.django_db
def test_commune_page_lists_the_commune_s_published_stories(client, melun, home_page):
    _engage(melun)
    index = StoryIndexPageFactory(parent=home_page)
    StoryPageFactory(parent=index, commune=melun, title="Josiane porte les courses")
    StoryPageFactory(parent=index, title="Une histoire d'ailleurs")
    draft = StoryPageFactory(parent=index, commune=melun, title="Un brouillon de Melun")
    draft.unpublish()
    html = client.get(reverse("kits:engaged_commune", args=[melun.slug])).content.decode()
    section = _section(html)
    assert "Josiane porte les courses" in section
    assert "Une histoire d'ailleurs" not in html
    assert "Un brouillon de Melun" not in html
    assert [s.title for s in selectors.commune_stories(melun, language="fr")] == [
        "Josiane porte les courses"
    ]
    assert selectors.commune_stories(melun, language="en") == []


@pytest.mark.django_db
def test_commune_stories_are_capped_at_the_limit_newest_first(melun, home_page):
    index = StoryIndexPageFactory(parent=home_page)
    for n in range(4):
        StoryPageFactory(parent=index, commune=melun, title=f"Histoire {n}")
    titles = [s.title for s in selectors.commune_stories(melun, language="fr", limit=3)]
    assert titles == ["Histoire 3", "Histoire 2", "Histoire 1"]


@pytest.mark.django_db
def test_commune_volunteer_count_comes_from_the_volunteers_selector(melun):
    assert selectors.commune_volunteer_count(melun) == 0
