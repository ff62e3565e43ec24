"""Dashboard and course-page performance with 1,000 patients and a year of diary each.

    python -m bench.dashboard            # seeds test-artifacts/bench_dashboard.sqlite3 once
    DATABASE_URL=postgres://… python -m bench.dashboard
    python -m bench.dashboard --runs 50 --reseed

Prints, from one run: median and p95 server time and the SQL query count of the
physician dashboard's first page and of a patient detail page (Django test
Client, logged in as the demo doctor), the timeline JSON size for one year of
four joints, and the course page's first load compressed (HTML + CSS + JS +
the Plotly bundle, gzip -9 as WhiteNoise serves them).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

from bench._django import bench_environ, doctor_sign_in
from testkit.courses import year_of_four_joints

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB = BASE_DIR / "test-artifacts" / "bench_dashboard.sqlite3"
PATIENTS = 1000
DAYS = 365
TARGETS = {
    "dashboard_median_ms": 150,
    "dashboard_p95_ms": 300,
    "detail_p95_ms": 250,
    "queries": 12,
    "json_kb": 150,
    "first_load_kb": 700,
}


def _setup() -> None:
    if "DATABASE_URL" not in os.environ:
        DEFAULT_DB.parent.mkdir(exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DEFAULT_DB}"
    sys.path.insert(0, str(BASE_DIR))
    bench_environ()
    import django

    django.setup()
    from django.conf import settings

    # The manifest exists only after collectstatic; plain storage resolves the same files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def _seed(*, reseed: bool) -> None:
    from django.core.management import call_command

    from apps.accounts.models import PatientProfile

    call_command("migrate", verbosity=0)
    have = PatientProfile.objects.filter(user__email__endswith="@example.com").count()
    if have >= PATIENTS and not reseed:
        print(f"reusing {have} demo patients in {os.environ['DATABASE_URL']}")
        return
    print(f"seeding {PATIENTS} patients x {DAYS} days (a minute or two)…", flush=True)
    call_command("seed_demo", patients=PATIENTS, days=DAYS, reset=True)


def _time(client, url: str, runs: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm caches and imports, as a running server would be
        client.get(url)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return times, len(queries), len(response.content)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def _json_script_size(figure: dict) -> int:
    from django.utils.html import json_script

    return len(json_script(figure, "course-chart").encode())


def _first_load(client) -> dict[str, int]:
    """gzip -9 bytes of the course page and every CSS/JS file it loads."""
    from django.contrib.staticfiles import finders
    from django.test import Client

    from apps.accounts.models import User

    patient = Client()
    patient.force_login(User.objects.get(email="patient2@example.com"))
    html = patient.get("/course/").content
    sizes = {"html": len(gzip.compress(html, 9))}
    for ref in re.findall(rb'(?:href|src)="/static/([^"]+)"', html):
        name = ref.decode().split("?")[0]
        if not name.endswith((".css", ".js")):
            continue
        path = finders.find(name)
        sizes[name] = len(gzip.compress(Path(path).read_bytes(), 9))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    _setup()
    _seed(reseed=args.reseed)

    from django.test import Client

    from apps.accounts.models import PatientProfile
    from apps.dashboard import figures

    client = Client()
    doctor_sign_in(client)
    dash, dash_q, _ = _time(client, "/physician/", args.runs)

    ids = list(
        PatientProfile.objects.filter(user__email__endswith="@example.com")
        .order_by("pk")
        .values_list("pk", flat=True)[:20]
    )
    detail: list[float] = []
    detail_q = 0
    for pk in ids:  # different stories: 1 to 3 joints, chains, gaps
        times, q, _ = _time(
            client, f"/physician/patients/{pk}/", max(args.runs // 10, 2)
        )
        detail += times
        detail_q = max(detail_q, q)

    figure = figures.timeline_figure(year_of_four_joints())
    json_kb = _json_script_size(figure) / 1024
    first = _first_load(client)
    first_kb = sum(first.values()) / 1024

    results = {
        "dashboard_median_ms": statistics.median(dash),
        "dashboard_p95_ms": _p95(dash),
        "detail_median_ms": statistics.median(detail),
        "detail_p95_ms": _p95(detail),
    }
    patients = PatientProfile.objects.count()
    print(f"\n{patients} patients, {DAYS}-day diaries, {args.runs} runs per page")
    print(
        f"dashboard first page : median {results['dashboard_median_ms']:6.1f} ms   "
        f"p95 {results['dashboard_p95_ms']:6.1f} ms   queries {dash_q}"
    )
    print(
        f"patient detail       : median {results['detail_median_ms']:6.1f} ms   "
        f"p95 {results['detail_p95_ms']:6.1f} ms   queries {detail_q} (max of {len(ids)} patients)"
    )
    print(f"timeline JSON, 1 year x 4 joints: {json_kb:.1f} KB")
    print(f"course page first load, gzip -9: {first_kb:.1f} KB")
    for name, size in first.items():
        print(f"    {name:45s} {size / 1024:7.1f} KB")
    checks = {
        "dashboard median ≤ 150 ms": results["dashboard_median_ms"]
        <= TARGETS["dashboard_median_ms"],
        "dashboard p95 ≤ 300 ms": results["dashboard_p95_ms"]
        <= TARGETS["dashboard_p95_ms"],
        "detail p95 ≤ 250 ms": results["detail_p95_ms"] <= TARGETS["detail_p95_ms"],
        "queries ≤ 12": max(dash_q, detail_q) <= TARGETS["queries"],
        "timeline JSON ≤ 150 KB": json_kb <= TARGETS["json_kb"],
        "first load ≤ 700 KB": first_kb <= TARGETS["first_load_kb"],
    }
    print()
    for label, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {label}")
    print(json.dumps({k: round(v, 1) for k, v in results.items()}))


if __name__ == "__main__":
    main()
