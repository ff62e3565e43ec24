from __future__ import annotations

import pytest

from apps.diary.models import CheckIn, DiaryEntry
from tests.factories import PASSWORD, TrackedJointFactory, joint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def patient_with_joints(patient):
    for code in ("left_hip", "right_hip", "left_knee"):
        TrackedJointFactory(patient=patient, joint=joint(code))
    return patient


def test_patient_logs_three_joints_on_a_phone(
    page, live_server, login, screenshot, patient_with_joints
):
    login(page, "pat@example.org")
    assert page.url == f"{live_server.url}/log/"
    # Tap targets: the visible span, as a thumb would.
    page.click("#row-left_hip .pain label.p7")
    page.click("#row-left_hip .swelling label.s2")
    page.click("#row-right_hip .pain label.p3")
    page.click("#row-left_knee .pain label.p1")
    page.click("#row-left_knee .swelling label.s1")
    page.click("text=Save today")
    page.wait_for_selector("text=Saved.")  # htmx swapped the form in place
    screenshot(page, "log-saved")

    page.reload()
    assert page.is_checked("#row-left_hip input[name=pain_left_hip][value='7']")
    assert page.is_checked("#row-left_hip input[name=swelling_left_hip][value='2']")
    assert page.is_checked("#row-right_hip input[name=pain_right_hip][value='3']")
    assert page.is_checked("#row-left_knee input[name=swelling_left_knee][value='1']")
    assert page.locator("text=Logged.").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    stored = {
        e.joint.code: (e.pain, e.swelling)
        for e in DiaryEntry.objects.select_related("joint")
    }
    assert stored == {"left_hip": (7, 2), "right_hip": (3, 0), "left_knee": (1, 1)}


def test_out_of_range_without_javascript_shows_error_and_saves_nothing(
    browser, live_server, screenshot, patient_with_joints
):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "pat@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")

    # A tampered or stale form offers a score the server must refuse: rewrite
    # the page on its way in (no JavaScript needed for that).
    def tamper(route):
        html = route.fetch().text()
        html = html.replace(
            'name="pain_left_hip" value="5"', 'name="pain_left_hip" value="11"'
        )
        route.fulfill(body=html, content_type="text/html; charset=utf-8")

    page.route(f"{live_server.url}/log/", tamper)
    page.goto(f"{live_server.url}/log/")
    page.click("#row-left_hip .pain label.p5")
    page.click("text=Save today")
    assert page.locator(
        "text=Left hip pain must be a whole number from 0 to 10"
    ).is_visible()
    assert page.locator("text=Nothing was saved").is_visible()
    screenshot(page, "log-error-no-js")
    assert not CheckIn.objects.exists()
    assert not DiaryEntry.objects.exists()
    context.close()
