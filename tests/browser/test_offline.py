"""The installable app in Chromium: manifest, service worker, a day logged with no signal.

Service workers need a secure context; live_server runs on localhost, which is one.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.utils import timezone

from apps.diary import services
from apps.diary.models import CheckIn, DiaryEntry
from tests.factories import TrackedJointFactory, joint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JOINTS = ("left_hip", "right_hip", "left_knee")
KEPT = "Saved on this phone — will be sent when you are online."
SENT = "Sent: this day is saved."
CONTROLLED = "() => navigator.serviceWorker.controller !== null"


@pytest.fixture
def patient_with_joints(patient):
    for code in JOINTS:
        TrackedJointFactory(patient=patient, joint=joint(code))
    return patient


@pytest.fixture
def online_first(page, login, patient_with_joints):
    """Logged in on /log/ with the worker in control, as after a first online visit."""
    import os

    if os.environ.get("PWA_DEBUG"):
        page.on("console", lambda m: print("CONSOLE", m.type, m.text))
        page.on("pageerror", lambda e: print("PAGEERROR", e))
    login(page, "pat@example.org")
    page.wait_for_function(CONTROLLED)
    return page


def _cached_pages(page, at_least: int, seconds: float = 20) -> list[str]:
    """Wait until the worker holds at least this many log pages; their URLs."""
    deadline = time.monotonic() + seconds
    while True:
        urls = page.evaluate(
            "() => caches.open('tmo-log-pages').then(c => c.keys())"
            ".then(keys => keys.map(r => new URL(r.url).pathname))"
        )
        if len(urls) >= at_least or time.monotonic() > deadline:
            return urls
        page.wait_for_timeout(200)


def _tap_a_day(page):
    page.click("#row-left_hip .pain label.p6")
    page.click("#row-left_hip .swelling label.s2")
    page.click("#row-right_hip .pain label.p2")
    page.click("#row-left_knee .pain label.p4")
    page.fill("textarea[name=note]", "stairs were hard")


def _keep_a_day_offline(page, context):
    context.set_offline(True)
    _tap_a_day(page)
    page.click("text=Save today")
    page.wait_for_selector(f"text={KEPT}")


def _tablet_saves(patient, note: str = "from the tablet") -> None:
    """The same day, saved meanwhile from another device that is online."""
    services.day_record(
        patient=patient,
        day=patient.local_date(timezone.now()),
        scores={
            joint("left_hip"): services.Score(pain=3, swelling=1),
            joint("right_hip"): services.Score(pain=0, swelling=0),
            joint("left_knee"): services.Score(pain=1, swelling=0),
        },
        note=note,
    )


def _stored(patient):
    return {
        e.joint.code: (e.pain, e.swelling)
        for e in DiaryEntry.objects.filter(patient=patient).select_related("joint")
    }


def test_manifest_and_service_worker_make_the_app_installable(
    page, live_server, login, patient_with_joints
):
    login(page, "pat@example.org")
    href = page.get_attribute("link[rel=manifest]", "href")
    manifest = page.request.get(live_server.url + href)
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    data = manifest.json()
    assert data["start_url"] == "/log/"
    assert data["display"] == "standalone"
    assert data["theme_color"] == "#24507a"
    for icon in data["icons"]:
        image = page.request.get(live_server.url + icon["src"])
        assert image.ok
        assert image.headers["content-type"] == "image/png"
    assert {i["purpose"] for i in data["icons"]} == {"any", "maskable"}

    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{live_server.url}/"
    page.wait_for_function(CONTROLLED)
    script = page.evaluate("navigator.serviceWorker.controller.scriptURL")
    assert script == f"{live_server.url}/sw.js"


def test_day_saved_offline_reaches_the_server_once_when_back_online(
    online_first, context, live_server, screenshot, patient_with_joints
):
    page = online_first
    _keep_a_day_offline(page, context)
    assert page.locator("#offline-days .offline-banner").is_visible()
    assert not DiaryEntry.objects.exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "offline-saved-on-phone")

    context.set_offline(False)
    page.wait_for_selector(f"text={SENT}")
    assert _stored(patient_with_joints) == {
        "left_hip": (6, 2),
        "right_hip": (2, 0),
        "left_knee": (4, 0),
    }
    assert CheckIn.objects.get().note == "stairs were hard"
    assert DiaryEntry.objects.count() == len(JOINTS)
    assert page.locator("#offline-days").is_hidden()

    # Nothing is left to send: a reload online stores nothing twice.
    page.reload()
    page.wait_for_function(CONTROLLED)
    assert page.locator("text=Logged.").is_visible()
    assert DiaryEntry.objects.count() == len(JOINTS)
    assert DiaryEntry.history.count() == len(JOINTS)
    assert (
        page.evaluate(
            "TMODayQueue.forUser(document.querySelector('meta[name=tmo-user]').content)"
            ".then(days => days.length)"
        )
        == 0
    )


def test_log_page_reopens_with_no_network(
    online_first, context, live_server, screenshot
):
    page = online_first
    # The worker caches this week's pages in the background after the first visit.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    cached = _cached_pages(page, 7)
    assert "/log/" in cached
    assert f"/log/{yesterday:%Y-%m-%d}/" in cached
    context.set_offline(True)
    page.reload()
    assert page.locator("h1", has_text="Today").is_visible()
    for code in JOINTS:
        assert page.locator(f"#row-{code}").is_visible()
    assert page.locator("#day-form .save-bar button").inner_text().startswith("Save")
    assert page.locator("#offline-days .offline-banner").is_visible()
    screenshot(page, "offline-log-reopened")

    page.goto(f"{live_server.url}/log/{yesterday:%Y-%m-%d}/")
    assert page.locator("#row-left_hip").is_visible()
    assert (
        page.locator("#day-form").get_attribute("data-day") == f"{yesterday:%Y-%m-%d}"
    )

    # A page that needs the network says so instead of the browser's error page.
    page.goto(f"{live_server.url}/course/")
    assert page.locator("h1", has_text="You are offline").is_visible()
    screenshot(page, "offline-other-page")
    context.set_offline(False)


def test_older_offline_save_never_silently_overwrites_a_newer_one(
    online_first, context, live_server, screenshot, patient_with_joints
):
    page = online_first
    _keep_a_day_offline(page, context)
    _tablet_saves(patient_with_joints)

    context.set_offline(False)
    card = page.locator(".conflict")
    card.wait_for()
    assert (
        "Left hip: pain 6, swelling moderate"
        in card.locator(".conflict-mine").inner_text()
    )
    assert (
        "Left hip: pain 3, swelling mild"
        in card.locator(".conflict-theirs").inner_text()
    )
    # The tablet's newer day is still what is stored.
    assert _stored(patient_with_joints)["left_hip"] == (3, 1)
    assert CheckIn.objects.get().note == "from the tablet"
    page.evaluate("() => window.scrollTo(0, 0)")  # the sticky Save bar stays put
    screenshot(page, "offline-conflict")

    page.click("text=Keep this phone's")
    page.wait_for_selector(f"text={SENT}")
    assert _stored(patient_with_joints)["left_hip"] == (6, 2)
    assert CheckIn.objects.get().note == "stairs were hard"
    assert DiaryEntry.objects.count() == len(JOINTS)
    assert page.locator(".conflict").count() == 0


def test_keeping_the_other_devices_version_drops_the_phones(
    online_first, context, patient_with_joints
):
    page = online_first
    _keep_a_day_offline(page, context)
    _tablet_saves(patient_with_joints)
    context.set_offline(False)
    page.locator(".conflict").wait_for()
    page.click("text=Keep the other device's")
    page.wait_for_selector("text=Kept the other device's version")
    assert page.is_checked("input[name=pain_left_hip][value='3']")
    assert _stored(patient_with_joints)["left_hip"] == (3, 1)
    assert CheckIn.objects.get().note == "from the tablet"


def test_logout_leaves_nothing_of_the_patient_on_the_phone(
    online_first, context, patient_with_joints
):
    page = online_first
    assert _cached_pages(page, 1)
    # A day still waiting on the phone: saved offline, then in conflict.
    _keep_a_day_offline(page, context)
    _tablet_saves(patient_with_joints)
    context.set_offline(False)
    page.locator(".conflict").wait_for()

    asked = []
    page.on("dialog", lambda d: (asked.append(d.message), d.accept()))
    page.click("text=Log out")
    page.wait_for_url("**/accounts/login/**")
    assert asked == [
        "1 day saved on this phone could not be sent yet. "
        "Log out and delete it from this phone?"
    ]
    assert page.evaluate("() => caches.keys()") == []
    assert page.evaluate("() => TMODayQueue.all()") == []
    assert page.evaluate("() => navigator.serviceWorker.getRegistrations()") == []


def test_yesterdays_cached_today_opens_as_today_and_saves_today(
    online_first, context, live_server, screenshot, patient_with_joints
):
    """The usual evening: the phone last had signal yesterday, and logs today offline."""
    page = online_first
    assert "/log/" in _cached_pages(page, 7)
    context.set_offline(True)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    day = patient_with_joints.local_date(tomorrow)
    # The phone's clock (and, below, the server's) has moved on to the next day.
    page.clock.set_system_time(tomorrow)
    page.reload()
    assert page.locator(".day-head h1").inner_text().startswith("Today")
    assert f"{day.day} {day:%B %Y}" in page.locator(".day-head h1 small").inner_text()
    assert page.locator("#day-form").get_attribute("data-day") == f"{day:%Y-%m-%d}"
    assert page.locator("text=Filled in from your last log").is_visible()
    assert page.locator("#week-strip").is_hidden()  # it was the cached day's week
    screenshot(page, "offline-next-day")
    _tap_a_day(page)
    page.click("text=Save today")
    page.wait_for_selector(f"text={KEPT}")

    with time_machine.travel(tomorrow, tick=True):
        context.set_offline(False)
        page.wait_for_selector(f"text={SENT}")
        stored = CheckIn.objects.get()
    assert stored.date == day  # the day it was saved on, not the day it arrived
    assert _stored(patient_with_joints)["left_hip"] == (6, 2)


def test_what_the_phone_says_offline_is_in_the_patients_language(
    page, context, login, screenshot, patient_with_joints
):
    user = patient_with_joints.user
    user.language = "de"
    user.save(update_fields=["language"])
    login(page, "pat@example.org")
    page.wait_for_function(CONTROLLED)
    assert page.get_attribute("html", "lang") == "de"

    context.set_offline(True)
    _tap_a_day(page)
    page.click("#day-form .save-bar button")
    page.wait_for_selector(
        "text=Auf diesem Telefon gespeichert – wird gesendet, sobald Sie online sind."
    )
    banner = page.locator("#offline-days").inner_text()
    assert "saved on this phone" not in banner
    screenshot(page, "offline-saved-on-phone-de")

    context.set_offline(False)
    page.wait_for_selector("text=Gesendet: Dieser Tag ist gespeichert.")
    assert DiaryEntry.objects.count() == len(JOINTS)


def test_background_sync_sends_the_day_with_no_page_open(
    online_first, context, patient_with_joints
):
    """The patient closed the app offline: the browser's sync event alone sends the day.

    No page is open to notice the signal coming back, so only the worker's
    Background Sync handler can have sent it.
    """
    page = online_first
    _keep_a_day_offline(page, context)
    page.goto("about:blank")
    # The page kept the day (it said so) and is gone: from here only the worker
    # can send it. Whether it does so now or once the signal is back is not this
    # test's to say: the browser's offline emulation does not always reach a
    # worker it has just woken for its sync event, and on a busy machine the
    # worker's request then goes out at once.
    context.set_offline(False)
    deadline = time.monotonic() + 20
    while DiaryEntry.objects.count() < len(JOINTS) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert _stored(patient_with_joints) == {
        "left_hip": (6, 2),
        "right_hip": (2, 0),
        "left_knee": (4, 0),
    }
    assert CheckIn.objects.get().note == "stairs were hard"
    assert DiaryEntry.history.count() == len(JOINTS)
