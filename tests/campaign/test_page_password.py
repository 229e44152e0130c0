"""Shared passwords of restricted pages and documents are throttled per client address
(campaign/accounts.py, scope ``page_password``): failed attempts only; once the limit is
reached the attempt is refused with 429 without checking the password, until the window ends."""

from django.core.files.base import ContentFile
from django.urls import resolve

from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

import pytest

from campaign import accounts, ratelimit

# The start of a 15-minute window, so that a test knows when its cool-off ends.
T0 = 900 * 2_000_000
PASSWORD = "le-mot-de-passe-partage"
LIMIT = 20

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "page_password": f"{LIMIT}/900"}


@pytest.fixture
def clock(monkeypatch):
    state = {"now": float(T0)}
    monkeypatch.setattr(ratelimit, "now", lambda: state["now"])
    return state


@pytest.fixture
def restricted_page(home_page):
    restriction = PageViewRestriction.objects.create(
        page=home_page, restriction_type=PageViewRestriction.PASSWORD, password=PASSWORD
    )
    url = f"/_util/authenticate_with_password/{restriction.pk}/{home_page.pk}/"
    return {"url": url, "protected": "/", "restriction": restriction}


@pytest.fixture
def restricted_document(db):
    collection = Collection.get_first_root_node().add_child(name="Réservé aux mairies")
    document = get_document_model().objects.create(
        title="Convention",
        file=ContentFile(b"%PDF-1.4 test", name="convention.pdf"),
        collection=collection,
    )
    restriction = CollectionViewRestriction.objects.create(
        collection=collection,
        restriction_type=CollectionViewRestriction.PASSWORD,
        password=PASSWORD,
    )
    url = f"/documents/authenticate_with_password/{restriction.pk}/"
    return {"url": url, "protected": document.url, "restriction": restriction}


@pytest.fixture(params=["page", "document"])
def restricted(request):
    return request.getfixturevalue(f"restricted_{request.param}")


def _try(client, restricted, password):
    return client.post(
        restricted["url"], {"password": password, "return_url": restricted["protected"]}
    )


def _passed(client, restricted):
    restriction = restricted["restriction"]
    return restriction.id in client.session.get(
        restriction.passed_view_restrictions_session_key, []
    )


def test_the_throttled_views_answer_at_wagtails_addresses_and_names(restricted):
    match = resolve(restricted["url"])
    assert match.func in (
        accounts.page_authenticate_with_password,
        accounts.document_authenticate_with_password,
    )
    assert match.url_name in (
        "wagtailcore_authenticate_with_password",
        "wagtaildocs_authenticate_with_password",
    )


def test_the_right_password_below_the_limit_unlocks(client, clock, restricted):
    for _ in range(LIMIT - 1):
        response = _try(client, restricted, "pas-le-bon")
        assert response.status_code == 200
    response = _try(client, restricted, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == restricted["protected"]
    assert _passed(client, restricted)


def test_after_the_limit_even_the_right_password_waits_for_the_window(client, clock, restricted):
    for _ in range(LIMIT):
        assert _try(client, restricted, "pas-le-bon").status_code == 200
    response = _try(client, restricted, PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "no-store" in response["Cache-Control"]
    # Nothing was unlocked: the session holds no passed restriction.
    assert not _passed(client, restricted)
    # Still refused later in the same window, accepted once it ends.
    clock["now"] += 600
    assert _try(client, restricted, PASSWORD).status_code == 429
    clock["now"] = T0 + 900
    response = _try(client, restricted, PASSWORD)
    assert response.status_code == 302
    assert _passed(client, restricted)


def test_a_right_password_counts_nothing(client, clock, restricted):
    for _ in range(LIMIT + 5):
        assert _try(client, restricted, PASSWORD).status_code == 302
    assert _try(client, restricted, "pas-le-bon").status_code == 200
