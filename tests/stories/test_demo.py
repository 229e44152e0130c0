import hashlib

from django.contrib.auth.models import Group

from wagtail.models import Locale, Site

import pytest

from campaign import demo as campaign_demo
from campaign.geography.models import Commune, Department, Region, search_key
from home import demo as home_demo
from stories import demo
from stories.demo_content import STORIES
from stories.models import StoryIndexPage, StoryPage, StoryTheme


def _communes():
    """The demo's communes, as the INSEE import would give them (codes only matter)."""
    for n, story in enumerate(STORIES):
        code = story["insee"]
        department_code = code[:2]
        region, _ = Region.objects.get_or_create(
            code=f"9{n:02d}"[:3], defaults={"name": f"Région {n}", "slug": f"region-{n}"}
        )
        department, _ = Department.objects.get_or_create(
            code=department_code,
            defaults={
                "name": f"Département {department_code}",
                "slug": f"dep-{code}",
                "region": region,
            },
        )
        Commune.objects.get_or_create(
            insee_code=code,
            defaults={
                "name": f"Commune {code}",
                "slug": f"commune-{code.lower()}",
                "search_name": search_key(f"Commune {code}"),
                "department": department,
                "region": department.region,
            },
        )


def _load():
    campaign_demo.load()
    home_demo.load()
    Site.clear_site_root_paths_cache()
    return demo.load()


# A real transaction: wagtail-localize publishes each translation when the loader's
# transaction commits, as it does when `make run` loads the demo.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_demo_loads_twelve_stories_in_both_languages_idempotently(client):
    _communes()
    _load()
    _load()  # a second run changes nothing
    fr, en = Locale.objects.get(language_code="fr"), Locale.objects.get(language_code="en")
    assert StoryPage.objects.live().filter(locale=fr).count() == len(STORIES) >= 12
    assert StoryPage.objects.live().filter(locale=en).count() == len(STORIES)
    assert (
        StoryTheme.objects.filter(locale=en).count()
        == StoryTheme.objects.filter(locale=fr).count()
        >= 7
    )
    assert StoryIndexPage.objects.count() == 2
    # Several regions and themes.
    french = StoryPage.objects.live().filter(locale=fr)
    assert french.values("commune__region").distinct().count() >= 5
    assert StoryTheme.objects.filter(locale=fr, stories__in=french).distinct().count() >= 6
    # Each portrait is generated, distinct, and described.
    digests = set()
    for story in french:
        assert story.portrait_alt.startswith("Illustration : ")
        with story.portrait.open_file() as handle:
            digests.add(hashlib.sha256(handle.read()).hexdigest())
    assert len(digests) == len(STORIES)
    # The moderation groups exist with the workflow on both indexes.
    assert Group.objects.filter(name__in=["Contributeurs mairie", "Communication"]).count() == 2
    assert all(index.get_workflow() is not None for index in StoryIndexPage.objects.all())

    Site.clear_site_root_paths_cache()
    html = client.get("/histoires/").content.decode()
    assert "Josiane et les courses du cinquième" in html
    english = client.get("/en/stories/").content.decode()
    assert "Josiane and the fifth-floor shopping" in english
    assert "Older people" in english and "Aînés" not in english
    response = client.get("/en/stories/josiane-and-the-fifth-floor-shopping/")
    assert response.status_code == 200
    story = response.content.decode()
    assert "It all started on a Saturday when the lift was broken." in story
    assert "Illustration: the stylised bust" in story


@pytest.mark.django_db
def test_demo_skips_stories_whose_commune_is_not_imported():
    assert _load() == []
    assert StoryIndexPage.objects.filter(locale__language_code="fr").exists()
