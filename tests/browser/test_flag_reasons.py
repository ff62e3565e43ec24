"""Every flag explains itself on a phone: the lines under stopped logging, new
joint and atypical course read in full, pass axe, and fit at 320 px and at
200 % text, in English and in German."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.models import PhysicianProfile
from apps.dashboard import services
from apps.dashboard.figures import add_months
from tests.browser import a11y
from tests.dashboard.factories import EpisodeFactory
from tests.factories import CareLinkFactory, CheckInFactory, joint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "tmo-demo-2026"

# What each reason line says, by flag, in the two languages checked: every
# line of the flag holds one of these.
SAYS = {
    "en": {
        "stopped": ("No diary for ", "No diary entries yet."),
        "new_joint": (": first episode in this joint, started ",),
        "atypical": ("Right hip: active for 10 months;",),
    },
    "de": {
        "stopped": ("Seit ", "Noch keine Tagebucheinträge."),
        "new_joint": (": erste Episode in diesem Gelenk, Beginn am ",),
        "atypical": ("Rechte Hüfte: seit 10 Monaten aktiv;",),
    },
}


# Each reason line's box against the table card it scrolls in: a line wider
# than the first screen of the card is cut off mid-sentence until scrolled.
_CUT_LINES = """() => {
    const cut = [];
    for (const why of document.querySelectorAll('.flag-why')) {
        const card = why.closest('.table-wrap').getBoundingClientRect();
        const r = why.getBoundingClientRect();
        if (r.right > card.right + 1) cut.push(why.textContent.trim());
    }
    return cut;
}"""


@pytest.fixture
def world(transactional_db):
    """The demo's eleven stories, plus a long atypical course and a patient who never logged."""
    call_command("seed_demo", patients=11, days=200)
    physician = PhysicianProfile.objects.get(user__email="doctor@example.com")
    today = timezone.localdate()
    long_course = CareLinkFactory(
        physician=physician,
        patient__user__first_name="Hanna",
        patient__user__last_name="Berglund-Okafor",
        patient__user__email="hanna.berglund-okafor@example.com",
    ).patient
    onset = add_months(today, -10)
    EpisodeFactory(
        patient=long_course,
        joint=joint("right_hip"),
        onset=onset,
        phase="improving",
        detected_on=onset + dt.timedelta(days=10),
    )
    CheckInFactory(patient=long_course, date=today)
    services.summary_refresh(patient=long_course, today=today)
    CareLinkFactory(
        physician=physician,
        patient__user__first_name="Nils",
        patient__user__last_name="Ek",
        patient__user__email="nils.ek@example.com",
    )
    return physician


def _show_table(page) -> None:
    # Centred, clear of the sticky top bar: a viewport capture shows the first rows.
    page.evaluate(
        "document.querySelector('#patient-table thead')"
        ".scrollIntoView({block: 'center'})"
    )


def _reasons(page) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in page.locator("#patient-table .flag-item").all():
        key = item.locator(".flag").get_attribute("class").split("flag-")[-1]
        why = item.locator(".flag-why")
        found.setdefault(key, []).append(why.inner_text() if why.count() else "")
    return found


def test_every_flag_explains_itself_at_390px(
    page, live_server, login, screenshot, world
):
    login(page, "doctor@example.com", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/physician/")
    reasons = _reasons(page)
    for flag in ("migrated", "worsening", "stopped", "new_joint", "atypical"):
        assert reasons.get(flag), (flag, reasons)
        assert all(reasons[flag]), (flag, reasons)
    assert "No diary entries yet." in reasons["stopped"]
    assert any(line.startswith("No diary for ") for line in reasons["stopped"])
    assert reasons["atypical"] == [
        "Right hip: active for 10 months; a TMO episode usually settles in 3–9 months."
    ]
    assert a11y.axe_violations(page) == []
    screenshot(page, "dashboard-reasons-390")
    assert page.evaluate(_CUT_LINES) == []
    for flag in ("stopped", "new_joint", "atypical"):
        page.goto(f"{live_server.url}/physician/?flag={flag}")
        assert a11y.axe_violations(page) == []
    screenshot(page, "dashboard-reasons-atypical-390")


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_reason_lines_fit_at_200_percent_text_and_at_320px(
    page, live_server, login, screenshot, world, language
):
    world.user.language = language
    world.user.save(update_fields=["language"])
    login(page, "doctor@example.com", DEMO_PASSWORD)
    url = f"{live_server.url}/physician/"
    page.goto(url)
    a11y.text_size(page, 200)
    # At this size the table may scroll sideways inside its card, as WCAG
    # reflow allows a data table; the page itself must not.
    problems = {"200%": a11y.layout_problems(page)}
    _show_table(page)
    screenshot(page, f"dashboard-reasons-200pct-{language}", full_page=False)
    a11y.text_size(page, 100)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(url)
    problems["320"] = a11y.layout_problems(page)
    problems["320, cut lines"] = page.evaluate(_CUT_LINES)
    screenshot(page, f"dashboard-reasons-320-{language}")
    _show_table(page)
    screenshot(page, f"dashboard-reasons-320-table-{language}", full_page=False)
    reasons = _reasons(page)
    for flag, says in SAYS[language].items():
        assert reasons.get(flag), (flag, reasons)
        assert all(any(s in line for s in says) for line in reasons[flag]), reasons
    assert all(found == [] for found in problems.values()), problems
