"""A possible new joint on a phone: the patient's course and the physician's
triage table say it quietly, in plain words, and pass axe."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.accounts.models import PatientProfile
from tests.browser import a11y

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "tmo-demo-2026"


@pytest.fixture
def demo(transactional_db):
    # The eleventh demo story: a healing hip, the knee below it sore for 3 days.
    call_command("seed_demo", patients=11, days=200)


def test_possible_joint_on_course_and_dashboard_at_390px(
    page, live_server, login, screenshot, demo
):
    login(page, "patient11@example.com", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/course/")
    note = page.locator(".possible-note")
    assert "has been sore for 3 days — keep logging it." in note.inner_text()
    assert a11y.axe_violations(page) == []
    screenshot(page, "course-possible-390")

    page.context.clear_cookies()
    login(page, "doctor@example.com", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/physician/?flag=possible")
    flag = page.locator("td .flag-possible").first
    assert flag.inner_text() == "Possible new joint"
    why = page.locator(
        "td .flag-item", has=page.locator(".flag-possible")
    ).first.locator(".flag-why")
    assert "not yet told apart from a short ache" in why.inner_text()
    assert a11y.axe_violations(page) == []
    screenshot(page, "dashboard-possible-390")
    page.goto(f"{live_server.url}/physician/")
    screenshot(page, "dashboard-all-390")

    pk = PatientProfile.objects.get(user__email="patient11@example.com").pk
    page.goto(f"{live_server.url}/physician/patients/{pk}/")
    assert "sore for 3 days" in page.locator(".possible-row").inner_text()
    assert a11y.axe_violations(page) == []
    screenshot(page, "patient-detail-possible-390")


def test_the_flags_reasons_fit_at_200_percent_text_and_at_320px(
    page, live_server, login, screenshot, demo
):
    login(page, "doctor@example.com", DEMO_PASSWORD)
    pk = PatientProfile.objects.get(user__email="patient11@example.com").pk
    problems = {}
    for url in ("/physician/?flag=possible", f"/physician/patients/{pk}/"):
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{live_server.url}{url}")
        a11y.text_size(page, 200)
        problems[f"{url} at 200%"] = a11y.layout_problems(page)
        page.set_viewport_size({"width": 320, "height": 640})
        page.goto(f"{live_server.url}{url}")
        problems[f"{url} at 320"] = a11y.layout_problems(page)
    screenshot(page, "patient-detail-possible-320")
    page.goto(f"{live_server.url}/physician/?flag=possible")
    a11y.text_size(page, 200)
    screenshot(page, "dashboard-possible-320-200pct")
    assert all(found == [] for found in problems.values()), problems
