import pytest

from gestures import demo
from gestures.models import GestureCategory, GestureIndexPage, GesturePage


@pytest.mark.django_db
def test_demo_loader_sets_up_the_100_gestures_in_both_languages(
    english_home, locales, django_capture_on_commit_callbacks, client
):
    # load_demo (run by `make setup`) is the set-up step for the gestures.
    with django_capture_on_commit_callbacks(execute=True):
        first = demo.load()
    assert first.gestures.created == 100
    for language in ("fr", "en"):
        assert GestureIndexPage.objects.live().filter(locale=locales[language]).count() == 1
        pages = GesturePage.objects.live().filter(locale=locales[language])
        assert sorted(pages.values_list("number", flat=True)) == list(range(1, 101))
        assert GestureCategory.objects.filter(locale=locales[language]).count() == 10
    with django_capture_on_commit_callbacks(execute=True):
        again = demo.load()
    assert again.gestures.unchanged == 100
    assert not again.changed
    assert client.get("/gestes/").status_code == 200
    html = client.get("/en/gestures/").content.decode()
    assert html.count("data-gesture-item") == 100
