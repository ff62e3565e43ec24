"""WCAG 2.2 AA on every page type, as patients and physicians meet them.

Each persona logs in once and walks its pages in one browser page: axe at
390 px (light and dark) and 1280 px, then the layout at 200 % text on a 390 px
phone and at 320 px. Every problem is collected, so one run lists them all.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.models import PatientProfile, PhysicianProfile
from apps.dashboard.models import ClinicalEvent, PhysicianNote
from apps.reminders import tokens
from apps.reminders.models import ReminderDelivery
from tests.browser import a11y

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "tmo-demo-2026"
PHONE = {"width": 390, "height": 844}
SMALL = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def world(transactional_db):
    """Two demo patients (patient2: knee → ankle → foot) and their linked physician."""
    call_command("seed_demo", patients=2, days=200)
    patient = PatientProfile.objects.get(user__email="patient2@example.com")
    physician = PhysicianProfile.objects.get(user__email="doctor@example.com")
    today = patient.local_date(timezone.now())
    ClinicalEvent.objects.create(
        patient=patient,
        kind=ClinicalEvent.Kind.MRI,
        date=today - dt.timedelta(days=20),
        joint=patient.episodes.first().joint,
        oedema=True,
        created_by=physician.user,
    )
    PhysicianNote.objects.create(
        patient=patient, physician=physician, text="Consider DXA."
    )
    return {"patient": patient, "physician": physician, "today": today}


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _check(page, url: str, problems: list[str], *, then=None) -> None:
    """axe at 390 px light and dark and at 1280 px; layout at 200 % text and at 320 px.

    then(page), if given, acts on the page (e.g. saves the day) before the
    checks run again on the new state.
    """
    name = re.sub(r"^https?://[^/]+", "", url)

    def visit(viewport: dict) -> None:
        page.set_viewport_size(viewport)
        page.goto(url)
        page.wait_for_load_state("load")
        if then is not None:
            then(page)

    def report(where: str, found) -> None:
        problems.extend(f"{name} [{where}] {item}" for item in found)

    for viewport, label in ((PHONE, "390"), (DESKTOP, "1280")):
        visit(viewport)
        report(label, a11y.axe_violations(page))
        report(label, a11y.dangling_ids(page))
        if viewport is PHONE:
            report("390", a11y.layout_problems(page))
            page.emulate_media(color_scheme="dark")
            report("390 dark", a11y.axe_violations(page))
            page.emulate_media(color_scheme="light")
    a11y.text_size(page, 200)
    visit(PHONE)
    report("390 at 200% text", a11y.layout_problems(page))
    a11y.text_size(page, 100)
    visit(SMALL)
    report("320", a11y.layout_problems(page))


def _save_day(page) -> None:
    page.click("text=Save today")
    page.wait_for_selector(".msg-success")


def test_anonymous_pages_meet_wcag_22_aa(page, live_server, world):
    base = live_server.url
    patient = world["patient"]
    unsubscribe = tokens.unsubscribe_token_make(kind=tokens.REMINDERS, pk=patient.pk)
    now = timezone.now()
    delivery = ReminderDelivery.objects.create(
        patient=patient,
        local_date=patient.local_date(now),
        scheduled_for=now,
        status="sent",
    )
    one_tap = tokens.login_token_make(delivery_id=delivery.pk, user=patient.user)
    problems: list[str] = []
    for path in (
        f"/reminders/log-in/{one_tap}/",  # the one-tap link's "Open today's log" page
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/confirm-email/",
        "/reminders/log-in/not-a-token/",  # the one-tap link's refusal page
        f"/reminders/unsubscribe/{unsubscribe}/",
    ):
        _check(page, f"{base}{path}", problems)

    # Confirmed: the same address now says reminders are off.
    page.click("text=Unsubscribe")
    page.wait_for_selector("text=Reminders are off")
    _check(page, f"{base}/reminders/unsubscribe/{unsubscribe}/", problems)
    assert not problems, "\n".join(problems)


def test_patient_pages_meet_wcag_22_aa(page, live_server, world):
    base = live_server.url
    past = world["today"] - dt.timedelta(days=3)
    problems: list[str] = []
    _log_in(page, base, "patient2@example.com")
    for path in (
        "/log/",
        f"/log/{past.isoformat()}/",
        "/course/",
        "/course/export/summary",
        "/profile/",
        "/profile/delete/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
    ):
        _check(page, f"{base}{path}", problems)
    # The saved day's message, as a screen reader meets it after Save.
    _check(page, f"{base}/log/", problems, then=_save_day)
    _check(page, f"{base}/accounts/logout/", problems)
    assert not problems, "\n".join(problems)


def test_physician_pages_meet_wcag_22_aa(page, live_server, world):
    base = live_server.url
    patient = world["patient"]
    problems: list[str] = []
    _log_in(page, base, "doctor@example.com")
    for path in (
        "/physician/",
        f"/physician/patients/{patient.pk}/",
        f"/physician/patients/{patient.pk}/export/summary",
        "/physician/accept/ABCD-EFGH/",
    ):
        _check(page, f"{base}{path}", problems)
    assert not problems, "\n".join(problems)
