"""Admin views of the mailings: preview, send, test send, cancel, progress."""

from django.http import HttpResponse
from django.template.response import TemplateResponse

from . import mailing_emails, services
from .services import AudienceFilters


def mailing_preview_serve(request, mailing, mode_name):
    """Wagtail's preview of a mailing: the exact email with sample values, or the number of
    volunteers the audience reaches now."""
    if mode_name == "audience":
        filters = getattr(mailing, "_preview_filters", None) or AudienceFilters.of(mailing)
        count = services.mailing_audience(filters=filters).count()
        return TemplateResponse(
            request,
            "volunteers/admin/mailing_audience_preview.html",
            {"mailing": mailing, "count": count, "filters": filters},
        )
    return HttpResponse(mailing_emails.mailing_preview_html(mailing))
