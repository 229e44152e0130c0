"""Inline styles a cached page may carry: allowed by their hash, never by a nonce.

A page served from the cache is the same bytes for everyone, with the Content-Security-Policy
stored beside it (campaign/cache.py); a nonce in it would be replayed to every visitor, which
makes it no nonce. A hash names the exact text of the block instead: `inline_style(request,
css)` returns the `<style>` element and records `'sha256-…'` on the request, and
SecurityHeadersMiddleware adds the recorded hashes to the response's `style-src`
(https://www.w3.org/TR/CSP3/#grammardef-hash-source). Used for the gesture categories'
colours (`{% category_colours %}`), which editors choose in the admin."""

import base64
import hashlib

from django.utils.safestring import mark_safe

STYLE_HASHES = "_csp_style_hashes"


def style_hash(css: str) -> str:
    digest = hashlib.sha256(css.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def inline_style(request, css: str) -> str:
    """`<style>css</style>`, allowed by its hash on this response. `css` must come from
    validated values: it may not hold "<" (it could close the element)."""
    if not css:
        return ""
    if "<" in css:
        raise ValueError("an inline style may not contain '<'")
    if request is not None:
        hashes = getattr(request, STYLE_HASHES, None)
        if hashes is None:
            hashes = []
            setattr(request, STYLE_HASHES, hashes)
        if style_hash(css) not in hashes:
            hashes.append(style_hash(css))
    return mark_safe(f"<style>{css}</style>")  # noqa: S308 - validated values, no "<"


def recorded_hashes(request) -> list[str]:
    return list(getattr(request, STYLE_HASHES, None) or [])
