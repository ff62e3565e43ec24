from __future__ import annotations

import datetime as dt

import pytest

from apps.accounts.models import AccessRecord, CareLink, PatientProfile, User
from apps.diary.models import CheckIn, DiaryEntry
from tests.factories import PASSWORD, TrackedJointFactory, joint

pytestmark = pytest.mark.django_db


@pytest.fixture
def diary(patient):
    TrackedJointFactory(patient=patient, joint=joint("left_knee"))
    from apps.diary.services import Score, day_record

    day_record(
        patient=patient,
        day=dt.date(2026, 3, 1),
        scores={joint("left_knee"): Score(pain=5, swelling=1)},
        note="first",
    )
    day_record(
        patient=patient,
        day=dt.date(2026, 3, 1),
        scores={joint("left_knee"): Score(pain=4, swelling=1)},
        note="corrected",
    )
    return patient


def test_physician_opening_a_course_is_shown_to_the_patient(client, diary, physician):
    client.force_login(physician.user)
    assert client.get(f"/physician/patients/{diary.pk}/").status_code == 200
    assert (
        client.get(f"/physician/patients/{diary.pk}/export/diary.csv").status_code
        == 200
    )
    assert list(AccessRecord.objects.values_list("what", flat=True).order_by("at")) == [
        "course",
        "export",
    ]
    client.force_login(diary.user)
    html = client.get("/profile/").content.decode()
    assert "opened your course" in html
    assert "downloaded an export" in html


def test_export_asks_for_the_password_first(client_as, diary):
    # Even an ordinary session: the whole record must not go to whoever
    # finds the phone unlocked.
    response = client_as(diary).get("/profile/export.json")
    assert response.status_code == 302
    assert (
        response["Location"]
        == "/accounts/reauthenticate/?next=%2Fprofile%2Fexport.json"
    )


def test_export_holds_the_whole_diary(client_as, diary):
    client = client_as(diary)
    response = client.post(
        "/accounts/reauthenticate/?next=/profile/export.json", {"password": PASSWORD}
    )
    assert response["Location"] == "/profile/export.json"
    data = client.get("/profile/export.json").json()
    assert data["account"]["email"] == "pat@example.org"
    assert data["entries"] == [
        {"date": "2026-03-01", "joint": "left_knee", "pain": 4, "swelling": 1}
    ]
    assert data["check_ins"] == [{"date": "2026-03-01", "note": "corrected"}]
    assert data["tracked_joints"] == ["left_knee"]


def test_delete_needs_the_password_and_keeps_everything_without_it(client_as, diary):
    response = client_as(diary).post("/profile/delete/", {"password": "wrong"})
    assert response.status_code == 422
    assert "nothing was deleted" in response.content.decode()
    assert DiaryEntry.objects.exists()


def test_delete_erases_diary_history_and_access(client_as, diary, physician):
    client = client_as(diary)
    response = client.post("/profile/delete/", {"password": PASSWORD}, follow=True)
    assert "have been erased" in response.content.decode()
    assert not User.objects.filter(email="pat@example.org").exists()
    assert not PatientProfile.objects.exists()
    assert not CheckIn.objects.exists()
    assert not DiaryEntry.objects.exists()
    assert not DiaryEntry.history.exists()
    assert not CheckIn.history.exists()
    assert not PatientProfile.history.exists()
    assert not CareLink.objects.exists()
    assert client.get("/log/").status_code == 302  # logged out
