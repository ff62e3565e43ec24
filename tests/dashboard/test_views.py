from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.dashboard import services
from apps.dashboard.models import ClinicalEvent, PhysicianNote
from tests.dashboard.factories import (
    ClinicalEventFactory,
    EpisodeFactory,
    JointMigrationFactory,
    PhysicianNoteFactory,
)
from tests.factories import (
    CareLinkFactory,
    CheckInFactory,
    DiaryEntryFactory,
    PatientFactory,
    TrackedJointFactory,
    joint,
)

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _today(patient) -> dt.date:
    return patient.local_date(timezone.now())


def _diary(patient, days: int) -> None:
    today = _today(patient)
    TrackedJointFactory(patient=patient, joint=joint("left_hip"))
    for i in range(days):
        d = today - dt.timedelta(days=i)
        if i % 7 == 3:
            continue  # an unlogged day now and then
        CheckInFactory(patient=patient, date=d)
        DiaryEntryFactory(
            patient=patient, joint=joint("left_hip"), date=d, pain=i % 8, swelling=i % 3
        )


def _patient_urls(patient, migration, event) -> list[tuple[str, str]]:
    pk = patient.pk
    return [
        ("get", reverse("dashboard:patient", args=[pk])),
        ("post", reverse("dashboard:migration-acknowledge", args=[pk, migration.pk])),
        ("post", reverse("dashboard:note-create", args=[pk])),
        ("post", reverse("dashboard:event-create", args=[pk])),
        ("post", reverse("dashboard:event-delete", args=[pk, event.pk])),
        ("get", reverse("dashboard:export", args=[pk, "diary.csv"])),
        ("get", reverse("dashboard:export", args=[pk, "fhir.json"])),
        ("get", reverse("dashboard:export", args=[pk, "summary"])),
    ]


def test_unlinked_physician_gets_404_for_every_patient_url(
    client_as, patient, unlinked_physician
):
    m = JointMigrationFactory(patient=patient)
    e = ClinicalEventFactory(patient=patient)
    client = client_as(unlinked_physician)
    for method, url in _patient_urls(patient, m, e):
        assert getattr(client, method)(url).status_code == 404, url
    m.refresh_from_db()
    assert m.acknowledged_at is None
    assert ClinicalEvent.objects.filter(pk=e.pk).exists()


def test_revoked_link_ends_access(client_as, patient, physician):
    m = JointMigrationFactory(patient=patient)
    e = ClinicalEventFactory(patient=patient)
    link = patient.care_links.get()
    client = client_as(patient)
    client.post(reverse("accounts:link-revoke", args=[link.pk]))
    client = client_as(physician)
    for method, url in _patient_urls(patient, m, e):
        assert getattr(client, method)(url).status_code == 404, url


def test_another_patient_gets_nothing_from_patient_urls(
    client_as, patient, other_patient
):
    m = JointMigrationFactory(patient=patient)
    e = ClinicalEventFactory(patient=patient)
    client = client_as(other_patient)
    # Physician pages refuse patients outright (the role check: 403).
    for method, url in _patient_urls(patient, m, e):
        assert getattr(client, method)(url).status_code in (403, 404), url
    # A patient's own URLs only ever reach their own rows: someone else's event is a 404.
    assert client.post(reverse("patient:event-delete", args=[e.pk])).status_code == 404
    assert ClinicalEvent.objects.filter(pk=e.pk).exists()


def test_patient_exports_are_their_own_diary(client_as, patient, other_patient):
    _diary(other_patient, 5)
    response = client_as(patient).get(reverse("patient:export", args=["diary.csv"]))
    assert response.status_code == 200
    assert response.content.decode().strip().splitlines() == [
        "date,joint,side,pain_0_10,swelling_0_3,note"
    ]


def test_unknown_export_is_404(client_as, patient):
    assert client_as(patient).get("/course/export/diary.xlsx").status_code == 404


def test_dashboard_lists_only_linked_patients(
    client_as, physician, patient, other_patient
):
    response = client_as(physician).get(reverse("dashboard:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert patient.user.email in html
    assert other_patient.user.email not in html


def test_dashboard_htmx_request_returns_only_the_table(client_as, physician, patient):
    response = client_as(physician).get(
        reverse("dashboard:index") + "?sort=name", headers=HTMX
    )
    html = response.content.decode()
    assert 'id="patient-table"' in html
    assert '<nav aria-label="Main"' not in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_dashboard_search_filter_and_sort(client_as, physician, patient):
    today = timezone.localdate()
    anna = CareLinkFactory(
        physician=physician,
        patient__user__first_name="Anna",
        patient__user__last_name="Zed",
    ).patient
    JointMigrationFactory(patient=anna, detected_on=today)
    for p in (patient, anna):
        CheckInFactory(patient=p, date=today)
        services.summary_refresh(patient=p, today=today)
    client = client_as(physician)
    rows = client.get("/physician/?q=anna").context["rows"]
    assert [r.patient for r in rows] == [anna]
    rows = client.get("/physician/?flag=migrated").context["rows"]
    assert [r.patient for r in rows] == [anna]
    rows = client.get("/physician/?sort=-name").context["rows"]
    assert [r.patient for r in rows] == [anna, patient]
    rows = client.get("/physician/").context["rows"]
    assert rows[0].patient == anna  # most urgent first


def test_dashboard_paginates(client_as, physician):
    for _ in range(26):
        CareLinkFactory(physician=physician)
    response = client_as(physician).get("/physician/?page=2")
    assert len(response.context["rows"]) == 2  # 27 patients with the fixture's own
    assert "Page 2 of 2" in response.content.decode()


def test_dashboard_query_count_does_not_grow_with_patients_or_days(
    client_as, physician, django_assert_max_num_queries
):
    client = client_as(physician)
    for n in (2, 12):
        for _ in range(n):
            p = CareLinkFactory(physician=physician).patient
            _diary(p, 30)
            services.summary_refresh(patient=p, today=_today(p))
        with django_assert_max_num_queries(12):
            assert client.get(reverse("dashboard:index")).status_code == 200


def test_detail_query_count_does_not_grow_with_days(
    client_as, physician, patient, django_assert_max_num_queries
):
    _diary(patient, 400)
    EpisodeFactory(patient=patient)
    JointMigrationFactory(patient=patient)
    ClinicalEventFactory(patient=patient, joint=joint("left_hip"))
    PhysicianNoteFactory(patient=patient, physician=physician)
    client = client_as(physician)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("dashboard:patient", args=[patient.pk]))
    assert response.status_code == 200


def test_stopped_logging_days_can_be_changed_on_the_dashboard(client_as, physician):
    response = client_as(physician).post(
        reverse("dashboard:settings"), {"stopped_logging_days": "5"}, headers=HTMX
    )
    assert 'id="patient-table"' in response.content.decode()
    physician.refresh_from_db()
    assert physician.stopped_logging_days == 5


def test_detail_page_draws_the_course_from_json_script(client_as, physician, patient):
    _diary(patient, 20)
    response = client_as(physician).get(reverse("dashboard:patient", args=[patient.pk]))
    html = response.content.decode()
    assert 'data-chart="course-chart"' in html
    assert '<script id="course-chart" type="application/json">' in html
    assert "vendor/plotly/plotly-basic.min.js" in html
    # No inline scripts: every <script> has a src or is JSON data.
    for tag in html.split("<script")[1:]:
        head = tag.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head, head
    figure = response.context["figure"]
    assert figure["data"][0]["name"] == "Left hip"


def test_acknowledge_migration_with_htmx_returns_the_row(client_as, physician, patient):
    m = JointMigrationFactory(patient=patient)
    url = reverse("dashboard:migration-acknowledge", args=[patient.pk, m.pk])
    response = client_as(physician).post(url, headers=HTMX)
    html = response.content.decode()
    assert f'id="migration-{m.pk}"' in html
    assert "Acknowledged by" in html
    assert "<nav" not in html
    m.refresh_from_db()
    assert m.acknowledged_by == physician.user


def test_acknowledge_is_post_only(client_as, physician, patient):
    m = JointMigrationFactory(patient=patient)
    url = reverse("dashboard:migration-acknowledge", args=[patient.pk, m.pk])
    assert client_as(physician).get(url).status_code == 405


def test_acknowledge_another_patients_migration_is_404(
    client_as, physician, patient, other_patient
):
    m = JointMigrationFactory(patient=other_patient)
    url = reverse("dashboard:migration-acknowledge", args=[patient.pk, m.pk])
    assert client_as(physician).post(url).status_code == 404


def test_notes_are_private_to_their_author(client_as, physician, patient):
    colleague = CareLinkFactory(patient=patient).physician
    PhysicianNoteFactory(
        patient=patient, physician=colleague, text="colleague's secret"
    )
    client = client_as(physician)
    client.post(
        reverse("dashboard:note-create", args=[patient.pk]), {"text": "my own note"}
    )
    html = client.get(reverse("dashboard:patient", args=[patient.pk])).content.decode()
    assert "my own note" in html
    assert "colleague's secret" not in html
    assert PhysicianNote.objects.filter(physician=physician).count() == 1
    # And the patient never sees any note.
    html = client_as(patient).get(reverse("patient:course")).content.decode()
    assert "my own note" not in html


def test_physician_adds_mri_with_oedema_to_the_timeline(client_as, physician, patient):
    day = _today(patient) - dt.timedelta(days=3)
    client = client_as(physician)
    client.post(
        reverse("dashboard:event-create", args=[patient.pk]),
        {"kind": "mri", "date": day.isoformat(), "joint": "right_hip", "oedema": "yes"},
    )
    event = ClinicalEvent.objects.get(patient=patient)
    assert (event.kind, event.joint.code, event.oedema, event.created_by) == (
        "mri",
        "right_hip",
        True,
        physician.user,
    )
    figure = client.get(reverse("dashboard:patient", args=[patient.pk])).context[
        "figure"
    ]
    lines = [
        s for s in figure["layout"]["shapes"] if s.get("name", "").startswith("event")
    ]
    assert lines[0]["x0"] == day.isoformat()


def test_patient_adds_treatment_and_cannot_date_a_scan_in_the_future(
    client_as, patient
):
    client = client_as(patient)
    today = _today(patient)
    client.post(
        reverse("patient:event-create"),
        {
            "kind": "treatment_start",
            "date": today.isoformat(),
            "detail": "bisphosphonate",
        },
    )
    client.post(
        reverse("patient:event-create"),
        {"kind": "xray", "date": (today + dt.timedelta(days=3)).isoformat()},
    )
    assert list(ClinicalEvent.objects.values_list("kind", "detail")) == [
        ("treatment_start", "bisphosphonate")
    ]


def test_course_page_shows_migration_in_plain_words_and_the_chart(client_as, patient):
    _diary(patient, 10)
    JointMigrationFactory(
        patient=patient, from_joint=joint("left_hip"), to_joint=joint("right_hip")
    )
    response = client_as(patient).get(reverse("patient:course"))
    html = response.content.decode()
    assert "Your right hip may be starting what your left hip went through." in html
    assert 'data-chart="course-chart"' in html
    assert 'class="body-map"' in html
    # Course history table is still there for the range chips.
    assert 'id="diary-table"' in html


def test_course_htmx_range_returns_only_the_table(client_as, patient):
    response = client_as(patient).get(
        reverse("patient:course") + "?days=91", headers=HTMX
    )
    html = response.content.decode()
    assert 'id="diary-table"' in html
    assert "course-chart" not in html
    assert '<nav aria-label="Main"' not in html


def test_course_page_works_with_an_empty_diary(client_as, patient):
    response = client_as(patient).get(reverse("patient:course"))
    assert response.status_code == 200
    assert "Nothing logged yet" in json.dumps(response.context["figure"])


def test_pages_without_charts_do_not_load_plotly(client_as, patient, physician):
    assert (
        "plotly"
        not in client_as(patient).get(reverse("patient:profile")).content.decode()
    )
    assert (
        "plotly"
        not in client_as(physician).get(reverse("dashboard:index")).content.decode()
    )


def test_unlinked_physician_cannot_see_patient_even_if_other_patients_are_linked(
    client_as, physician
):
    stranger = PatientFactory()
    assert (
        client_as(physician)
        .get(reverse("dashboard:patient", args=[stranger.pk]))
        .status_code
        == 404
    )


def test_course_table_shows_unlogged_days_as_missing(client_as, patient):
    today = _today(patient)
    CheckInFactory(patient=patient, date=today - dt.timedelta(days=2))
    CheckInFactory(patient=patient, date=today)
    DiaryEntryFactory(
        patient=patient, joint=joint("left_hip"), date=today, pain=4, swelling=1
    )
    response = client_as(patient).get(reverse("patient:course"))
    rows = response.context["diary"]
    assert rows[0].logged
    assert rows[0].scores[0] == (4, 1)
    assert not rows[1].logged
    assert rows[1].scores == [None] * len(rows[1].scores)
    # The patient opens a day from her table to correct it; the physician's has no links.
    assert reverse("diary:day", args=[today]) in response.content.decode()


def test_patient_and_physician_see_the_same_diary_table(client_as, patient, physician):
    _diary(patient, 10)
    mine = client_as(patient).get(reverse("patient:course") + "?days=91")
    theirs = client_as(physician).get(
        reverse("dashboard:patient", args=[patient.pk]) + "?days=91"
    )
    assert [r.scores for r in mine.context["diary"]] == [
        r.scores for r in theirs.context["diary"]
    ]


def test_events_say_who_entered_them_and_each_removes_only_their_own(
    client_as, patient, physician
):
    from apps.dashboard.services import clinical_event_create

    by_doctor = clinical_event_create(
        patient=patient, user=physician.user, kind="mri", date=dt.date(2026, 1, 5)
    )
    by_patient = clinical_event_create(
        patient=patient, user=patient.user, kind="xray", date=dt.date(2026, 1, 6)
    )
    physician.user.first_name, physician.user.last_name = "Ada", "Doc"
    physician.user.save()

    client = client_as(patient)
    html = client.get(reverse("patient:course")).content.decode()
    assert "added by Ada Doc" in html
    assert "added by you" in html
    assert reverse("patient:event-delete", args=[by_doctor.pk]) not in html
    # A patient cannot remove what the physician entered, even by posting.
    assert (
        client.post(reverse("patient:event-delete", args=[by_doctor.pk])).status_code
        == 404
    )
    assert ClinicalEvent.objects.filter(pk=by_doctor.pk).exists()
    assert (
        client.post(reverse("patient:event-delete", args=[by_patient.pk])).status_code
        == 302
    )
    # Removed, but kept in the history with who removed it.
    gone = ClinicalEvent.history.get(id=by_patient.pk, history_type="-")
    assert gone.history_user == patient.user

    client = client_as(physician)
    other = client.post(
        reverse("dashboard:event-delete", args=[patient.pk, by_patient.pk])
    )
    assert other.status_code == 404
    own = client.post(
        reverse("dashboard:event-delete", args=[patient.pk, by_doctor.pk])
    )
    assert own.status_code == 302
    assert not ClinicalEvent.objects.exists()
    assert ClinicalEvent.history.filter(history_type="-").count() == 2
