"""A day kept on a phone offline and sent later: based_on, 409 and idempotent resends."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from apps.diary import services
from apps.diary.models import CheckIn, DiaryEntry
from tests.factories import TrackedJointFactory, joint

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 18, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 3, 9)
URL = f"/log/{DAY:%Y-%m-%d}/"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def tracked(patient):
    for code in ("left_hip", "right_hip"):
        TrackedJointFactory(patient=patient, joint=joint(code))
    return patient


def send(client, *, left_hip=(0, 0), note="", **extra):
    body = {
        "entries": [
            {"joint": "left_hip", "pain": left_hip[0], "swelling": left_hip[1]},
            {"joint": "right_hip", "pain": 0, "swelling": 0},
        ],
        "note": note,
        **extra,
    }
    return client.post(URL, json.dumps(body), content_type="application/json")


def tablet_saves(patient, pain: int, note: str = "from the tablet") -> None:
    services.day_record(
        patient=patient,
        day=DAY,
        scores={joint("left_hip"): services.Score(pain=pain, swelling=1)},
        note=note,
    )


def left_hip(patient) -> tuple[int, int]:
    e = DiaryEntry.objects.get(patient=patient, joint__code="left_hip", date=DAY)
    return e.pain, e.swelling


def test_day_first_logged_offline_is_stored_with_its_version(client_as, tracked):
    response = send(client_as(tracked), left_hip=(5, 2), based_on=None)
    assert response.status_code == 200
    version = response.json()["version"]
    assert version.endswith("Z")
    assert left_hip(tracked) == (5, 2)
    page = client_as(tracked).get(URL)
    assert f'data-version="{version}"' in page.content.decode()


def test_save_based_on_the_current_version_overwrites(client_as, tracked):
    client = client_as(tracked)
    version = send(client, left_hip=(5, 2), based_on=None).json()["version"]
    response = send(client, left_hip=(7, 3), based_on=version)
    assert response.status_code == 200
    assert left_hip(tracked) == (7, 3)


def test_older_queued_save_gets_409_with_what_is_stored(client_as, tracked):
    client = client_as(tracked)
    version = send(client, left_hip=(5, 2), based_on=None).json()["version"]
    tablet_saves(tracked, pain=8)  # later, from another device

    response = send(client, left_hip=(4, 0), note="from the phone", based_on=version)

    assert response.status_code == 409
    stored = response.json()["stored"]
    assert stored["note"] == "from the tablet"
    assert {"joint": "left_hip", "pain": 8, "swelling": 1} in stored["entries"]
    assert stored["version"] > version
    assert left_hip(tracked) == (8, 1)  # nothing overwritten
    assert CheckIn.objects.get(patient=tracked, date=DAY).note == "from the tablet"

    # The patient chose the phone's: sent again based on the version it was shown.
    again = send(
        client, left_hip=(4, 0), note="from the phone", based_on=stored["version"]
    )
    assert again.status_code == 200
    assert left_hip(tracked) == (4, 0)


def test_day_logged_elsewhere_while_the_phone_had_it_empty_is_a_conflict(
    client_as, tracked
):
    tablet_saves(tracked, pain=3)
    response = send(client_as(tracked), left_hip=(6, 1), based_on=None)
    assert response.status_code == 409
    assert left_hip(tracked) == (3, 1)


def test_resend_after_a_lost_answer_is_stored_once_not_a_conflict(client_as, tracked):
    client = client_as(tracked)
    first = send(client, left_hip=(5, 2), note="stairs", based_on=None)
    # The answer never reached the phone; it sends the same day again later.
    again = send(client, left_hip=(5, 2), note="stairs", based_on=None)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["version"] == first.json()["version"]
    assert DiaryEntry.objects.filter(patient=tracked, date=DAY).count() == 2
    assert DiaryEntry.history.filter(date=DAY).count() == 2
    assert CheckIn.objects.filter(patient=tracked, date=DAY).count() == 1


def test_save_without_based_on_keeps_last_write_wins(client_as, tracked):
    tablet_saves(tracked, pain=3)
    response = send(client_as(tracked), left_hip=(6, 1))
    assert response.status_code == 200
    assert left_hip(tracked) == (6, 1)


@pytest.mark.parametrize("bad", ["yesterday", 12, "2026-03-09T10:00:00", ["x"]])
def test_bad_based_on_is_a_clear_400(client_as, tracked, bad):
    response = send(client_as(tracked), left_hip=(6, 1), based_on=bad)
    assert response.status_code == 400
    assert "based_on" in response.json()["errors"]
    assert not DiaryEntry.objects.exists()


def test_other_patient_cannot_send_a_day_into_this_diary(
    client_as, tracked, other_patient
):
    TrackedJointFactory(patient=other_patient, joint=joint("left_hip"))
    TrackedJointFactory(patient=other_patient, joint=joint("right_hip"))
    send(client_as(other_patient), left_hip=(9, 3), based_on=None)
    assert not DiaryEntry.objects.filter(patient=tracked).exists()


def test_conflict_check_is_in_the_same_transaction_as_the_write(tracked):
    """A conflict stores nothing: no check-in, entries or history rows change."""
    tablet_saves(tracked, pain=3)
    history = DiaryEntry.history.count()
    with pytest.raises(services.DayConflict):
        services.day_record(
            patient=tracked,
            day=DAY,
            scores={joint("left_hip"): services.Score(pain=9, swelling=3)},
            note="late",
            based_on=services.DayBase(version=None),
        )
    assert DiaryEntry.history.count() == history
    assert left_hip(tracked) == (3, 1)
