"""The demo's English pages have English addresses: wagtail-localize translates the slug
like any other field, and every loader gives it its English wording."""

from io import StringIO

from django.core.management import call_command

from wagtail.models import Page

import pytest

# Words that are the same in both languages.
SAME_IN_BOTH = {"kits"}


def _english_pages():
    return {
        p.pk: (p.slug, p.url_path)
        for p in Page.objects.filter(locale__language_code="en", depth__gt=1, live=True)
    }


# A real transaction: the loaders commit as `make setup` runs them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_english_demo_page_has_an_english_slug_and_a_second_load_keeps_them(
    client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", force=True, stdout=StringIO())
    english = Page.objects.filter(locale__language_code="en", depth__gt=1, live=True)
    french_slugs = dict(
        Page.objects.filter(locale__language_code="fr").values_list("translation_key", "slug")
    )
    same = [
        (p.url_path, p.slug)
        for p in english
        if p.slug == french_slugs.get(p.translation_key) and p.slug not in SAME_IN_BOTH
    ]
    assert same == []
    known_french = set(french_slugs.values()) - SAME_IN_BOTH
    for page in english:
        assert not set(page.url_path.strip("/").split("/")) & known_french, page.url_path
    for slug in ("one-hour-a-month", "heatwave-check-on-your-neighbours", "press-kit"):
        assert client.get(f"/en/kits/{slug}/").status_code == 200, slug

    first = _english_pages()
    call_command("load_demo", force=True, stdout=StringIO())
    assert _english_pages() == first
