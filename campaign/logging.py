"""Keeping signed tokens out of the logs.

The volunteers' links (confirmation, preferences, data, erasure, unsubscribe: French and
English addresses) and the engaged communes' confirmation carry a signed token in their path.
Any 4xx on one of them makes Django log the path ("Bad Request: /benevoles/preferences/<token>/",
"Forbidden (CSRF token missing.): …", "Not Found: …"), and an access log prints every request
line: whoever reads the logs could open that person's data.

`redact()` replaces every path segment shaped like a signed token with "[token]". Django's
signed values (django.core.signing) are "payload:timestamp:signature", so a segment with a
colon (or its encoded form, %3A) and at least 16 characters is taken for one, whatever the
route; nothing else in our paths contains a colon. Installed as a filter on the loggers that
write request paths (campaign/settings/base.py LOGGING) and in gunicorn's access log
(campaign/access_log.py, named by gunicorn.conf.py).
"""

import logging
import re

TOKEN = "[token]"  # noqa: S105 - the placeholder, not a secret

# A path segment (after a slash, up to the next slash, query, fragment, quote or space) that
# contains a colon, raw or percent-encoded.
_SEGMENT = re.compile(r"(?<=/)(?=[^/\s?#\"'<>]{16,})[^/\s?#\"'<>]*(?::|%3[aA])[^/\s?#\"'<>]*")


def redact(value):
    """`value` with its token-shaped path segments replaced; non-strings are returned as is."""
    if isinstance(value, str) and (":" in value or "%3" in value):
        return _SEGMENT.sub(TOKEN, value)
    return value


def _redact_args(args):
    if isinstance(args, dict):
        return {k: _redact_one(v) for k, v in args.items()}
    if isinstance(args, tuple):
        return tuple(_redact_one(a) for a in args)
    return args


def _redact_one(value):
    if isinstance(value, str):
        return redact(value)
    # A request or a path object: its text, redacted (the message only needs the text).
    text = str(value) if value is not None and not isinstance(value, int | float) else None
    if text is not None and text != redact(text):
        return redact(text)
    return value


class RedactTokensFilter(logging.Filter):
    """Blanks signed tokens in a record's message and arguments (never drops the record)."""

    def filter(self, record):
        record.msg = redact(record.msg) if isinstance(record.msg, str) else record.msg
        if record.args:
            record.args = _redact_args(record.args)
        # Django attaches the request to its records (extra={"request": …}); a handler that
        # prints it (AdminEmailHandler) would print the full path. Only the path is needed.
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            path = getattr(request, "path", "")
            if isinstance(path, str) and redact(path) != path:
                record.request = None
        return True
