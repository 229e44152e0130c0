from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.static import serve

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from campaign import accounts, views
from campaign.cache import cacheable
from campaign.routes import french_path
from campaign.sitemaps import AllLanguagesSitemap

# A request Django cannot read: templates/400.html in the visitor's language.
handler400 = "campaign.middleware.handler400"

urlpatterns = [
    # The admin's sign-in and password reset, throttled (campaign/accounts.py): at Wagtail's
    # own addresses and names, before Wagtail's admin, whose views they replace.
    path("admin/login/", accounts.LoginView.as_view(), name="wagtailadmin_login"),
    path(
        "admin/password_reset/",
        accounts.PasswordResetView.as_view(),
        name="wagtailadmin_password_reset",
    ),
    # Admin views guarded against the permission matrix and malformed ?id= (campaign/
    # admin_urls.py): at Wagtail's and wagtail-localize's own addresses, before them.
    path("admin/", include("campaign.admin_urls")),
    path("admin/", include(wagtailadmin_urls)),
    # Shared passwords of restricted documents, throttled (campaign/accounts.py).
    path(
        "documents/authenticate_with_password/<int:restriction_id>/",
        accounts.document_authenticate_with_password,
        name="wagtaildocs_authenticate_with_password",
    ),
    path("documents/", include(wagtaildocs_urls)),
    path(
        "sitemap.xml",
        cacheable(sitemap),
        {"sitemaps": {"pages": AllLanguagesSitemap}},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Browsers and feed readers ask for /favicon.ico whatever the page says.
    path(
        "favicon.ico",
        cache_control(public=True, max_age=7 * 24 * 3600)(serve),
        {"path": "img/favicon.ico", "document_root": settings.BASE_DIR / "static"},
        name="favicon",
    ),
    # The ESP's tracking webhooks (mailings/urls.py): Brevo's, then any other ESP's.
    path("", include("mailings.urls")),
]

if settings.SERVE_MEDIA:
    # Local media (the embedded tier and single-machine installs): the public image
    # renditions only, never documents, originals or nominations (campaign/media.py).
    from django.urls import re_path

    from campaign.media import serve_public_media

    urlpatterns += [
        re_path(
            r"^{}(?P<path>.*)$".format(settings.MEDIA_URL.lstrip("/")),
            serve_public_media,
            name="media",
        )
    ]

# Each app's public URLs, in the visitor's language and with paths in that language (see
# campaign/routes.py: the French paths keep working under /en/). Wagtail's pages come last.
urlpatterns += i18n_patterns(
    path(_("recherche/"), views.search, name="search"),
    french_path("recherche/", views.search, "search"),
    path("", include("campaign.geography.urls")),
    path("", include("volunteers.urls")),
    path("", include("kits.urls")),
    path("", include("directory.urls")),
    path("", include("network.urls")),
    path("", include("helprequests.urls")),
    # Wagtail's front-end sign-in, throttled like the admin's (campaign/accounts.py).
    path("_util/login/", accounts.FrontendLoginView.as_view(), name="wagtailcore_login"),
    # Shared passwords of restricted pages, throttled the same way.
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        accounts.page_authenticate_with_password,
        name="wagtailcore_authenticate_with_password",
    ),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
