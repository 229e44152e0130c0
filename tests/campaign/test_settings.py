import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "campaign.settings.production",
    "SECRET_KEY": "k2J9v0qX7wH1rT8zL4mN6bC3yF5uA0sD2gE9hP7jQ1xV4iO6kR8tW3nM5zB7cY1a",
    "ALLOWED_HOSTS": "tousvoisins.example,www.tousvoisins.example",
    "DATABASE_URL": "sqlite:////tmp/tous-voisins-deploy-check.sqlite3",
    "WAGTAILADMIN_BASE_URL": "https://tousvoisins.example",
    "BREVO_API_KEY": "xkeysib-not-a-real-key",
    "ANYMAIL_WEBHOOK_SECRET": "brevo:a-long-random-password",
    "SUPPRESSION_HASH_KEY": "q8Zt3LmV0pRk6YwN1sHc9DfJ2bXe5GuA",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def _manage(*args, env_overrides=None, drop=()):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env.update(PRODUCTION_ENV)
    env.update(env_overrides or {})
    for name in drop:
        env.pop(name, None)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "ANYMAIL_WEBHOOK_SECRET",
        "SUPPRESSION_HASH_KEY",
        # Rate limits and the page cache must be shared by every worker.
        "REDIS_URL",
    ],
)
def test_production_refuses_to_start_without_a_secret(missing):
    result = _manage("check", drop=[missing])
    assert result.returncode != 0
    assert f"The environment variable {missing} is required in production." in result.stderr


@pytest.mark.parametrize(
    "backend",
    ["django.core.mail.backends.smtp.EmailBackend", "anymail.backends.postmark.EmailBackend"],
)
def test_production_requires_the_webhook_secret_whatever_the_email_backend(backend):
    result = _manage(
        "check", env_overrides={"EMAIL_BACKEND": backend}, drop=["ANYMAIL_WEBHOOK_SECRET"]
    )
    assert result.returncode != 0
    assert "The environment variable ANYMAIL_WEBHOOK_SECRET is required in production." in (
        result.stderr
    )


def test_production_with_smtp_passes_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"},
        drop=["BREVO_API_KEY"],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_behind_the_proxy_https_is_read_from_x_forwarded_proto():
    """Production trusts the X-Forwarded-Proto that deploy/'s nginx sets from its own scheme
    (SECURE_PROXY_SSL_HEADER): a request nginx received over https is secure for Django and
    is not redirected; one it received over http is redirected to https."""
    code = (
        "from django.test import RequestFactory\n"
        "from django.middleware.security import SecurityMiddleware\n"
        "factory = RequestFactory(HTTP_HOST='tousvoisins.example')\n"
        "middleware = SecurityMiddleware(lambda request: None)\n"
        "for proto in ('https', 'http', None):\n"
        "    extra = {'HTTP_X_FORWARDED_PROTO': proto} if proto else {}\n"
        "    request = factory.get('/histoires/', **extra)\n"
        "    redirect = middleware.process_request(request)\n"
        "    print(proto, request.is_secure(), redirect and redirect['Location'])\n"
    )
    result = _manage("shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "https True None",
        "http False https://tousvoisins.example/histoires/",
        "None False https://tousvoisins.example/histoires/",
    ]


def test_deploys_nginx_sets_x_forwarded_proto_from_its_own_scheme():
    """The header Django trusts is nginx's, never the client's: nginx replaces it."""
    site = subprocess.run(  # noqa: S603
        ["sh", str(BASE_DIR / "deploy" / "render-nginx.sh")],  # noqa: S607
        env={
            "PATH": os.environ["PATH"],
            "TV_SERVER_NAME": "tousvoisins.example",
            "TV_LISTEN": "80",
            "TV_PURGE_LISTEN": "127.0.0.1:8008",
            "TV_UPSTREAM": "unix:/run/tousvoisins/gunicorn.sock",
            "TV_STATIC_ROOT": "/srv/tousvoisins/static",
            "TV_MEDIA_ROOT": "/srv/tousvoisins/media",
            "TV_CACHE_DIR": "/var/cache/nginx/tousvoisins",
        },
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    location = site[site.index("location / {") :]
    location = location[: location.index("\n    }")]
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in location
