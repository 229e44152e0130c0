"""System checks of the campaign package."""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


# Tagged "database": Django runs it where the database is meant to be there (`migrate`,
# `check --database default`), not in a bare `check --deploy` run before it exists.
@register(Tags.database)
def site_address_check(app_configs=None, databases=None, **kwargs):
    """The default Wagtail Site record should hold the host and port of
    WAGTAILADMIN_BASE_URL, the site's one public address."""
    if not databases:
        return []
    from . import site_address

    try:
        mismatch = site_address.default_site_mismatch()
    except DatabaseError:  # tables not created yet
        return []
    if mismatch is None:
        return []
    site, hostname, port = mismatch
    return [
        Warning(
            f"The default Wagtail site is {site.hostname}:{site.port} but "
            f"WAGTAILADMIN_BASE_URL ({site_address.base_url()}) says {hostname}:{port}.",
            hint="Run `manage.py site_address_sync` (make setup runs it).",
            id="campaign.W001",
        )
    ]
