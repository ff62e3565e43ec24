from __future__ import annotations

import gzip

import pytest
from django.core.management import call_command

from apps.accounts.models import PatientProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "tmo-demo-2026"


@pytest.fixture
def demo(transactional_db):
    # The demo's first ten patients cover every clinical story and dashboard flag.
    call_command("seed_demo", patients=10, days=365)


def test_patient_course_on_a_phone_shows_timeline_and_body_map(
    page, live_server, login, screenshot, demo
):
    transferred = {}

    def count(response):
        # Body sizes as a phone would fetch them compressed (the server gzips
        # in production through WhiteNoise; here we compress what arrived).
        try:
            transferred[response.url] = len(gzip.compress(response.body(), 9))
        except Exception:
            transferred[response.url] = 0

    page.on("response", count)
    login(page, "patient2@example.com", DEMO_PASSWORD)  # knee → ankle → foot
    page.goto(f"{live_server.url}/course/")
    page.wait_for_load_state("networkidle")
    patient = PatientProfile.objects.get(user__email="patient2@example.com")
    tracked = patient.tracked_joints.count()
    # First the static timeline: every row drawn, and no plotly.js fetched yet.
    static = page.locator("[data-chart] svg.timeline-static")
    assert static.is_visible()
    assert static.locator("polyline").count() >= tracked
    assert not any("plotly" in url for url in transferred)
    assert page.locator("figure.body-map svg").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "course-phone")
    total_kb = sum(transferred.values()) / 1024
    print(f"course page first load: {total_kb:.0f} KB compressed")
    assert total_kb <= 200

    # A tap on its "6m" button opens the interactive chart on that range.
    static.locator("[data-range='6m']").click()
    page.wait_for_selector("[data-chart] .main-svg")
    rows = page.locator("[data-chart] .main-svg .cartesianlayer .subplot").count()
    assert rows == tracked
    assert page.locator("svg.timeline-static").count() == 0
    active = page.locator("[data-chart] .rangeselector .button").filter(has_text="6m")
    assert active.locator("rect").get_attribute("style").find("rgb(201, 216, 232)") >= 0
    screenshot(page, "course-phone-interactive")


def test_physician_dashboard_lists_flagged_patients_first_and_opens_one(
    browser, live_server, screenshot, demo
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "doctor@example.com")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/physician/")
    first_rows = page.locator("#patient-table tbody tr").all()[:3]
    assert all(row.locator(".flag").count() > 0 for row in first_rows)
    screenshot(page, "dashboard-1280")
    first_rows[0].locator("a").first.click()
    page.wait_for_url("**/physician/patients/*/")
    page.wait_for_selector("[data-chart] .main-svg")
    screenshot(page, "patient-detail-1280")
    context.close()
