"""The site's public address: the one source of every absolute link the site hands out.

QR codes on posters and on the booklet, printed addresses, emails, the sitemap, the RSS feed
and canonical links are all built here from `settings.WAGTAILADMIN_BASE_URL` (required in
production, `http://127.0.0.1:8000` in development), never from the request's host nor from
the Wagtail Site record: a poster printed from one machine must lead to the real site.

Wagtail's `Site.root_url` knows only `http://host:port`, or `https://host` on port 443, so it
cannot say `https://host:8443`; the Site record is still kept in step (hostname and port,
`default_site_sync()`, run by `manage.py site_address_sync` and the demo) for the admin's own
links, and a system check warns when the two differ.
"""

from urllib.parse import urlsplit

from django.conf import settings

DEFAULT_PORTS = {"http": 80, "https": 443}


def base_url() -> str:
    """`https://tousvoisins.example` (no trailing slash)."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def public_url(path: str = "/") -> str:
    """The absolute address of a path of this site: `/gestes/` gives
    `https://tousvoisins.example/gestes/`. An address that is already absolute (media on
    S3, another site) is returned as it is."""
    if path.startswith(("http://", "https://", "//")):
        return path
    if not path.startswith("/"):
        path = "/" + path
    return base_url() + path


def page_public_url(page, request=None) -> str:
    """The absolute address of a page (its language prefix included), or "" when the page is
    not routable (not under a site's root)."""
    parts = page.get_url_parts(request)
    if parts is None:
        return ""
    _site_id, _root_url, page_path = parts
    return public_url(page_path)


def rebase(url: str) -> str:
    """Move an address of this site (as Wagtail builds it from the Site record, e.g.
    `http://localhost/gestes/`) to the public address, keeping path, query and fragment."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if parts.fragment:
        path += "#" + parts.fragment
    return public_url(path)


def hostname_and_port() -> tuple[str, int]:
    """What the default Wagtail Site record should hold: ("tousvoisins.example", 443)."""
    parts = urlsplit(base_url())
    return parts.hostname or "localhost", parts.port or DEFAULT_PORTS.get(parts.scheme, 80)


def default_site_mismatch():
    """(site, expected hostname, expected port) when the default Site record does not match
    the public address, else None (also when there is no default site yet)."""
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).first()
    hostname, port = hostname_and_port()
    if site is None or (site.hostname, site.port) == (hostname, port):
        return None
    return site, hostname, port


def default_site_sync() -> bool:
    """Give the default Site record the hostname and port of the public address. Returns
    whether it changed. Idempotent."""
    mismatch = default_site_mismatch()
    if mismatch is None:
        return False
    site, hostname, port = mismatch
    site.hostname, site.port = hostname, port
    site.save(update_fields=["hostname", "port"])
    return True
