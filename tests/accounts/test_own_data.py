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


def test_a_physicians_change_of_diary_range_is_recorded_too(client, diary, physician):
    client.force_login(physician.user)
    response = client.get(
        f"/physician/patients/{diary.pk}/?days=91", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    record = AccessRecord.objects.get()
    assert (record.viewer, record.what, record.detail) == (
        physician.user,
        "course",
        "diary, 91 days",
    )


def test_delete_also_ends_every_session_and_erases_admin_log_entries(
    client_as, diary, physician
):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.models import Session
    from django.test import Client

    from apps.dashboard.models import ClinicalEvent

    phone = Client()
    phone.post("/accounts/login/", {"login": "pat@example.org", "password": PASSWORD})
    assert Session.objects.filter(session_key=phone.session.session_key).exists()
    staff = User.objects.create_user(email="staff@example.org", is_staff=True)
    entry = DiaryEntry.objects.get()
    for obj in (diary.user, diary, entry):
        LogEntry.objects.log_actions(
            user_id=staff.pk, queryset=[obj], action_flag=CHANGE, change_message="x"
        )
    unrelated = LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[physician.user], action_flag=CHANGE
    )
    ClinicalEvent.objects.create(patient=diary, kind="mri", date=dt.date(2026, 3, 2))

    client = client_as(diary)
    client.post("/profile/delete/", {"password": PASSWORD})
    assert not Session.objects.filter(session_key=phone.session.session_key).exists()
    assert phone.get("/log/").status_code == 302
    user_type = ContentType.objects.get_for_model(User)
    assert list(LogEntry.objects.all()) == unrelated
    assert LogEntry.objects.get().content_type == user_type
    assert not ClinicalEvent.history.exists()
