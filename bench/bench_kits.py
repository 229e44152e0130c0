"""Kits: personalised poster generation (time and peak memory, A4 and A3, cold and cached) and
the counted download endpoint's throughput beside the same file served as a static file.

    .venv/bin/python bench/bench_kits.py [--runs 5] [--duration 8]

Posters: each case runs in a fresh process with the production settings, so that its peak
memory (the process's maximum resident set, minus what it held once Django was loaded) is its
own. "cold" starts from an empty cache (the artwork is resampled to 300 dpi, then the PDF
drawn); "new commune" has the template's prepared artwork cached, as for every poster after
the first; "cached" serves the file already made.

Downloads: gunicorn (2 workers, production settings) serves /telechargements/<id>/ (counts the
download in the database, then streams the document with FileResponse) and, side by side, the
same bytes copied into STATIC_ROOT and served by WhiteNoise; `python -m http.server` gives a
third reference. Nothing here asserts a timing."""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

from common import (
    BASE_DIR,
    PYTHON,
    VAR,
    free_port,
    load,
    manage,
    production_env,
    production_server,
)

DB = VAR / "bench-kits.sqlite3"

SETUP = """
import io, os
from django.core.files.base import ContentFile
from campaign import demo as campaign_demo
from home import demo as home_demo
from kits import demo as kits_demo
from kits.models import KitFile, KitPage
from campaign.geography.models import Commune, Department, Region
from wagtail.documents import get_document_model
campaign_demo.load()
home_demo.load()
kits_demo.load()
region, _ = Region.objects.get_or_create(
    code="11", defaults={"name": "Île-de-France", "slug": "idf"}
)
department, _ = Department.objects.get_or_create(
    code="77", defaults={"name": "Seine-et-Marne", "slug": "seine-et-marne", "region": region}
)
Commune.objects.get_or_create(
    insee_code="77288",
    defaults={"name": "Melun", "slug": "melun-77288", "search_name": "melun",
              "department": department, "region": region},
)
Document = get_document_model()
large = Document.objects.filter(title="bench: 5 Mo").first()
if large is None:
    large = Document(title="bench: 5 Mo")
    large.file.save("bench-5mo.zip", ContentFile(os.urandom(5 * 1024 * 1024)), save=False)
    large.save()
page = KitPage.objects.get(slug="kit-presse", locale__language_code="fr")
if not KitFile.objects.filter(document=large).exists():
    KitFile.objects.create(page=page, document=large, format="kit-presse", locale=page.locale)
"""

POSTER_CASE = """
import json, resource, shutil, time, sys
import django
django.setup()
from django.conf import settings
from django.core.files.storage import default_storage
from campaign.geography.models import Commune
from kits import services
from kits.models import PersonalisedPoster, PosterTemplate

size, case = sys.argv[1], sys.argv[2]
template = PosterTemplate.objects.select_related("artwork").get()
commune = Commune.objects.get(insee_code="77288")
poster = services.poster_create(
    template=template, commune=commune, logo_hash="",
    contact_line="Mairie de Melun – 01 64 52 33 00 – accueil@ville-melun.fr",
    event_line="Samedi 12 juin, 10 h, place Saint-Jean",
)
posters_dir = settings.MEDIA_ROOT / services.POSTER_DIR
if case in ("cold", "new commune"):
    for child in posters_dir.glob("*/"):
        if case == "cold" or child.name != "artwork":
            shutil.rmtree(child, ignore_errors=True)
    if case == "new commune":
        # The template's artwork prepared by an earlier poster, as on a live site.
        services._artwork_jpeg(template=template, size=size, black_and_white=False)
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
result = services.poster_file_get(poster=poster, size=size, variant="couleur", extension="pdf")
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "seconds": elapsed, "peak_mb": (peak - baseline) / 1024, "rendered": result.rendered,
    "bytes": default_storage.size(result.path),
}))
"""


def poster_case(env, size, case):
    out = subprocess.run(
        [PYTHON, "-c", POSTER_CASE, size, case],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def document_paths(env):
    code = (
        "from kits.models import KitFile\n"
        "small = KitFile.objects.get(format='affiche-a3', page__locale__language_code='fr')\n"
        "large = KitFile.objects.get(\n"
        "    document__title='bench: 5 Mo', page__locale__language_code='fr'\n"
        ")\n"
        "print(small.pk, small.document.file.path, large.pk, large.document.file.path)\n"
    )
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    small_pk, small_path, large_pk, large_path = out.stdout.strip().splitlines()[-1].split()
    return {"small": (small_pk, small_path), "large": (large_pk, large_path)}


def http_server(directory):
    port = free_port()
    proc = subprocess.Popen(
        [PYTHON, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    return proc, f"http://127.0.0.1:{port}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--skip-posters", action="store_true")
    args = parser.parse_args()

    env = production_env(database_url=f"sqlite:///{DB}", MEDIA_ROOT=str(VAR / "media-kits"))
    manage("migrate", "--noinput", env=env)
    subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", SETUP],
        cwd=BASE_DIR,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )

    if not args.skip_posters:
        posters(env, args.runs)
    downloads(env, args)


def posters(env, runs_count):
    print(f"## Posters (median of {runs_count} runs, each in a fresh process)\n")
    print("| size | case | ms | peak memory (MB) | PDF size (KB) |")
    print("| --- | --- | ---: | ---: | ---: |")
    for size in ("A4", "A3"):
        for case in ("cold", "new commune", "cached"):
            runs = [poster_case(env, size, case) for _ in range(runs_count)]
            assert all(r["rendered"] == (case != "cached") for r in runs), runs
            print(
                f"| {size} | {case} | {statistics.median(r['seconds'] for r in runs) * 1000:.1f} | "
                f"{statistics.median(r['peak_mb'] for r in runs):.0f} | "
                f"{runs[0]['bytes'] / 1024:.0f} |"
            )


def downloads(env, args):
    documents = document_paths(env)
    static_dir = VAR / "static" / "bench-kits"
    static_dir.mkdir(parents=True, exist_ok=True)
    for name, (_pk, path) in documents.items():
        shutil.copyfile(path, static_dir / f"{name}{os.path.splitext(path)[1]}")
    manage("collectstatic", "--noinput", env=env)  # WhiteNoise indexes STATIC_ROOT at start
    results = {}
    proc, plain_url = http_server(static_dir)
    try:
        with production_server(env, workers=2) as base_url:
            # Both workers load the application before anything is measured (load() starts
            # its clock before its own one-request warm-up).
            for pk, _path in documents.values():
                load(base_url, [f"/telechargements/{pk}/"], duration=2.0, concurrency=2)
            for _ in range(args.runs):
                for name, (pk, path) in documents.items():
                    filename = f"{name}{os.path.splitext(path)[1]}"
                    targets = {
                        "counted download (Django, FileResponse)": (
                            base_url,
                            [f"/telechargements/{pk}/"],
                        ),
                        "static file (WhiteNoise, same gunicorn)": (
                            base_url,
                            [f"/static/bench-kits/{filename}"],
                        ),
                        "static file (python -m http.server)": (plain_url, [f"/{filename}"]),
                    }
                    for label, (url, paths) in targets.items():
                        results.setdefault((name, label), []).append(
                            load(url, paths, duration=args.duration, concurrency=args.concurrency)
                        )
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    sizes = {name: os.path.getsize(path) for name, (_pk, path) in documents.items()}
    print(f"\n## Downloads (median of {args.runs} runs, {args.concurrency} clients)\n")
    print("| file | served by | req/s | median ms | p99 ms | errors | vs WhiteNoise |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for name in documents:
        reference = statistics.median(
            r["rps"] for r in results[(name, "static file (WhiteNoise, same gunicorn)")]
        )
        for (file_name, label), runs in results.items():
            if file_name != name:
                continue
            rps = statistics.median(r["rps"] for r in runs)
            (VAR / "bench-kits-downloads.json").write_text(
                json.dumps({f"{k[0]} / {k[1]}": v for k, v in results.items()}, indent=1)
            )
            print(
                f"| {name} ({sizes[name] / 1024:.0f} KB) | {label} | {rps:.0f} | "
                f"{statistics.median(r['median_ms'] or 0 for r in runs):.1f} | "
                f"{statistics.median(r['p99_ms'] or 0 for r in runs):.1f} | "
                f"{sum(r['errors'] for r in runs)} | {rps / reference:.2f} |"
            )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
