from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_physician_without_two_factor_is_sent_to_set_it_up(
    client_as, physician, settings
):
    settings.PHYSICIAN_MFA_REQUIRED = True
    response = client_as(physician).get("/physician/")
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"


def test_physician_with_totp_opens_dashboard(client_as, physician, settings):
    from allauth.mfa.models import Authenticator

    settings.PHYSICIAN_MFA_REQUIRED = True
    Authenticator.objects.create(
        user=physician.user, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    assert client_as(physician).get("/physician/").status_code == 200


def test_pages_carry_a_csp_without_inline_scripts(client_as, patient):
    response = client_as(patient).get("/log/")
    policy = response["Content-Security-Policy"]
    script_src = next(
        d for d in policy.split(";") if d.strip().startswith("script-src")
    )
    assert "'self'" in script_src
    assert "unsafe-inline" not in script_src
    assert "<script>" not in response.content.decode()


def test_deploy_check_is_clean_with_production_settings(monkeypatch):
    import subprocess
    import sys

    env = {
        "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        "SECURE_SSL": "true",
        "ALLOWED_HOSTS": "tmo.example.org",
        "DEBUG": "false",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_createphysician_makes_a_physician_who_lands_on_the_dashboard(client):
    call_command(
        "createphysician", "new.doc@example.org", "--password", "a-Good-pass-2026"
    )
    assert client.login(email="new.doc@example.org", password="a-Good-pass-2026")
    assert client.get("/").url == "/physician/"


def test_repeated_failed_logins_are_locked_out(client, patient):
    from django.core.cache import cache

    from tests.factories import PASSWORD

    cache.clear()
    for _ in range(5):
        client.post(
            "/accounts/login/", {"login": "pat@example.org", "password": "wrong"}
        )
    # Locked out: even the right password is refused for a while.
    response = client.post(
        "/accounts/login/", {"login": "pat@example.org", "password": PASSWORD}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    cache.clear()
