"""gunicorn's logger with the signed tokens blanked in the access log (campaign/logging.py).

gunicorn builds each access line from "atoms" (the request line, the path, the referrer, every
request header and WSGI variable); every text atom is redacted, so whatever
`access_log_format` an operator picks, a token never reaches the log. Named by
gunicorn.conf.py at the project's root, which gunicorn reads when started from there."""

from gunicorn.glogging import Logger

from campaign.logging import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) for key, value in atoms.items()}
