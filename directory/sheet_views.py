"""The commune's printable sheet (directory/sheet.py) as a public PDF: the same for every
anonymous visitor, so cached like the directory's other public pages (campaign/cache.py);
directory/signals.py purges them all when an actor or a help point changes."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from campaign.cache import cacheable
from campaign.geography.models import Commune
from campaign.models import CampaignSettings

from .sheet import commune_sheet_pdf, sheet_filename


@cacheable
@require_GET
def commune_sheet(request, slug):
    """The sheet of the commune `slug` in the page's language; an unknown commune gets the
    site's 404 page."""
    commune = get_object_or_404(Commune, slug=slug)
    language = (get_language() or "fr")[:2]
    pdf = commune_sheet_pdf(
        commune,
        language=language,
        today=timezone.localdate(),
        campaign_name=CampaignSettings.for_request(request).campaign_name,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    # Opened in the browser's viewer, ready to print; saved under a readable ASCII name.
    filename = sheet_filename(commune, language=language)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
