from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.urls import reverse

from apps.diary.models import CheckIn, DiaryEntry
from tests.factories import (
    CheckInFactory,
    DiaryEntryFactory,
    TrackedJointFactory,
    joint,
)

pytestmark = pytest.mark.django_db

# 08:00 UTC on 10 March 2026 is still 9 March in Honolulu, already 10 March in London.
NOW = dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def tracked(patient):
    for code in ("left_hip", "right_hip", "left_knee"):
        TrackedJointFactory(patient=patient, joint=joint(code))
    return patient


def day_post(**scores):
    data = {"note": scores.pop("note", "")}
    for code in ("left_hip", "right_hip", "left_knee"):
        pain, swelling = scores.get(code, (0, 0))
        data[f"pain_{code}"] = pain
        data[f"swelling_{code}"] = swelling
    return data


def test_home_sends_patient_to_log_and_physician_to_dashboard(
    client_as, patient, physician
):
    assert client_as(patient).get("/").url == "/log/"
    assert client_as(physician).get("/").url == "/physician/"


def test_home_sends_anonymous_to_login(client):
    assert client.get("/").url.startswith("/accounts/login/")


def test_log_page_shows_one_row_per_tracked_joint(client_as, tracked):
    response = client_as(tracked).get("/log/")
    html = response.content.decode()
    assert response.status_code == 200
    for code in ("left_hip", "right_hip", "left_knee"):
        assert f'id="row-{code}"' in html
    assert "Save today" in html


def test_saving_a_day_stores_check_in_and_entries(client_as, tracked):
    response = client_as(tracked).post(
        "/log/", day_post(left_hip=(6, 2), right_hip=(1, 0), note="stairs hurt")
    )
    assert response.status_code == 302
    checkin = CheckIn.objects.get(patient=tracked)
    assert (checkin.date, checkin.note) == (TODAY, "stairs hurt")
    stored = {
        e.joint.code: (e.pain, e.swelling)
        for e in DiaryEntry.objects.filter(patient=tracked)
    }
    assert stored == {"left_hip": (6, 2), "right_hip": (1, 0), "left_knee": (0, 0)}


def test_posting_the_same_day_twice_stores_it_once(client_as, tracked):
    client = client_as(tracked)
    client.post("/log/", day_post(left_hip=(6, 2)))
    client.post("/log/", day_post(left_hip=(6, 2)))
    assert CheckIn.objects.count() == 1
    assert DiaryEntry.objects.count() == 3
    assert DiaryEntry.history.count() == 3  # the repeat changed nothing


def test_correcting_a_day_keeps_history(client_as, tracked):
    client = client_as(tracked)
    client.post("/log/", day_post(left_hip=(6, 2)))
    client.post("/log/", day_post(left_hip=(4, 1)))
    entry = DiaryEntry.objects.get(joint__code="left_hip")
    assert (entry.pain, entry.swelling) == (4, 1)
    assert [h.pain for h in entry.history.order_by("history_date")] == [6, 4]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pain_left_hip", "11", "Left hip pain must be a whole number from 0 to 10"),
        ("pain_left_hip", "-1", "Left hip pain must be a whole number from 0 to 10"),
        ("swelling_right_hip", "4", "Right hip swelling must be 0 to 3"),
        ("pain_left_knee", "abc", "Left knee pain must be a whole number"),
        ("pain_left_knee", "", "Choose a pain score for your left knee"),
        ("pain_left_nose", "3", "not one of your tracked joints"),
    ],
)
def test_bad_input_saves_nothing_and_says_why(
    client_as, tracked, field, value, message
):
    data = day_post(left_hip=(6, 2))
    data[field] = value
    response = client_as(tracked).post("/log/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not CheckIn.objects.exists()
    assert not DiaryEntry.objects.exists()


def test_bad_input_over_htmx_gets_fragment_with_error(client_as, tracked):
    data = day_post()
    data["pain_left_hip"] = "12"
    response = client_as(tracked).post("/log/", data, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="day-form"' in html
    assert "<nav" not in html
    assert not DiaryEntry.objects.exists()


def test_htmx_save_returns_the_form_fragment(client_as, tracked):
    response = client_as(tracked).post(
        "/log/", day_post(left_hip=(3, 1)), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="day-form"' in html
    assert "Saved." in html
    assert 'class="topbar"' not in html  # a fragment, not the page
    # The week strip is swapped out of band so today's dot shows as logged.
    assert (
        'id="week-strip" class="week-strip" aria-label="This week" hx-swap-oob="true"'
        in html
    )
    assert 'aria-current="date"' in html
    assert response["Vary"].count("HX-Request") == 1


def test_future_day_in_patients_zone_is_refused(client_as, tracked):
    response = client_as(tracked).post("/log/2026-03-11/", day_post(left_hip=(3, 1)))
    assert response.status_code == 400
    assert not CheckIn.objects.exists()


def test_today_follows_the_patients_time_zone(client_as, tracked):
    tracked.timezone = "Pacific/Honolulu"
    tracked.save()
    client = client_as(tracked)
    client.post("/log/", day_post(left_hip=(3, 1)))
    assert CheckIn.objects.get().date == dt.date(2026, 3, 9)
    # 10 March has not begun in Honolulu yet.
    assert client.post("/log/2026-03-10/", day_post()).status_code == 400


def test_backfilling_a_past_day(client_as, tracked):
    response = client_as(tracked).post("/log/2026-03-01/", day_post(left_knee=(5, 1)))
    assert response.status_code == 302
    assert response.url == "/log/2026-03-01/"
    assert DiaryEntry.objects.get(joint__code="left_knee").date == dt.date(2026, 3, 1)


def test_days_before_the_diary_starts_are_refused_with_a_reason(client_as, tracked):
    # Signed up today (10 March 2026): the diary goes back two years.
    client = client_as(tracked)
    for url in ("/log/1900-01-01/", "/log/0001-01-01/", "/log/2024-03-09/"):
        page = client.get(url, follow=True)
        assert page.redirect_chain == [("/log/", 302)], url
        assert "Your diary starts on 10 Mar 2024" in page.content.decode()
        form = client.post(url, day_post(left_hip=(3, 1)))
        assert form.status_code == 400
        assert "cannot be logged" in form.content.decode()
        body = {"entries": [{"joint": "left_hip", "pain": 3, "swelling": 1}]}
        api = client.post(url, json.dumps(body), content_type="application/json")
        assert api.status_code == 400
        assert "cannot be logged" in api.json()["errors"]["date"][0]
    assert not CheckIn.objects.exists()
    first = client.get("/log/2024-03-10/")
    assert first.status_code == 200
    assert 'aria-label="Previous day"' not in first.content.decode()


def test_an_earlier_diagnosis_moves_the_start_of_the_diary(client_as, tracked):
    tracked.diagnosis_date = dt.date(2023, 6, 1)
    tracked.save()
    client = client_as(tracked)
    assert client.get("/log/2023-06-01/").status_code == 200
    assert client.post("/log/2023-06-01/", day_post(left_hip=(3, 1))).status_code == 302
    assert client.get("/log/2023-05-31/").status_code == 302


@pytest.mark.parametrize(
    "url", ["/log/2026-02-30/", "/log/2026-13-01/", "/log/26-1-1/"]
)
def test_malformed_dates_are_not_found(client_as, tracked, url):
    assert client_as(tracked).get(url).status_code == 404


def test_unlogged_day_is_prefilled_from_last_logged_day(client_as, tracked):
    CheckInFactory(patient=tracked, date=dt.date(2026, 3, 7))
    DiaryEntryFactory(
        patient=tracked,
        joint=joint("left_hip"),
        date=dt.date(2026, 3, 7),
        pain=7,
        swelling=2,
    )
    response = client_as(tracked).get("/log/")
    form = response.context["form"]
    assert form.initial["pain_left_hip"] == 7
    assert form.initial["swelling_left_hip"] == 2
    assert form.initial["pain_right_hip"] == 0  # not mentioned that day: it was 0
    assert response.context["state"].prefilled_from == dt.date(2026, 3, 7)
    assert not CheckIn.objects.filter(
        date=TODAY
    ).exists()  # opening the page logs nothing


def test_add_joint_in_one_tap_keeps_unsaved_values(client_as, tracked):
    data = day_post(left_hip=(8, 3))
    data["add_joint"] = "right_knee"
    response = client_as(tracked).post(
        reverse("diary:joint-add", args=[TODAY]), data, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert 'id="row-right_knee"' in html
    assert re.search(r'name="pain_left_hip" value="8"[^>]*checked', html)
    assert tracked.tracked_joints.filter(joint__code="right_knee").exists()
    assert not CheckIn.objects.exists()


def test_add_unknown_joint_is_refused(client_as, tracked):
    response = client_as(tracked).post(
        reverse("diary:joint-add", args=[TODAY]), {"add_joint": "left_tail"}
    )
    assert response.status_code == 400


def test_json_save_counts_unmentioned_joints_as_zero(client_as, tracked):
    payload = {"entries": [{"joint": "left_hip", "pain": 5, "swelling": 1}], "note": ""}
    response = client_as(tracked).post(
        "/log/", json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["created"] == 3
    assert DiaryEntry.objects.get(joint__code="right_hip").pain == 0


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        json.dumps([1, 2]),
        json.dumps({"entries": [{"joint": "left_hip", "pain": 99, "swelling": 0}]}),
        json.dumps({"entries": [{"joint": "left_hip", "pain": True, "swelling": 0}]}),
        json.dumps({"entries": [{"joint": "elsewhere", "pain": 1, "swelling": 0}]}),
        json.dumps({"entries": [{"joint": "left_hip"}]}),
    ],
)
def test_json_bad_input_is_400_and_saves_nothing(client_as, tracked, payload):
    response = client_as(tracked).post(
        "/log/", payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert "errors" in response.json()
    assert not DiaryEntry.objects.exists()


def test_physician_cannot_use_the_patient_log(client_as, physician):
    assert client_as(physician).get("/log/").status_code == 403


def test_log_requires_login(client):
    response = client.get("/log/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.url
