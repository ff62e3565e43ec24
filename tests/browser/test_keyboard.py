"""The daily log by keyboard alone, as a patient who cannot use a pointer."""

from __future__ import annotations

import pytest

from apps.diary.models import CheckIn, DiaryEntry, TrackedJoint
from tests.factories import TrackedJointFactory, joint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def patient_with_joints(patient):
    for code in ("left_hip", "right_hip", "left_knee"):
        TrackedJointFactory(patient=patient, joint=joint(code))
    return patient


def test_enter_in_a_pain_choice_saves_the_day_and_focuses_the_message(
    page, login, screenshot, patient_with_joints
):
    login(page, "pat@example.org")
    page.reload()  # the "signed in" message would take focus when it loads
    page.focus("#id_pain_left_hip_0")
    page.keyboard.press("ArrowRight")  # radio group: the arrow moves and selects
    page.keyboard.press("ArrowRight")
    assert page.is_checked("#id_pain_left_hip_2")
    page.keyboard.press("Enter")
    page.wait_for_selector(".msg-success")
    # The day is saved; no joint was added by the "+ joint" chips.
    assert CheckIn.objects.filter(patient=patient_with_joints).count() == 1
    assert DiaryEntry.objects.get(joint__code="left_hip").pain == 2
    assert TrackedJoint.objects.filter(patient=patient_with_joints).count() == 3
    # Focus moves to the result (htmx honours autofocus once the swap settles),
    # which a screen reader reads out as a status.
    page.wait_for_function("() => document.activeElement.matches('.msg-success')")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "status"
    assert page.evaluate("document.activeElement.textContent").startswith("Saved.")
    screenshot(page, "log-saved-by-keyboard")


def test_enter_in_a_swelling_choice_saves_too(page, login, patient_with_joints):
    login(page, "pat@example.org")
    page.reload()
    page.focus("#id_swelling_right_hip_0")
    page.keyboard.press("ArrowRight")
    assert page.is_checked("#id_swelling_right_hip_1")
    page.keyboard.press("Enter")
    page.wait_for_selector(".msg-success")
    assert DiaryEntry.objects.get(joint__code="right_hip").swelling == 1
    assert TrackedJoint.objects.filter(patient=patient_with_joints).count() == 3


def test_the_first_submit_button_of_the_day_form_is_save(
    page, login, patient_with_joints
):
    login(page, "pat@example.org")
    first = page.locator("#day-form button[type=submit]").first
    assert first.inner_text().startswith("Save")


def test_tabbing_to_the_note_keeps_it_clear_of_the_sticky_save_bar(
    page, login, patient_with_joints
):
    login(page, "pat@example.org")
    page.reload()
    # From the last swelling choice, Tab goes to the note, as a keyboard user would.
    page.focus("#id_swelling_left_knee_0")
    page.evaluate("window.scrollTo(0, 0)")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "note"
    note = page.locator("textarea[name=note]").bounding_box()
    bar = page.locator(".save-bar").bounding_box()
    viewport = page.viewport_size
    assert note["y"] >= 0
    assert note["y"] + note["height"] <= min(bar["y"], viewport["height"]) + 1


def test_a_skip_link_is_the_first_tab_stop_and_jumps_to_the_content(
    page, login, patient_with_joints
):
    login(page, "pat@example.org")
    page.reload()  # without the "signed in" message, which takes focus itself
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_after_a_plain_post_the_result_message_has_focus(
    browser, live_server, patient_with_joints
):
    from tests.factories import PASSWORD

    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "pat@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.goto(f"{live_server.url}/log/")
    page.focus("#id_pain_left_hip_0")
    page.keyboard.press("ArrowRight")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.className") == "messages"
    assert "Today is saved." in page.evaluate("document.activeElement.textContent")
    assert DiaryEntry.objects.get(joint__code="left_hip").pain == 1
    context.close()
