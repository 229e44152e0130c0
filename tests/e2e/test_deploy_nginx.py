"""The nginx site of deploy/ in front of the production site, as an operator installs it:
deploy/render-nginx.sh renders deploy/nginx/tousvoisins.conf with loopback ports and
temporary paths, and Debian's nginx runs it (with libnginx-mod-http-cache-purge) as the
current user under a prefix of its own.

Two upstreams: a stub that answers with the headers contract of campaign/cache.py (so the
proxy cache's rules are checked whatever the pages do), and the e2e suite's site (gunicorn,
production settings, demo content) with MEDIA_ACCEL_REDIRECT on and Wagtail's frontend cache
pointed at this nginx.
"""

import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .nginx import Nginx
from .site import PROJECT, PYTHON

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


@pytest.mark.parametrize("cookie", ["messages=abc", "gestes_faits=12.14"])
def test_a_personal_cookie_bypasses_the_cache(contract_nginx, cookie):
    """A message waiting to be shown, or the gestures a visitor said they did: the page
    differs for them (PAGE_CACHE_PERSONAL_COOKIES), nginx neither serves nor stores it."""
    path = f"/public/{cookie.split('=')[0]}"
    contract_nginx.request(path)
    status, headers, body = contract_nginx.request(path, headers={"Cookie": cookie})
    assert headers["x-cache-status"] == "BYPASS" and body == f"{path} #2".encode()
    assert contract_nginx.request(path)[2] == f"{path} #1".encode()


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
from stories.models import StoryPage
page = StoryPage.objects.get(slug={slug!r}, locale__language_code="fr")
page.title = page.title + " !"
page.save_revision().publish()
"""


def _purged(deployed, path, timeout=60):
    """nginx's answer once its copy is gone: HIT until the purge worker has run, then MISS
    (PAGE_CACHE_SECONDS is an hour: nothing else empties it)."""
    deadline = time.monotonic() + timeout
    while True:
        status, headers, body = deployed.request(path)
        if headers["x-cache-status"] != "HIT" or time.monotonic() > deadline:
            return headers["x-cache-status"], body
        time.sleep(0.2)


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
    # FRONTEND_CACHE_PURGE_URL: this nginx); the purge is a task on the "cache" queue, run by
    # the purge worker the `deployed` fixture starts, as deploy/systemd does.
    slug = story.rstrip("/").rsplit("/", 1)[-1]
    subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", PUBLISH.format(slug=slug)],
        cwd=PROJECT,
        env=deployed.env,
        check=True,
        capture_output=True,
    )
    for path in ("/", index, story):
        assert _purged(deployed, path)[0] == "MISS", path
    assert "!" in deployed.request(story)[2].decode()
