"""gunicorn's settings, read when it is started from the project's root
(https://docs.gunicorn.org/en/stable/configure.html#configuration-file).

The access log is off unless `--access-logfile` is given; when on, its lines go through
campaign/access_log.py, which blanks the signed tokens of the volunteers' links.

Production (deploy/systemd/tousvoisins-web.service) sets these from the environment; a
command-line option still wins over them (the e2e suite and bench/ pass --bind and
--workers):

| variable | default | what |
| --- | --- | --- |
| GUNICORN_BIND | 127.0.0.1:8000 | behind deploy/'s nginx: `unix:/run/tousvoisins/gunicorn.sock` |
| GUNICORN_WORKERS | 2 × cores + 1 | sync worker processes |
| GUNICORN_THREADS | 1 | threads per worker (>1 makes them gthread workers) |
| GUNICORN_TIMEOUT | 60 | seconds a request may take before its worker is restarted |
| GUNICORN_MAX_REQUESTS | 2000 | requests before a worker is replaced, ± 10 %; 0: never |
| FORWARDED_ALLOW_IPS | 127.0.0.1,::1 | proxies whose X-Forwarded-Proto is believed |
"""

import multiprocessing
import os

env = os.environ

logger_class = "campaign.access_log.RedactingLogger"

bind = [env.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(env.get("GUNICORN_WORKERS", str(2 * multiprocessing.cpu_count() + 1)))
threads = int(env.get("GUNICORN_THREADS", "1"))
timeout = int(env.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after about this many requests; the jitter keeps them from all
# restarting at once.
max_requests = int(env.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max(1, max_requests // 10) if max_requests else 0
# nginx on the same machine (or the socket) sets X-Forwarded-Proto; nobody else is believed.
forwarded_allow_ips = env.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
