"""The nginx site of deploy/ in front of the production site, as an operator installs it:
deploy/render-nginx.sh renders deploy/nginx/tousvoisins.conf with loopback ports and
temporary paths, and Debian's nginx runs it (with libnginx-mod-http-cache-purge) as the
current user under a prefix of its own.

Two upstreams: a stub that answers with the headers contract of campaign/cache.py (so the
proxy cache's rules are checked whatever the pages do), and the e2e suite's site (gunicorn,
production settings, demo content) with MEDIA_ACCEL_REDIRECT on and Wagtail's frontend cache
pointed at this nginx.
"""

import http.client
import os
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

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


# The headers contract, served by a stub ---------------------------------------------------


class ContractHandler(BaseHTTPRequestHandler):
    """`/public/...`: what campaign/cache.py sends on a cacheable anonymous page;
    `/private/...`: a personal page; `/cookie/...`: a public page that sets a cookie.
    Each answer says how many times the stub was asked for its path."""

    hits = {}
    lock = threading.Lock()

    def do_GET(self):
        with self.lock:
            count = self.hits[self.path] = self.hits.get(self.path, 0) + 1
        body = f"{self.path} #{count}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if self.path.startswith(("/public/", "/cookie/")):
            self.send_header("Cache-Control", "public, max-age=0, s-maxage=600")
            self.send_header("X-Accel-Expires", "600")
        else:
            self.send_header("Cache-Control", "private, no-cache")
        if self.path.startswith("/cookie/"):
            self.send_header("Set-Cookie", "csrftoken=abc; Path=/")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def contract_nginx(tmp_path_factory):
    server = ThreadingHTTPServer(("127.0.0.1", 0), ContractHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    empty = tmp_path_factory.mktemp("empty")
    nginx = Nginx(
        "contract",
        upstream=f"127.0.0.1:{server.server_address[1]}",
        static_root=empty,
        media_root=empty,
    ).start()
    yield nginx
    nginx.stop()
    server.shutdown()


def upstream_hits(path):
    return ContractHandler.hits.get(path, 0)


def test_a_public_page_is_a_miss_then_a_hit(contract_nginx):
    status, headers, body = contract_nginx.request("/public/a")
    assert (status, headers["x-cache-status"], body) == (200, "MISS", b"/public/a #1")
    status, headers, body = contract_nginx.request("/public/a")
    assert (status, headers["x-cache-status"], body) == (200, "HIT", b"/public/a #1")
    # The application's headers pass through untouched.
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "public, max-age=0, s-maxage=600"
    assert upstream_hits("/public/a") == 1


def test_a_signed_in_request_is_never_served_from_the_cache_nor_stored(contract_nginx):
    contract_nginx.request("/public/b")  # stored for anonymous visitors
    cookie = {"Cookie": "csrftoken=x; sessionid=staff-session"}
    status, headers, body = contract_nginx.request("/public/b", headers=cookie)
    assert headers["x-cache-status"] == "BYPASS" and body == b"/public/b #2"
    # A path first asked for by a signed-in person is not stored for the next visitor.
    contract_nginx.request("/public/c", headers=cookie)
    status, headers, body = contract_nginx.request("/public/c")
    assert headers["x-cache-status"] == "MISS" and body == b"/public/c #2"
    # And anonymous visitors still get the anonymous copy of /public/b.
    assert contract_nginx.request("/public/b")[2] == b"/public/b #1"


def test_private_pages_and_answers_that_set_a_cookie_are_never_stored(contract_nginx):
    for path in ("/private/d", "/cookie/e"):
        for expected in (1, 2):
            status, headers, body = contract_nginx.request(path)
            assert body == f"{path} #{expected}".encode()
            assert headers["x-cache-status"] == "MISS"


def test_purge_from_this_machine_empties_the_entry(contract_nginx):
    contract_nginx.request("/public/f")
    assert contract_nginx.request("/public/f")[1]["x-cache-status"] == "HIT"
    status, _headers, _body = contract_nginx.request("/public/f", method="PURGE")
    assert status == 200
    status, headers, body = contract_nginx.request("/public/f")
    assert headers["x-cache-status"] == "MISS" and body == b"/public/f #2"
    # A purge of what is not stored says so.
    assert contract_nginx.request("/public/never", method="PURGE")[0] == 404


def test_purge_from_another_address_is_refused(contract_nginx):
    contract_nginx.request("/public/h")
    # 127.0.0.2 is loopback too, but not an address the purge location allows.
    assert contract_nginx.request("/public/h", method="PURGE", source="127.0.0.2")[0] == 403
    assert contract_nginx.request("/public/h")[1]["x-cache-status"] == "HIT"
    # Nor can the purge location be asked for by its name.
    assert contract_nginx.request("/_purge")[0] == 404


def test_wagtails_purge_reaches_the_entry_an_https_visitor_filled(contract_nginx):
    from wagtail.contrib.frontend_cache.backends import HTTPBackend

    # The visitor came over https with the public host name (the key has no scheme); Wagtail
    # purges over http on loopback with that Host, as FRONTEND_CACHE_PURGE_URL says.
    headers = {"X-Forwarded-Proto": "https"}
    contract_nginx.request("/public/g?page=2", headers=headers, host="localhost")
    assert (
        contract_nginx.request("/public/g?page=2", host="localhost")[1]["x-cache-status"] == "HIT"
    )
    HTTPBackend({"LOCATION": f"http://127.0.0.1:{contract_nginx.purge_port}"}).purge(
        "https://localhost/public/g?page=2"
    )
    assert (
        contract_nginx.request("/public/g?page=2", host="localhost")[1]["x-cache-status"] == "MISS"
    )


# The production site behind it -------------------------------------------------------------


@pytest.fixture(scope="module")
def deployed(live_site):
    """A gunicorn of its own on the e2e site's database and files, configured as deploy/
    configures it (MEDIA_ACCEL_REDIRECT, FRONTEND_CACHE=nginx), behind a rendered nginx."""
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
    try:
        wait_for_port(port, timeout=60)
        nginx.start()
        nginx.env = env
        nginx.gunicorn_log = Path(log.name)
        yield nginx
    finally:
        nginx.stop()
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
        log.close()


def gunicorn_saw(deployed, path):
    return f" {path} " in deployed.gunicorn_log.read_text() or f"{path} HTTP" in (
        deployed.gunicorn_log.read_text()
    )


def test_static_files_are_served_by_nginx_compressed_and_cached_for_a_year(deployed, live_site):
    import json

    manifest = json.loads((live_site.run_dir / "static" / "staticfiles.json").read_text())
    hashed = next(name for name in manifest["paths"].values() if name.endswith(".css"))
    path = "/static/" + hashed
    status, headers, body = deployed.request(path, headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["content-type"].startswith("text/css")
    assert body == (live_site.run_dir / "static" / (hashed + ".gz")).read_bytes()
    status, headers, body = deployed.request(path)
    assert "content-encoding" not in headers
    assert body == (live_site.run_dir / "static" / hashed).read_bytes()
    assert not gunicorn_saw(deployed, path)


def test_renditions_are_served_by_nginx_and_other_media_are_not_public(deployed, live_site):
    rendition, original, photo = live_site.shell(
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage\n"
        "from wagtail.images.models import Image\n"
        "image = Image.objects.order_by('pk').first()\n"
        "r = image.get_rendition('width-40')\n"
        "p = default_storage.save('nominations/deploy-check.png', ContentFile(b'x'))\n"
        "print(r.file.name, image.file.name, p)"
    ).split()
    status, headers, body = deployed.request("/media/" + rendition)
    assert status == 200 and headers["content-type"].startswith("image/")
    assert headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in headers["content-security-policy"]
    assert body == (live_site.run_dir / "media" / rendition).read_bytes()
    assert not gunicorn_saw(deployed, "/media/" + rendition)
    for path in ("/media/" + original, "/media/" + photo, "/media/images/../" + photo):
        status, _headers, body = deployed.request(path)
        assert status == 404, path
        assert body != (live_site.run_dir / "media" / photo).read_bytes()
    # The internal location is not an address anyone may ask for.
    assert deployed.request("/_protected_media/" + photo)[0] == 404


def staff_session(live_site):
    return live_site.shell(
        "from django.contrib.auth import get_user_model\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from importlib import import_module\n"
        "from django.conf import settings\n"
        "user = get_user_model().objects.get(username='admin')\n"
        "s = import_module(settings.SESSION_ENGINE).SessionStore()\n"
        "s['_auth_user_id'] = str(user.pk)\n"
        "s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend'\n"
        "s['_auth_user_hash'] = user.get_session_auth_hash()\n"
        "s.create()\n"
        "print(s.session_key)"
    )


def test_staff_get_a_nomination_photo_through_x_accel_redirect(deployed, live_site):
    png = live_site.shell(
        "import io\n"
        "from PIL import Image as P\n"
        "from django.core.files.base import ContentFile\n"
        "from stories.models import Nomination\n"
        "from campaign.geography.models import Commune\n"
        "buf = io.BytesIO(); P.new('RGB', (8, 8), 'red').save(buf, 'PNG')\n"
        "n = Nomination(proposer_name='Deploy', proposer_email='deploy@exemple.fr',\n"
        "    hero_first_name='Nginx', what_they_did='Rien', hero_agreed=True,\n"
        "    commune=Commune.objects.first())\n"
        "n.photo.save('x.png', ContentFile(buf.getvalue()), save=False)\n"
        "n.save(); print(n.pk)"
    )
    url = f"/admin/stories/nominations/{png}/photo/"
    status, headers, _body = deployed.request(url)
    assert status == 302 and "/admin/login/" in headers["location"]
    cookie = {"Cookie": f"sessionid={staff_session(live_site)}"}
    status, headers, body = deployed.request(url, headers=cookie)
    assert status == 200, body[:300]
    assert body.startswith(b"\x89PNG")
    assert headers["content-type"] == "image/png"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert "no-store" in headers["cache-control"] and "private" in headers["cache-control"]
    assert "x-accel-redirect" not in headers
    # gunicorn answered 200 with an empty body (its access log's size is 0): nginx sent the
    # file, from the internal location the answer named.
    line = f'"GET {url} HTTP/1.1" 200 0 '
    deadline = time.monotonic() + 10
    while line not in deployed.gunicorn_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)  # the access log line is written once the answer is sent
    assert line in deployed.gunicorn_log.read_text()


def test_the_sites_public_pages_are_cached_and_staff_bypass_it(deployed):
    # The pages' own headers (campaign/cache.py) are what nginx obeys.
    for path in ("/", "/en/"):
        status, headers, body = deployed.request(path)
        assert status == 200 and headers["x-cache-status"] in ("MISS", "EXPIRED")
        assert "s-maxage=" in headers["cache-control"]
        assert "set-cookie" not in headers
        status, headers, cached = deployed.request(path)
        assert headers["x-cache-status"] == "HIT" and cached == body
    status, headers, _body = deployed.request("/", headers={"Cookie": "sessionid=whoever"})
    assert headers["x-cache-status"] == "BYPASS"


PUBLISH = """
from django.test import override_settings
from stories.models import StoryPage
immediate = {{"default": {{"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}}}
with override_settings(TASKS=immediate):
    page = StoryPage.objects.get(slug={slug!r}, locale__language_code="fr")
    page.title = page.title + " !"
    page.save_revision().publish()
"""


def test_publishing_a_story_purges_the_proxy_cache(deployed, live_site):
    index, story = live_site.shell(
        "from stories.models import StoryIndexPage, StoryPage\n"
        "print(StoryIndexPage.objects.live().filter(locale__language_code='fr').first().url,"
        " StoryPage.objects.live().filter(locale__language_code='fr').first().url)"
    ).split()
    for path in ("/", index, story):
        deployed.request(path)
        assert deployed.request(path)[1]["x-cache-status"] == "HIT", path
    # Published by a process configured as deploy/'s units are (FRONTEND_CACHE=nginx,
    # FRONTEND_CACHE_PURGE_URL: this nginx). Wagtail purges through a task; the e2e site's
    # own worker does not know this nginx, so the purge task runs here, at once.
    slug = story.rstrip("/").rsplit("/", 1)[-1]
    subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", PUBLISH.format(slug=slug)],
        cwd=PROJECT,
        env=deployed.env,
        check=True,
        capture_output=True,
    )
    for path in ("/", index, story):
        status, headers, body = deployed.request(path)
        assert headers["x-cache-status"] == "MISS", path
    assert "!" in deployed.request(story)[2].decode()
