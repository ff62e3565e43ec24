"""Manifest, service worker, offline page, vendored Workbox and clearing the phone at logout."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import struct
from pathlib import Path

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.urls import reverse

from apps.reminders.services import reminder_schedule_refresh, reminder_send
from tests.factories import PASSWORD

STATIC = Path(__file__).resolve().parents[2] / "static"
WORKBOX = STATIC / "vendor" / "workbox"


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", head[16:24])


def static_path(url: str) -> Path:
    assert url.startswith("/static/"), url
    found = finders.find(url.removeprefix("/static/"))
    assert found, f"{url} is not one of our static files"
    return Path(found)


def worker_config(body: str) -> dict:
    match = re.search(r"^self\.TMO = (\{.*\});$", body, re.MULTILINE)
    assert match, body
    return json.loads(match.group(1))


def test_manifest_opens_todays_log_standalone_with_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "TMO Tracker"
    assert len(data["short_name"]) <= 12  # what fits under an icon
    assert data["start_url"] == reverse("diary:today") == "/log/"
    assert data["scope"] == "/"
    assert data["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", data["theme_color"])
    sizes = {
        (icon["sizes"], icon["purpose"]): png_size(static_path(icon["src"]))
        for icon in data["icons"]
    }
    assert sizes == {
        ("192x192", "any"): (192, 192),
        ("512x512", "any"): (512, 512),
        ("512x512", "maskable"): (512, 512),
    }


@pytest.mark.django_db
def test_every_page_links_the_manifest(client_as, patient):
    html = client_as(patient).get("/profile/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'name="tmo-sw" content="/sw.js"' in html


def test_service_worker_is_served_from_the_root_uncached_as_javascript(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    # django-csp covers the worker too: its importScripts and fetches stay on our origin.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    body = response.content.decode()
    assert "importScripts(" in body
    assert "http://" not in body
    assert "https://" not in body


def test_service_worker_loads_only_our_own_files(client):
    config = worker_config(client.get("/sw.js").content.decode())
    modules = [static_path(url).name for url in config["workbox"]]
    assert modules == [
        f"workbox-{m}.prod.js"
        for m in ("core", "routing", "strategies", "expiration", "precaching")
    ]
    static_path(config["queue"])
    precached = [entry["url"] for entry in config["precache"]]
    assert "/offline/" in precached
    for url in precached:
        if url != "/offline/":
            static_path(url)
    assert all(entry["revision"] for entry in config["precache"])
    worker = (STATIC / "js" / "service-worker.js").read_text()
    # No other loader: workbox-sw would fetch the modules from Workbox's CDN.
    assert "workbox-sw" not in worker
    assert "setConfig" not in worker


def test_vendored_workbox_matches_its_version_file():
    version = (WORKBOX / "VERSION").read_text()
    assert re.match(r"workbox@\d+\.\d+\.\d+\n", version)
    listed = {
        name: digest
        for digest, name in re.findall(
            r"^sha256: ([0-9a-f]{64})  (\S+)$", version, re.M
        )
    }
    shipped = {p.name for p in WORKBOX.iterdir()} - {"VERSION", "LICENSE"}
    assert set(listed) == shipped
    for name, digest in listed.items():
        assert hashlib.sha256((WORKBOX / name).read_bytes()).hexdigest() == digest, name
    number = version.split("@")[1].split()[0]
    for module in WORKBOX.glob("*.prod.js"):
        text = module.read_text()
        assert f":{number.rsplit('.', 1)[0]}." in text  # "workbox:routing:7.4.0"
        assert "workbox-cdn" not in text
        assert "googleapis" not in text


@pytest.mark.django_db
def test_offline_page_holds_nothing_personal(client_as, patient):
    # The worker caches it for whoever uses the phone next.
    response = client_as(patient).get("/offline/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "You are offline" in html
    assert patient.user.email not in html
    assert "csrfmiddlewaretoken" not in html
    assert '"x-csrftoken": ""' in html
    assert ">Log out</button>" not in html
    assert 'name="tmo-user"' not in html


@pytest.mark.django_db
def test_log_page_carries_the_key_of_who_is_signed_in(
    client_as, patient, other_patient
):
    def key(client):
        html = client.get("/profile/").content.decode()
        return re.search(r'name="tmo-user" content="([^"]*)"', html).group(1)

    mine = key(client_as(patient))
    theirs = key(client_as(other_patient))
    assert mine
    assert theirs
    assert mine != theirs
    assert str(patient.user.pk) != mine


@pytest.mark.django_db
def test_signed_out_pages_say_nobody_is_signed_in(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<meta name="tmo-user" content="">' in html
    assert 'name="tmo-sw"' not in html


@pytest.mark.django_db
def test_logout_tells_the_browser_to_clear_caches_and_storage(client_as, patient):
    client = client_as(patient)
    assert "Clear-Site-Data" not in client.get("/log/").headers
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


@pytest.mark.django_db
def test_deleting_the_account_clears_the_phone_too(client_as, patient):
    response = client_as(patient).post(
        reverse("accounts:account-delete"), {"password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


@pytest.mark.django_db
def test_reminder_link_and_installed_app_open_the_same_page(
    client, patient, mailoutbox
):
    morning = dt.datetime(2026, 1, 14, 9, 0, tzinfo=dt.UTC)
    slot = dt.datetime(2026, 1, 14, 20, 0, 30, tzinfo=dt.UTC)
    reminder_schedule_refresh(patient_id=patient.pk, now=morning)
    with time_machine.travel(slot, tick=False):
        reminder_send(patient_id=patient.pk, now=slot)
    link = re.search(r"/reminders/log-in/\S+/", mailoutbox[0].body).group(0)
    start_url = json.loads(client.get("/manifest.webmanifest").content)["start_url"]
    with time_machine.travel(slot + dt.timedelta(minutes=2), tick=False):
        response = client.get(link, follow=True)
    # The link opens a page with one button; its POST logs in and lands on start_url.
    assert response.redirect_chain == []
    assert "Open today's log" in response.content.decode()
    with time_machine.travel(slot + dt.timedelta(minutes=2), tick=False):
        response = client.post(link, follow=True)
    assert response.redirect_chain[-1][0] == start_url
    assert response.status_code == 200
