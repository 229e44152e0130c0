"""/media/ serves public image renditions only; nomination photos go to staff who may see
the nomination, private documents through Wagtail's view with its password; every file with
its true type, nosniff and a sandboxing CSP."""

import mimetypes

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

import pytest
from wagtail_factories import ImageFactory

from stories.models import Nomination
from tests.campaign.test_uploads import SCRIPT, nomination_data, polyglot_png
from tests.stories import conftest as stories_fixtures
from volunteers.factories import MairieAccessFactory

# The stories fixtures (a story index, communes with their postcodes).
geography = stories_fixtures.geography
story_index = stories_fixtures.story_index

FILE_CSP = "default-src 'none'; sandbox"


@pytest.fixture
def polyglot_nomination(client, story_index, geography, django_capture_on_commit_callbacks):
    """Sent the way the attacker did: a valid PNG holding a script, named hero.html."""
    upload = SimpleUploadedFile("hero.html", polyglot_png(), "text/html")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/histoires/proposer-un-heros/", nomination_data(photo=upload))
    return Nomination.objects.get()


def photo_url(nomination):
    return f"/admin/stories/nominations/{nomination.pk}/photo/"


@pytest.mark.django_db
def test_a_nomination_photo_has_no_public_address(client, polyglot_nomination):
    response = client.get("/media/" + polyglot_nomination.photo.name)
    assert response.status_code == 404
    # Nor by guessing the visitor's extension, nor by climbing out of images/.
    assert client.get("/media/nominations/").status_code == 404
    assert client.get("/media/images/../" + polyglot_nomination.photo.name).status_code == 404
    # The admin view is not public either: anonymous visitors are sent to sign in.
    response = client.get(photo_url(polyglot_nomination))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_staff_see_the_photo_as_an_image_that_cannot_run(client, admin_user, polyglot_nomination):
    client.force_login(admin_user)
    response = client.get(photo_url(polyglot_nomination))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == FILE_CSP
    assert "private" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\x89PNG") and SCRIPT not in body


@pytest.mark.django_db
def test_the_nomination_admin_pages_link_to_the_checked_view(
    client, admin_user, polyglot_nomination
):
    client.force_login(admin_user)
    for page in ("inspect", "edit"):
        response = client.get(
            f"/admin/snippets/stories/nomination/{page}/{polyglot_nomination.pk}/"
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert f'href="{photo_url(polyglot_nomination)}"' in html
        assert "/media/nominations/" not in html
    # The edit form has no file input for the photo: nothing uploaded there skips the checks.
    assert 'name="photo"' not in html


@pytest.mark.django_db
def test_a_mairie_user_cannot_see_a_nomination_photo(client, geography, polyglot_nomination):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("mairie-melun", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Mairie"))
    MairieAccessFactory(user=user, commune=geography["brest"])
    client.force_login(user)
    assert client.get(photo_url(polyglot_nomination)).status_code == 404


@pytest.mark.django_db
def test_communication_staff_see_the_photo(client, polyglot_nomination):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    # The Communication group's nomination rights (campaign demo): view and change.
    user = get_user_model().objects.create_user("com", password="x", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_nomination"),
    )
    client.force_login(user)
    assert client.get(photo_url(polyglot_nomination)).status_code == 200


# Wagtail images ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_image_renditions_are_public_with_their_type_and_no_way_to_run(client):
    image = ImageFactory()
    rendition = image.get_rendition("width-20")
    response = client.get(rendition.url)
    assert response.status_code == 200
    assert response["Content-Type"] == mimetypes.guess_type(rendition.url)[0]
    assert response["Content-Type"].startswith("image/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == FILE_CSP
    # The original upload is not served: pages, feeds and emails show renditions only.
    assert client.get(image.file.url).status_code == 404


@pytest.mark.django_db
def test_only_image_files_are_served_under_images(client, settings):
    (settings.MEDIA_ROOT / "images").mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "images" / "page.html").write_bytes(SCRIPT)
    try:
        assert client.get("/media/images/page.html").status_code == 404
    finally:
        (settings.MEDIA_ROOT / "images" / "page.html").unlink()


# Documents ----------------------------------------------------------------------------------


@pytest.fixture
def private_document(db):
    root = Collection.get_first_root_node()
    private = root.add_child(name="Réservé aux mairies")
    CollectionViewRestriction.objects.create(
        collection=private,
        restriction_type=CollectionViewRestriction.PASSWORD,
        password="secret-mairies",
    )
    document = get_document_model().objects.create(
        title="Liste privée",
        collection=private,
        file=ContentFile(b"%PDF-1.4 contenu confidentiel", name="liste-privee.pdf"),
    )
    yield document
    document.file.delete(save=False)


@pytest.mark.django_db
def test_a_private_document_is_never_served_under_media(client, private_document):
    response = client.get("/media/" + private_document.file.name)
    assert response.status_code == 404
    assert private_document.file.name.startswith("documents/")


@pytest.mark.django_db
def test_a_private_document_needs_its_password_and_comes_as_an_attachment(client, private_document):
    url = private_document.url
    assert url == f"/documents/{private_document.pk}/liste-privee.pdf"
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and 'name="password"' in html
    assert "confidentiel" not in html
    restriction = private_document.collection.get_view_restrictions().get()
    response = client.post(
        f"/documents/authenticate_with_password/{restriction.pk}/",
        {"password": "secret-mairies", "return_url": url},
    )
    assert response.status_code == 302
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 contenu confidentiel"
    # A PDF opens in the browser's viewer only once downloaded: never inline in our origin.
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


# Behind nginx (deploy/nginx/tousvoisins.conf) ------------------------------------------------


@pytest.mark.django_db
def test_behind_nginx_staff_get_the_photo_through_x_accel_redirect(
    client, admin_user, polyglot_nomination, settings
):
    # With MEDIA_ACCEL_REDIRECT the worker sends no bytes: nginx serves the file from its
    # internal location, and only after this view has checked the permission.
    settings.MEDIA_ACCEL_REDIRECT = True
    assert client.get(photo_url(polyglot_nomination)).status_code == 302  # anonymous
    client.force_login(admin_user)
    response = client.get(photo_url(polyglot_nomination))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_protected_media/" + polyglot_nomination.photo.name
    assert response.content == b""
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == FILE_CSP
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_behind_nginx_a_missing_photo_file_is_a_404(
    client, admin_user, polyglot_nomination, settings
):
    settings.MEDIA_ACCEL_REDIRECT = True
    polyglot_nomination.photo.storage.delete(polyglot_nomination.photo.name)
    client.force_login(admin_user)
    response = client.get(photo_url(polyglot_nomination))
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response
