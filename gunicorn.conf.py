"""gunicorn's settings, read when it is started from the project's root
(https://docs.gunicorn.org/en/stable/configure.html#configuration-file).

The access log is off unless `--access-logfile` is given; when on, its lines go through
campaign/access_log.py, which blanks the signed tokens of the volunteers' links."""

logger_class = "campaign.access_log.RedactingLogger"
