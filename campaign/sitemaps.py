from django.db.models import Q

from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from campaign.site_address import rebase
from campaign.translated import translated_only


class AllLanguagesSitemap(Sitemap):
    """Wagtail's sitemap lists the site root's tree only, i.e. the French pages; the English
    tree hangs from the root's translation, so we list every translation's tree."""

    def items(self):
        site = self.get_wagtail_site()
        roots = Page.objects.filter(translation_key=site.root_page.translation_key)
        in_a_tree = Q()
        for root in roots:
            in_a_tree |= Q(path__startswith=root.path)
        return (
            translated_only(Page.objects.live().public())
            .filter(in_a_tree)
            .order_by("path")
            .defer_streamfields()
            .specific()
        )

    def _urls(self, page, protocol, domain):
        # Wagtail builds each location from the Site record (http only, unless port 443):
        # the sitemap gives the site's public address instead.
        urls = super()._urls(page, protocol, domain)
        for url_info in urls:
            if url_info.get("location"):
                url_info["location"] = rebase(url_info["location"])
        return urls
