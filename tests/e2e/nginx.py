"""deploy/'s nginx site, rendered by deploy/render-nginx.sh with loopback ports and temporary
paths and run by Debian's nginx (with libnginx-mod-http-cache-purge) as the current user under
a prefix of its own; and the production site behind it, as docs/DEPLOY.md sets it up. Used by
test_deploy_nginx.py and test_cached_journeys.py (the `deployed` fixture of conftest.py)."""

import contextlib
import http.client
import os
import signal
import subprocess
import time
from pathlib import Path

from .site import OUT, PROJECT, PYTHON, _free_port

RENDER = PROJECT / "deploy" / "render-nginx.sh"
PURGE_MODULE = Path("/usr/lib/nginx/modules/ngx_http_cache_purge_module.so")


class Nginx:
    """deploy/'s site rendered for loopback and run by `nginx -p <dir> -g 'daemon off;'`."""

    def __init__(self, name, *, upstream, static_root, media_root):
        self.dir = OUT / f"nginx-{name}"
        self.port = _free_port()
        self.purge_port = _free_port()
        self.upstream = upstream
        self.static_root = static_root
        self.media_root = media_root
        self.process = None

    def render(self):
        env = {
            "PATH": os.environ["PATH"],
            "TV_SERVER_NAME": "127.0.0.1 localhost",
            "TV_LISTEN": f"127.0.0.1:{self.port}",
            "TV_PURGE_LISTEN": f"127.0.0.1:{self.purge_port}",
            "TV_UPSTREAM": self.upstream,
            "TV_STATIC_ROOT": str(self.static_root),
            "TV_MEDIA_ROOT": str(self.media_root),
            "TV_CACHE_DIR": str(self.dir / "cache"),
        }
        return subprocess.run(
            ["sh", str(RENDER)], env=env, check=True, capture_output=True, text=True
        ).stdout

    def start(self):
        subprocess.run(["rm", "-rf", str(self.dir)], check=True)
        (self.dir / "tmp").mkdir(parents=True)
        (self.dir / "site.conf").write_text(self.render())
        # What Debian's /etc/nginx/nginx.conf gives the site, with the prefix's own paths.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (self.dir / "nginx.conf").write_text(
            f"{user}load_module {PURGE_MODULE};\n"
            f"pid {self.dir}/nginx.pid;\n"
            f"error_log {self.dir}/error.log;\n"
            "worker_processes 1;\n"
            "events { worker_connections 512; }\n"
            "http {\n"
            "  include /etc/nginx/mime.types;\n"
            "  default_type application/octet-stream;\n"
            "  sendfile on;\n"
            f"  access_log {self.dir}/access.log;\n"
            f"  client_body_temp_path {self.dir}/tmp/body;\n"
            f"  proxy_temp_path {self.dir}/tmp/proxy;\n"
            f"  fastcgi_temp_path {self.dir}/tmp/fastcgi;\n"
            f"  uwsgi_temp_path {self.dir}/tmp/uwsgi;\n"
            f"  scgi_temp_path {self.dir}/tmp/scgi;\n"
            f"  include {self.dir}/site.conf;\n"
            "}\n"
        )
        conf = ["-p", str(self.dir), "-c", str(self.dir / "nginx.conf")]
        subprocess.run(["nginx", *conf, "-t", "-q"], check=True)
        self.process = subprocess.Popen(
            ["nginx", *conf, "-g", "daemon off;"], start_new_session=True
        )
        wait_for_port(self.port)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def request(self, path, method="GET", headers=None, host="127.0.0.1", source="127.0.0.1"):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(source, 0)
        )
        try:
            connection.request(method, path, headers={"Host": host, **(headers or {})})
            response = connection.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            connection.close()


def wait_for_port(port, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=2).connect()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def deployed_site(live_site):
    """A gunicorn of its own on the e2e site's database and files, configured as deploy/
    configures it (MEDIA_ACCEL_REDIRECT, FRONTEND_CACHE=nginx), behind a rendered nginx, with
    the purge queue's worker of deploy/systemd (tousvoisins-worker-cache): the site's own
    worker takes the default queue only."""
    port = _free_port()
    nginx = Nginx(
        "site",
        upstream=f"127.0.0.1:{port}",
        static_root=live_site.run_dir / "static",
        media_root=live_site.run_dir / "media",
    )
    env = live_site.env()
    env.update(
        {
            "MEDIA_ACCEL_REDIRECT": "true",
            "FRONTEND_CACHE": "nginx",
            "FRONTEND_CACHE_PURGE_URL": f"http://127.0.0.1:{nginx.purge_port}",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "2",
        }
    )
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    env["CACHE_KEY_PREFIX"] = f"tv-e2e-deploy-{port}"
    log = open(nginx.dir.parent / "deploy-gunicorn.log", "w")  # noqa: SIM115
    # gunicorn.conf.py reads GUNICORN_BIND and GUNICORN_WORKERS, as the systemd unit uses it.
    gunicorn = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "campaign.wsgi", "--access-logfile", "-"],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    # The purges of this gunicorn's publishes go to this nginx (campaign/purge.py: the "cache"
    # queue); the e2e site's worker knows no proxy and runs the default queue only.
    worker = subprocess.Popen(
        [
            PYTHON,
            "manage.py",
            "db_worker",
            "--queue-name",
            "cache",
            "--interval",
            "0.2",
            "--no-startup-delay",
        ],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(port, timeout=60)
        nginx.start()
        nginx.env = env
        nginx.gunicorn_log = Path(log.name)
        yield nginx
    finally:
        nginx.stop()
        for process in (gunicorn, worker):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        log.close()
