"""Load test: gunicorn on PostgreSQL, simulated patients and physicians over loopback.

    DATABASE_URL=postgres://user:pass@127.0.0.1:5432/tmo_bench python -m bench.load \
        [--users 200] [--seconds 60] [--workers 4]

Seeds patients (seed_demo) into that database, gives each simulated user a
logged-in session, serves the app with gunicorn on 127.0.0.1, drives it with
locust (headless, bounded in time) and prints requests/s, p50/p95/p99 latency
and errors per request type. Target: 200 users, zero errors, p95 ≤ 250 ms for
the save. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench._django import doctor_sign_in
from testkit.ports import free_port

ROOT = Path(__file__).resolve().parent.parent


def prepare(users: int) -> dict:
    """Seed patients and create one logged-in session per simulated user."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    from apps.accounts.models import PatientProfile, User

    if connection.vendor != "postgresql":
        sys.exit(
            "bench.load measures the production setup: set DATABASE_URL to PostgreSQL."
        )
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", patients=users, days=180, reset=True, stdout=quiet)

    def session_for(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    browser = Client(HTTP_HOST="127.0.0.1")
    doctor_sign_in(browser)
    patients = []
    for user in User.objects.filter(
        role=User.Role.PATIENT, email__endswith="@example.com"
    ):
        patients.append(
            {"sessionid": session_for(user), "csrftoken": _get_new_csrf_string()}
        )
    return {
        "patients": patients,
        "physician": {"sessionid": browser.cookies["sessionid"].value},
        "patient_ids": list(PatientProfile.objects.values_list("pk", flat=True)[:200]),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="Scale of the users' think times (1 = a person; 0.1 = stress test).",
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tmo_tracker.settings")
    if "DATABASE_URL" not in os.environ:
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database (it will be filled with demo data)."
        )
    scratch = Path(tempfile.mkdtemp(prefix="tmo-load-"))
    env = {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": "bench-load-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        # gunicorn serves plain HTTP on loopback; production redirects that to HTTPS.
        "SECURE_SSL": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CELERY_BROKER_DIR": str(scratch / "broker"),
    }
    os.environ.update(env)
    sessions = prepare(args.users)
    sessions_file = scratch / "sessions.json"
    sessions_file.write_text(json.dumps(sessions))

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tmo_tracker.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(host + "/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        csv_prefix = scratch / "stats"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(max(1, args.users // 10)),
                "--run-time",
                f"{args.seconds}s",
                "--host",
                host,
                "--csv",
                str(csv_prefix),
                "--only-summary",
                "--stop-timeout",
                "5",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={
                **env,
                "LOAD_SESSIONS": str(sessions_file),
                "LOAD_THINK": str(args.think),
            },
            check=False,
            stdout=subprocess.DEVNULL,
        )
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    report(csv_prefix, args)


def report(csv_prefix: Path, args) -> None:
    with open(f"{csv_prefix}_stats.csv") as f:
        rows = list(csv.DictReader(f))
    print(
        f"bench.load: {args.users} users (think time x{args.think}) for {args.seconds} s, "
        f"gunicorn {args.workers} workers, "
        f"PostgreSQL, {os.cpu_count()} cores (locust on the same machine)"
    )
    print(
        f"{'request':34} {'count':>7} {'errors':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)"
    )
    for r in rows:
        print(
            f"{r['Name']:34} {r['Request Count']:>7} {r['Failure Count']:>6} "
            f"{float(r['Requests/s']):7.1f} {r['50%']:>6} {r['95%']:>6} {r['99%']:>6}"
        )
    failures = Path(f"{csv_prefix}_failures.csv")
    if failures.exists():
        with open(failures) as f:
            failed = list(csv.DictReader(f))
        for r in failed[:10]:
            print(
                f"  failure: {r['Method']} {r['Name']}: {r['Error']} ×{r['Occurrences']}"
            )


if __name__ == "__main__":
    main()
