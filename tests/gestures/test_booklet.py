from django.core.files.storage import default_storage

import pytest

from gestures import services
from gestures.importing import CATEGORIES_FILE, GESTURES_FILE, categories_read, gestures_read
from gestures.models import GestureCategory

from .conftest import add_gestures
from .pdf import outline_titles


@pytest.mark.django_db
def test_booklet_is_a_pdf_with_every_gesture_title(catalogue, categories):
    pages = add_gestures(catalogue, categories, range(1, 101))
    name = services.booklet_get(language_code="fr")
    pdf = default_storage.open(name).read()
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    titles = outline_titles(pdf)
    # One outline entry per gesture, placed on the page that shows it; one per category.
    for page in pages:
        assert f"{page.number}. {page.title}" in titles
    for category in categories:
        assert category.name in titles
    assert "Les 100 gestes solidaires – Tous Voisins – Tous Solidaires" in titles


@pytest.mark.django_db
def test_booklet_prints_the_real_texts_accents_included(catalogue, locales):
    # The shipped texts hold « », “ ” and œ: the embedded font has them all.
    categories = {c.slug: c for c in categories_read(CATEGORIES_FILE)}
    rows = gestures_read(GESTURES_FILE, category_slugs=set(categories))[:12]
    saved = {}
    for row in rows:
        if row.category not in saved:
            c = categories[row.category]
            saved[row.category] = GestureCategory.objects.create(
                locale=locales["fr"], slug=c.slug, name=c.name[0], colour=c.colour, icon=c.icon
            )
    from gestures.factories import GesturePageFactory

    for row in rows:
        GesturePageFactory(
            parent=catalogue,
            number=row.number,
            title=row.title[0],
            description=row.description[0],
            howto=row.howto[0],
            category=saved[row.category],
        )
    pdf = default_storage.open(services.booklet_get(language_code="fr")).read()
    titles = outline_titles(pdf)
    for row in rows:
        assert f"{row.number}. {row.title[0]}" in titles


@pytest.mark.django_db
def test_booklet_is_cached_and_redrawn_when_a_gesture_is_published(
    catalogue, categories, django_capture_on_commit_callbacks
):
    pages = add_gestures(catalogue, categories, range(1, 6))
    first = services.booklet_get(language_code="fr")
    modified = default_storage.get_modified_time(first)
    assert services.booklet_get(language_code="fr") == first
    assert default_storage.get_modified_time(first) == modified  # served from the file
    pages[0].title = "Un titre revu par l'équipe"
    # Publishing enqueues the redraw (the immediate task backend runs it at commit).
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pages[0].save_revision().publish()
    assert callbacks
    _dirs, files = default_storage.listdir(services.BOOKLET_DIR)
    assert len(files) == 1 and f"{services.BOOKLET_DIR}/{files[0]}" != first
    second = services.booklet_get(language_code="fr")
    assert "1. Un titre revu par l'équipe" in outline_titles(default_storage.open(second).read())


@pytest.mark.django_db
def test_booklet_url_per_language_with_download_and_cache_headers(
    client, catalogue, categories, english_home, locales
):
    add_gestures(catalogue, categories, range(1, 4))
    html = client.get("/gestes/").content.decode()
    assert 'href="/gestes/livret/"' in html
    response = client.get("/gestes/livret/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "100-gestes-solidaires.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "public, max-age=600"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    etag = response["ETag"]
    assert client.get("/gestes/livret/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    # The English catalogue serves the English booklet.
    english = catalogue.copy_for_translation(locales["en"])
    english.slug = "gestures"
    english.save_revision().publish()
    response = client.get("/en/gestures/booklet/")
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert client.post("/gestes/livret/").status_code == 405


@pytest.mark.django_db
def test_outdated_booklet_is_served_while_the_new_one_is_drawn(
    client, catalogue, categories, django_capture_on_commit_callbacks
):
    pages = add_gestures(catalogue, categories, range(1, 4))
    old = services.booklet_get(language_code="fr")
    # A publication whose redraw has not run yet (no commit callbacks in this test).
    pages[0].title = "Un titre tout neuf"
    pages[0].save_revision().publish()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get("/gestes/livret/")
    assert response.status_code == 200
    assert response["ETag"] == '"{}"'.format(old.rsplit("-", 1)[-1].removesuffix(".pdf"))
    assert len(callbacks) == 1  # the redraw, enqueued once the request's work commits
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    new = services.booklet_get(language_code="fr")
    assert new != old and not default_storage.exists(old)
    assert "1. Un titre tout neuf" in outline_titles(default_storage.open(new).read())
