"""Set up Django for a benchmark on its own throwaway database.

Benchmarks never touch the developer's db.sqlite3: each gets a fresh SQLite file
(or the DATABASE_URL it is given) and its own broker folder.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def bench_environ() -> None:
    """Settings a bench needs that production must not default to.

    Production refuses to start on the public development key and redirects
    plain HTTP to HTTPS; a bench runs with DEBUG off, as deployed, but over
    plain HTTP on loopback, so it brings its own key and says SECURE_SSL=false.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tmo_tracker.settings")
    os.environ.setdefault(
        "SECRET_KEY", "bench-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    os.environ.setdefault("SECURE_SSL", "false")


def django_setup(name: str, *, migrate: bool = True) -> Path:
    """Point Django at a scratch database for bench `name` and migrate it; returns the scratch dir."""
    scratch = Path(tempfile.gettempdir()) / f"tmo-bench-{name}"
    scratch.mkdir(exist_ok=True)
    bench_environ()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'db.sqlite3'}")
    os.environ.setdefault("CELERY_BROKER_DIR", str(scratch / "broker"))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        # Production static storage needs its manifest, as after a deploy.
        call_command("collectstatic", verbosity=0, interactive=False)
    return scratch


def doctor_sign_in(client) -> None:
    """Sign `client` in as the demo doctor, password then TOTP code, as production asks.

    The physician pages want a session that passed two-factor, so a bench
    cannot just force_login: it gives the doctor a TOTP device with a known
    secret and signs in through allauth.
    """
    import base64

    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    from apps.accounts.models import User
    from tests.factories import totp_code

    doctor = User.objects.get(email="doctor@example.com")
    secret = base64.b32encode(b"tmo-bench-totp-secret").decode()
    Authenticator.objects.update_or_create(
        user=doctor,
        type=Authenticator.Type.TOTP,
        defaults={"data": {"secret": encrypt(secret)}},
    )
    client.post(
        "/accounts/login/", {"login": doctor.email, "password": "tmo-demo-2026"}
    )
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    if client.get("/physician/").status_code != 200:
        raise SystemExit("the demo doctor could not sign in with two-factor")
