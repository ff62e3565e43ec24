"""A possible new joint end to end: stored and shown quietly, never emailed;
confirmed, it becomes one migration email with what the detector saw; settled,
it is gone."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from apps.dashboard.exports import patient_data_export
from apps.dashboard.models import PatientSummary
from apps.detector.models import Episode, JointMigration, PossibleJoint
from apps.diary.models import CheckIn, DiaryEntry
from tests.factories import joint
from tmo_tracker import pipeline
from tmo_tracker.demo import DemoCourse, Flare, course_days

pytestmark = pytest.mark.django_db

# The diary ends on T0; the knee below the healing hip was sore on its last 3 days.
T0 = dt.date(2026, 11, 2)


def _write(patient, diary: dict[dt.date, dict[str, tuple[int, int]]]) -> None:
    CheckIn.objects.bulk_create(CheckIn(patient=patient, date=d) for d in diary)
    DiaryEntry.objects.bulk_create(
        DiaryEntry(patient=patient, joint=joint(code), date=d, pain=p, swelling=s)
        for d, values in diary.items()
        for code, (p, s) in values.items()
    )


def _refresh(patient, day: dt.date) -> None:
    with time_machine.travel(
        dt.datetime.combine(day, dt.time(18), tzinfo=dt.UTC), tick=False
    ):
        pipeline.patient_refresh(patient_id=patient.pk)


@pytest.fixture
def sore_knee(patient, physician):
    """A left hip healing for four months, the left knee sore for three days."""
    course = DemoCourse(
        "possible new joint",
        [Flare("left_hip", 120, 7, heal=150)],
        ["left_hip", "left_knee"],
        compliance=1.0,
        recent={"left_knee": [(3, 1), (4, 1), (5, 1)]},
    )
    _write(patient, course_days(course, today=T0, days=180, rng=random.Random(4)))
    _refresh(patient, T0)
    return patient


def _later_days(first: dt.date, n: int, knee: tuple[int, int]) -> dict:
    return {
        first + dt.timedelta(days=i): {"left_hip": (2, 0), "left_knee": knee}
        for i in range(n)
    }


def test_a_possible_joint_is_stored_and_no_email_is_sent(sore_knee, mailoutbox):
    (p,) = PossibleJoint.objects.filter(patient=sore_knee)
    assert p.joint.code == "left_knee"
    assert p.facts["days"] == 3
    assert p.facts["beside"] == "left_hip"
    assert "sore for 3 days" in p.explanation
    assert not JointMigration.objects.filter(patient=sore_knee).exists()
    assert not Episode.objects.filter(patient=sore_knee, joint__code="left_knee")
    assert mailoutbox == []
    summary = PatientSummary.objects.get(patient=sore_knee)
    assert summary.possible_until == T0 + dt.timedelta(days=13)
    assert summary.reasons["possible"]["joint"] == "left_knee"


def test_dashboard_shows_a_quiet_possible_flag_with_its_reason(
    sore_knee, client_as, physician
):
    with time_machine.travel(
        dt.datetime.combine(T0, dt.time(18), tzinfo=dt.UTC), tick=False
    ):
        html = client_as(physician).get(reverse("dashboard:index")).content.decode()
    assert 'class="flag flag-possible">Possible new joint<' in html
    assert "Left knee: sore for 3 days, pain up to 5 with mild swelling" in html
    assert "beside the left hip; not yet told apart from a short ache." in html
    assert "flag-migrated" not in html.split("<tbody>")[1]


def test_course_page_tells_the_patient_to_keep_logging(sore_knee, client_as):
    with time_machine.travel(
        dt.datetime.combine(T0, dt.time(18), tzinfo=dt.UTC), tick=False
    ):
        html = client_as(sore_knee).get(reverse("patient:course")).content.decode()
    assert "Your left knee has been sore for 3 days — keep logging it." in html


def test_physician_patient_page_lists_the_possible_joint(
    sore_knee, client_as, physician
):
    with time_machine.travel(
        dt.datetime.combine(T0, dt.time(18), tzinfo=dt.UTC), tick=False
    ):
        html = (
            client_as(physician)
            .get(reverse("dashboard:patient", args=[sore_knee.pk]))
            .content.decode()
        )
    assert "Possible new joints" in html
    assert "Left knee: sore for 3 days" in html


def test_a_possible_joint_that_is_confirmed_sends_one_email_with_the_explanation(
    sore_knee, mailoutbox
):
    end = T0 + dt.timedelta(days=16)
    _write(sore_knee, _later_days(T0 + dt.timedelta(days=1), 16, (6, 2)))
    _refresh(sore_knee, end)
    (m,) = JointMigration.objects.filter(patient=sore_knee)
    assert (m.from_joint.code, m.to_joint.code) == ("left_hip", "left_knee")
    assert m.facts["joint"] == "left_knee"
    assert m.facts["source"] == "left_hip"
    assert not PossibleJoint.objects.filter(patient=sore_knee).exists()
    (mail,) = mailoutbox
    assert "What the detector saw: Left knee: pain up from" in mail.body
    assert m.seen_words in mail.body
    # The nightly run finds the same migration: no second email.
    _refresh(sore_knee, end)
    assert len(mailoutbox) == 1
    summary = PatientSummary.objects.get(patient=sore_knee)
    assert summary.possible_until is None
    assert summary.reasons["migrated"]["to_joint"] == "left_knee"


def test_a_possible_joint_that_settles_disappears(sore_knee, mailoutbox):
    _write(sore_knee, _later_days(T0 + dt.timedelta(days=1), 10, (0, 0)))
    _refresh(sore_knee, T0 + dt.timedelta(days=10))
    assert not PossibleJoint.objects.filter(patient=sore_knee).exists()
    assert not JointMigration.objects.filter(patient=sore_knee).exists()
    assert mailoutbox == []
    summary = PatientSummary.objects.get(patient=sore_knee)
    assert summary.possible_until is None
    assert "possible" not in summary.reasons


def test_the_possible_joint_reads_in_german(sore_knee):
    p = PossibleJoint.objects.get(patient=sore_knee)
    with translation.override("de"):
        assert p.patient_words == (
            "Das linke Knie schmerzt seit 3 Tagen – bitte weiter eintragen."
        )
        assert p.seen_words.startswith("Linkes Knie: seit 3 Tagen schmerzhaft")
        assert "noch nicht von einem kurzen Schmerz zu unterscheiden" in p.seen_words


def test_the_migration_email_speaks_the_physicians_language(
    sore_knee, physician, mailoutbox
):
    physician.user.language = "de"
    physician.user.save(update_fields=["language"])
    _write(sore_knee, _later_days(T0 + dt.timedelta(days=1), 16, (6, 2)))
    _refresh(sore_knee, T0 + dt.timedelta(days=16))
    (mail,) = mailoutbox
    assert "Was der Detektor sah: Linkes Knie: Schmerz binnen" in mail.body
    assert "gestiegen, mit" in mail.body


def test_course_and_patient_page_explain_a_confirmed_migration(
    sore_knee, client_as, physician
):
    end = T0 + dt.timedelta(days=16)
    _write(sore_knee, _later_days(T0 + dt.timedelta(days=1), 16, (6, 2)))
    _refresh(sore_knee, end)
    m = JointMigration.objects.get(patient=sore_knee)
    with time_machine.travel(
        dt.datetime.combine(end, dt.time(18), tzinfo=dt.UTC), tick=False
    ):
        course = client_as(sore_knee).get(reverse("patient:course")).content.decode()
        detail = (
            client_as(physician)
            .get(reverse("dashboard:patient", args=[sore_knee.pk]))
            .content.decode()
        )
        triage = client_as(physician).get(reverse("dashboard:index")).content.decode()
    assert f"What the diary showed: {m.seen_words}" in course
    assert "keep logging it" not in course
    assert m.seen_words in detail
    assert "Possible new joints" not in detail
    assert 'class="flag flag-migrated">Migrated<' in triage
    assert m.seen_words in triage


def test_the_full_data_export_includes_possible_joints_and_explanations(sore_knee):
    data = patient_data_export(patient=sore_knee)
    (p,) = data["possible_joints"]
    assert p["joint"] == "left_knee"
    assert "sore for 3 days" in p["explanation"]
    assert all(e["explanation"] for e in data["episodes"])
