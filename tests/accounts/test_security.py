from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command

from tests.factories import PASSWORD, mfa_login, totp_code, totp_enable

BASE_DIR = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_physician_without_two_factor_is_sent_to_set_it_up(
    client_as, physician, settings
):
    settings.PHYSICIAN_MFA_REQUIRED = True
    response = client_as(physician).get("/physician/")
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"


def test_physician_who_signed_in_with_totp_opens_dashboard(client, physician, settings):
    settings.PHYSICIAN_MFA_REQUIRED = True
    mfa_login(client, physician.user, totp_enable(physician.user))
    assert client.get("/physician/").status_code == 200


def test_a_session_from_before_totp_was_set_up_must_enter_a_code(
    client, physician, patient, settings
):
    settings.PHYSICIAN_MFA_REQUIRED = True
    # Signed in with the password alone, then TOTP set up elsewhere.
    client.post("/accounts/login/", {"login": "doc@example.org", "password": PASSWORD})
    assert int(client.session["_auth_user_id"]) == physician.user.pk
    secret = totp_enable(physician.user)
    url = f"/physician/patients/{patient.pk}/"
    response = client.get(url)
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"/accounts/2fa/reauthenticate/?next={quote(url, safe='')}"
    )
    # The code, entered in this session, opens the patient.
    response = client.post(response["Location"], {"code": totp_code(secret)})
    assert response["Location"] == url
    assert client.get(url).status_code == 200


def test_pages_carry_a_csp_without_inline_scripts(client_as, patient):
    response = client_as(patient).get("/log/")
    policy = response["Content-Security-Policy"]
    script_src = next(
        d for d in policy.split(";") if d.strip().startswith("script-src")
    )
    assert "'self'" in script_src
    assert "unsafe-inline" not in script_src
    assert "<script>" not in response.content.decode()


PRODUCTION_KEY = "a-long-random-production-secret-key-0123456789-abcdefghijklmnop"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """manage.py in a fresh process with only `env` set (nothing from pytest's,
    nor from this checkout's .env)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "ENV_FILE": os.devnull, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_only_key_hosts_and_debug_off():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="tmo.example.org",
        DEBUG="false",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_https_cookies_hsts_and_redirect_are_on_unless_turned_off():
    show = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)"
    )
    production = manage(
        "shell", "--no-imports", "-c", show, SECRET_KEY=PRODUCTION_KEY, DEBUG="false"
    )
    assert production.stdout.split() == ["True"] * 4, production.stderr
    plain_http = manage(
        "shell",
        "--no-imports",
        "-c",
        show,
        SECRET_KEY=PRODUCTION_KEY,
        DEBUG="false",
        SECURE_SSL="false",
    )
    assert plain_http.stdout.split() == ["False"] * 4, plain_http.stderr


@pytest.mark.parametrize("key", [None, "", "django-insecure-dev-only"])
def test_without_debug_a_missing_or_public_secret_key_refuses_to_start(key):
    env = {"DEBUG": "false"} if key is None else {"DEBUG": "false", "SECRET_KEY": key}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set SECRET_KEY" in result.stderr


def test_debug_runs_on_the_development_key_over_plain_http():
    # scripts/run-demo: DEBUG=True, no key, no SECURE_SSL.
    show = "from django.conf import settings as s; print(s.SECRET_KEY, s.SECURE_SSL_REDIRECT)"
    result = manage("shell", "--no-imports", "-c", show, DEBUG="true")
    assert result.stdout.split() == ["django-insecure-dev-only", "False"], result.stderr


def test_createphysician_makes_a_physician_who_lands_on_the_dashboard(client):
    call_command(
        "createphysician", "new.doc@example.org", "--password", "a-Good-pass-2026"
    )
    assert client.login(email="new.doc@example.org", password="a-Good-pass-2026")
    assert client.get("/").url == "/physician/"


def test_repeated_failed_logins_are_locked_out(client, patient):
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


@pytest.fixture
def behind_a_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    def post(client, client_ip: str, email: str, password: str):
        # The proxy's own address is REMOTE_ADDR; it appends the client's.
        return client.post(
            "/accounts/login/",
            {"login": email, "password": password},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=client_ip,
        )

    return post


def test_the_number_of_trusted_proxies_comes_from_the_environment():
    show = "from django.conf import settings as s; print(s.ALLAUTH_TRUSTED_PROXY_COUNT)"
    result = manage(
        "shell", "--no-imports", "-c", show, DEBUG="true", TRUSTED_PROXY_COUNT="2"
    )
    assert result.stdout.strip() == "2", result.stderr


def test_behind_a_proxy_one_clients_failures_lock_nobody_else_out(
    client, patient, other_patient, behind_a_proxy
):
    from django.test import Client

    for _ in range(5):
        behind_a_proxy(client, "203.0.113.5", "other@example.org", "wrong")
    # Another patient elsewhere, and one behind the same clinic address,
    # sign in at once: the proxy's address is not everyone's.
    for address in ("198.51.100.7", "203.0.113.5"):
        other = Client()
        response = behind_a_proxy(other, address, "pat@example.org", PASSWORD)
        assert response.status_code == 302, address
        assert "_auth_user_id" in other.session


def test_the_per_account_limit_holds_whatever_the_address(
    client, patient, behind_a_proxy
):
    for n in range(5):
        behind_a_proxy(client, f"203.0.113.{n}", "pat@example.org", "wrong")
    response = behind_a_proxy(client, "198.51.100.7", "pat@example.org", PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_address_still_has_a_generous_limit(client, patient, behind_a_proxy):
    for n in range(30):
        behind_a_proxy(client, "203.0.113.5", f"nobody{n}@example.org", "wrong")
    refused = behind_a_proxy(client, "203.0.113.5", "pat@example.org", PASSWORD)
    assert refused.status_code == 429
    from django.test import Client

    elsewhere = behind_a_proxy(Client(), "198.51.100.7", "pat@example.org", PASSWORD)
    assert elsewhere.status_code == 302


def test_pages_and_exports_with_health_data_are_never_stored(
    client_as, patient, physician
):
    def no_store(response) -> bool:
        return "no-store" in response.get("Cache-Control", "")

    client = client_as(patient)
    for url in ("/log/", "/course/", "/profile/", "/course/export/diary.csv"):
        assert no_store(client.get(url)), url
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    export = client.get("/profile/export.json")
    assert export.status_code == 200
    assert no_store(export)
    client = client_as(physician)
    for url in (
        f"/physician/patients/{patient.pk}/",
        f"/physician/patients/{patient.pk}/export/fhir.json",
        "/physician/",
    ):
        assert no_store(client.get(url)), url
