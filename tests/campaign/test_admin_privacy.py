"""The admin sends nothing about staff to third parties (DESIGN: no third-party trackers)."""

import pytest


@pytest.mark.django_db
def test_admin_pages_load_no_avatar_from_gravatar(client, django_user_model, home_page):
    user = django_user_model.objects.create_superuser(
        "camille", "camille.martin@tousvoisins.example", "pw"
    )
    client.force_login(user)
    for url in ("/admin/", f"/admin/pages/{home_page.pk}/", "/admin/account/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"gravatar.com" not in response.content, url
