"""What issue 12's protections cost, measured side by side in one run on the demo content
with the production settings (SQLite), in-process with Django's test client:

1. pages rendered with the security middlewares (Content-Security-Policy with a nonce,
   Permissions-Policy, the malformed-request check) and without them, interleaved round by round;
2. one hit of the rate limiter (`campaign.ratelimit.consume`) on local memory and, when
   REDIS_URL answers, on Redis, against the home page's render;
3. a nomination photo (a 12-megapixel JPEG) re-encoded by `campaign.uploads.safe_image`,
   against the check it replaced (Pillow's `verify()`).

    .venv/bin/python bench/bench_trust.py [--rounds 30]

Nothing here asserts a timing; the figures go to docs/PERFORMANCE.md."""

import argparse
import io
import os
import statistics
import sys
import time

from common import BASE_DIR, prepare_database, production_env

PAGES = [
    ("home", "/"),
    ("home (en)", "/en/"),
    ("gestures catalogue", "/gestes/"),
    ("sign-up page", None),  # found below: the live sign-up page
    ("search", "/recherche/?q=voisin"),
    ("search with a stray quote", "/recherche/?q=%22voisin"),
]
WITHOUT = {
    "campaign.middleware.SecurityHeadersMiddleware",
    "campaign.middleware.MalformedRequestMiddleware",
}


def median_ms(samples):
    return statistics.median(samples) * 1000


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def bench_pages(rounds):
    from django.conf import settings
    from django.test import Client, override_settings

    from volunteers.models import VolunteerSignupPage

    signup = VolunteerSignupPage.objects.live().filter(locale__language_code="fr").first()
    pages = [(name, path or signup.url) for name, path in PAGES]
    stripped = [m for m in settings.MIDDLEWARE if m not in WITHOUT]
    samples = {(name, variant): [] for name, _ in pages for variant in ("with", "without")}
    statuses = set()
    for round_ in range(rounds):
        # Which variant goes first alternates, so neither always meets a warmer cache.
        order = ("with", "without") if round_ % 2 else ("without", "with")
        for name, path in pages:
            for variant in order:
                if variant == "with":
                    client = Client(HTTP_HOST="127.0.0.1")
                    seconds, response = timed(client.get, path)
                else:
                    with override_settings(MIDDLEWARE=stripped):
                        client = Client(HTTP_HOST="127.0.0.1")
                        seconds, response = timed(client.get, path)
                statuses.add(response.status_code)
                if variant == "with":
                    assert "Content-Security-Policy" in response, path
                samples[(name, variant)].append(seconds)
    print("| page | with the security middlewares (ms) | without (ms) | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for name, _ in pages:
        with_ms = median_ms(samples[(name, "with")])
        without_ms = median_ms(samples[(name, "without")])
        print(f"| {name} | {with_ms:.1f} | {without_ms:.1f} | {with_ms / without_ms:.2f} |")
    print(f"\nstatuses seen: {sorted(statuses)}\n")
    return median_ms(samples[("home", "with")])


def bench_limiter(rounds, home_ms):
    from django.core.cache.backends.locmem import LocMemCache
    from django.test import RequestFactory

    from campaign import ratelimit

    backends = {"local memory": LocMemCache("bench", {})}
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        from django.core.cache.backends.redis import RedisCache

        redis = RedisCache(redis_url, {"KEY_PREFIX": "bench-trust"})
        redis.set("ping", 1, 5)
        backends["Redis"] = redis
    except Exception as exc:  # noqa: BLE001 - Redis is optional here
        print(f"(Redis not measured: {type(exc).__name__})\n")
    factory = RequestFactory()
    original = ratelimit.cache
    print("| cache | one consume() (µs, median of", rounds * 100, ") | share of a home render |")
    print("| --- | ---: | ---: |")
    try:
        for label, backend in backends.items():
            ratelimit.cache = backend
            times = []
            for i in range(rounds * 100):
                request = factory.post("/", REMOTE_ADDR=f"10.0.{i % 250}.{i % 200}")
                seconds, _ = timed(ratelimit.consume, request, "signup")
                times.append(seconds)
            per_hit = median_ms(times)
            print(f"| {label} | {per_hit * 1000:.0f} | {per_hit / home_ms:.1%} |")
    finally:
        ratelimit.cache = original
    print()


def bench_upload(rounds):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from PIL import Image

    from campaign.uploads import safe_image
    from stories.forms import MAX_PHOTO_BYTES, PHOTO_MAX_SIDE

    width, height = 4000, 3000
    picture = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize((width, height)),
            Image.radial_gradient("L").resize((width, height)),
            Image.effect_noise((width, height), 40),
        ],
    )
    data = io.BytesIO()
    picture.save(data, "JPEG", quality=85)
    raw = data.getvalue()
    verify, reencode = [], []
    for _ in range(max(3, rounds // 3)):
        upload = SimpleUploadedFile("photo.jpg", raw, content_type="image/jpeg")

        def old_check(upload=upload):
            with Image.open(upload) as image:
                image.verify()

        verify.append(timed(old_check)[0])
        upload = SimpleUploadedFile("photo.jpg", raw, content_type="image/jpeg")
        seconds, result = timed(
            safe_image,
            upload,
            max_bytes=MAX_PHOTO_BYTES,
            max_pixels=40_000_000,
            max_side=PHOTO_MAX_SIDE,
        )
        reencode.append(seconds)
    new, old = median_ms(reencode), median_ms(verify)
    print(
        f"| upload of a {width}×{height} JPEG ({len(raw) / 1e6:.1f} MB) | ms (median of "
        f"{len(reencode)}) |\n| --- | ---: |\n| before: Pillow verify() | {old:.1f} |\n"
        f"| now: safe_image (decode, shrink to {PHOTO_MAX_SIDE} px, re-encode; "
        f"{len(result.content) / 1e6:.2f} MB stored) | {new:.1f} |\n| ratio | {new / old:.0f} |\n"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    env = production_env(LOG_LEVEL="ERROR")
    prepare_database(env)
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    os.chdir(BASE_DIR)
    import django

    django.setup()
    print(f"rounds: {args.rounds}; production settings, demo content, SQLite\n")
    home_ms = bench_pages(args.rounds)
    bench_limiter(args.rounds, home_ms)
    bench_upload(args.rounds)


if __name__ == "__main__":
    main()
