"""What the help requests' pages and emails need beyond Django's tags: the absolute address of
one of the app's pages in the reader's language (an email's footer), the volunteer's own
preferences link, the moments and durations in words."""

from django import template
from django.urls import reverse

from campaign.site_address import public_url
from volunteers.models import AVAILABILITY_CHOICES

from ..services import duration_display

register = template.Library()


@register.simple_tag
def helprequests_public_url(name):
    """`https://…/coup-de-main/vos-donnees/` for "data": the app's page `name`, absolute, in
    the active language (emails are rendered in their reader's)."""
    return public_url(reverse(f"helprequests:{name}"))


@register.simple_tag
def volunteer_preferences_url(volunteer):
    """The volunteer's preference centre (a signed link, in their language): where they
    pause the proposals or stop them."""
    from volunteers.emails import preferences_url

    return preferences_url(volunteer)


@register.filter
def moments(values):
    """The availability slugs of a request in words, in the active language."""
    labels = dict(AVAILABILITY_CHOICES)
    return ", ".join(str(labels[value]) for value in values or () if value in labels)


@register.filter
def duration(minutes):
    return duration_display(minutes)
