"""Triage flags: the pure rules, then each flag at its boundary through the real query."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from apps.dashboard import selectors, services, triage
from apps.detector.models import PossibleJoint
from tests.dashboard.factories import EpisodeFactory, JointMigrationFactory
from tests.factories import (
    CareLinkFactory,
    CheckInFactory,
    DiaryEntryFactory,
    TrackedJointFactory,
    joint,
)

TODAY = dt.date(2026, 6, 30)


@pytest.mark.parametrize(
    ("pains", "worsening"),
    [
        ([2, 2, 2, 3, 3, 4, 3], False),  # last three average 3.33: +1.33
        ([2, 2, 2, 3, 3, 4, 4], True),  # +1.67
        ([2, 2, 2, 2, 3, 4, 3], False),
        ([1, 1, 1, 2, 3, 3], True),  # six logged days are enough
        ([1, 1, 2, 6, 6], False),  # five are not
        ([9, 9, 9, 5, 10, 10, 10], False),  # not the seventh-to-last: only the last 7
        ([0, 9, 9, 9, 5, 10, 10, 10], False),
        ([6, 5, 4, 3, 2, 1, 0], False),
    ],
)
def test_worsening_compares_the_first_and_last_three_of_seven_logged_days(
    pains, worsening
):
    assert triage.is_worsening(pains) is worsening


def _summarise(**kwargs):
    defaults = {
        "today": TODAY,
        "logged": [],
        "pain": {},
        "joints": ["left_hip"],
        "episodes": [],
        "migrations": [],
    }
    return triage.summarise(**(defaults | kwargs))


def test_summary_picks_the_most_painful_joint_and_keeps_gaps_in_the_sparkline():
    days = [TODAY - dt.timedelta(days=i) for i in (0, 1, 3)]
    pain = {(d, "right_knee"): 6 for d in days} | {(TODAY, "left_hip"): 2}
    s = _summarise(logged=days, pain=pain, joints=["left_hip", "right_knee"])
    assert s.worst_joint == "right_knee"
    assert s.pain_now == 6
    assert s.sparkline[-4:] == [6, None, 6, 6]
    assert len(s.sparkline) == triage.SPARK_DAYS
    assert s.last_checkin == TODAY


def test_summary_current_phase_is_the_latest_active_episode():
    episodes = [
        triage.EpisodeFacts(
            "left_hip",
            TODAY - dt.timedelta(days=200),
            "improving",
            TODAY - dt.timedelta(days=190),
        ),
        triage.EpisodeFacts(
            "right_hip",
            TODAY - dt.timedelta(days=20),
            "rising",
            TODAY - dt.timedelta(days=5),
        ),
        triage.EpisodeFacts(
            "left_knee",
            TODAY - dt.timedelta(days=10),
            "resolved",
            TODAY - dt.timedelta(days=2),
        ),
    ]
    s = _summarise(episodes=episodes)
    assert (s.phase, s.episode_onset) == ("rising", TODAY - dt.timedelta(days=20))
    assert s.oldest_active_onset == TODAY - dt.timedelta(days=200)
    assert s.oldest_rising_onset == TODAY - dt.timedelta(days=20)


# Flags through selectors.triage_queryset: stored dates compared with today in SQL.


@pytest.fixture
def linked(db, physician, patient):
    TrackedJointFactory(patient=patient, joint=joint("left_hip"))
    return patient


def _flags(physician, today=TODAY) -> set[str]:
    _, rows, _ = selectors.triage_page(physician=physician, today=today)
    assert len(rows) == 1
    return {f for f, *_ in rows[0].flags}


def _log(patient, day, pain=0, code="left_hip"):
    CheckInFactory(patient=patient, date=day)
    if pain:
        DiaryEntryFactory(patient=patient, joint=joint(code), date=day, pain=pain)


@pytest.mark.parametrize(
    ("days_ago", "flagged"), [(0, False), (3, False), (4, True), (None, True)]
)
def test_stopped_logging_after_three_full_days_without_a_check_in(
    physician, linked, days_ago, flagged
):
    if days_ago is not None:
        _log(linked, TODAY - dt.timedelta(days=days_ago))
    services.summary_refresh(patient=linked, today=TODAY)
    assert ("stopped" in _flags(physician)) is flagged


def test_stopped_logging_is_computed_from_today_not_when_the_summary_was_made(
    physician, linked
):
    _log(linked, TODAY)
    services.summary_refresh(patient=linked, today=TODAY)
    assert "stopped" not in _flags(physician)
    # No refresh in between: the stored last check-in is compared with the new today.
    assert "stopped" in _flags(physician, today=TODAY + dt.timedelta(days=4))


def test_stopped_logging_days_is_the_physicians_choice(physician, linked):
    _log(linked, TODAY - dt.timedelta(days=4))
    services.summary_refresh(patient=linked, today=TODAY)
    services.stopped_logging_days_set(physician=physician, days=7)
    assert "stopped" not in _flags(physician)


@pytest.mark.parametrize(("days_ago", "flagged"), [(0, True), (29, True), (30, False)])
def test_migrated_flag_lasts_30_days_from_detection(
    physician, linked, days_ago, flagged
):
    _log(linked, TODAY)
    JointMigrationFactory(
        patient=linked, detected_on=TODAY - dt.timedelta(days=days_ago)
    )
    services.summary_refresh(patient=linked, today=TODAY)
    assert ("migrated" in _flags(physician)) is flagged


def test_acknowledging_a_migration_clears_the_flag(physician, linked):
    _log(linked, TODAY)
    m = JointMigrationFactory(patient=linked, detected_on=TODAY - dt.timedelta(days=2))
    services.summary_refresh(patient=linked, today=TODAY)
    assert "migrated" in _flags(physician)
    services.migration_acknowledge(migration=m, user=physician.user, today=TODAY)
    m.refresh_from_db()
    assert m.acknowledged_by == physician.user
    assert m.acknowledged_at is not None
    assert "migrated" not in _flags(physician)


@pytest.mark.parametrize(("days_ago", "flagged"), [(29, True), (30, False)])
def test_new_joint_flag_for_a_joints_first_episode(
    physician, linked, days_ago, flagged
):
    _log(linked, TODAY)
    EpisodeFactory(
        patient=linked,
        joint=joint("right_knee"),
        onset=TODAY - dt.timedelta(days=60),
        detected_on=TODAY - dt.timedelta(days=days_ago),
    )
    services.summary_refresh(patient=linked, today=TODAY)
    assert ("new_joint" in _flags(physician)) is flagged


def test_a_joints_second_episode_is_not_a_new_joint(physician, linked):
    _log(linked, TODAY)
    EpisodeFactory(
        patient=linked,
        onset=TODAY - dt.timedelta(days=400),
        detected_on=TODAY - dt.timedelta(days=390),
        phase="resolved",
    )
    EpisodeFactory(
        patient=linked,
        onset=TODAY - dt.timedelta(days=20),
        detected_on=TODAY - dt.timedelta(days=2),
    )
    services.summary_refresh(patient=linked, today=TODAY)
    assert "new_joint" not in _flags(physician)


@pytest.mark.parametrize(
    ("onset", "phase", "flagged"),
    [
        (dt.date(2025, 9, 30), "improving", True),  # active exactly 9 months
        (dt.date(2025, 10, 1), "improving", False),
        (dt.date(2025, 9, 1), "resolved", False),  # healed: not atypical
        (dt.date(2026, 3, 30), "rising", True),  # still rising 3 months after onset
        (dt.date(2026, 3, 31), "rising", False),
        (dt.date(2026, 3, 1), "peak", False),  # past its peak: not "still rising"
    ],
)
def test_atypical_course(physician, linked, onset, phase, flagged):
    _log(linked, TODAY)
    EpisodeFactory(
        patient=linked,
        onset=onset,
        phase=phase,
        detected_on=onset + dt.timedelta(days=10),
    )
    services.summary_refresh(patient=linked, today=TODAY)
    assert ("atypical" in _flags(physician)) is flagged


def test_worsening_flag_from_the_last_seven_logged_days(physician, linked):
    for i, pain in enumerate([2, 2, 2, 3, 3, 4, 4]):
        _log(linked, TODAY - dt.timedelta(days=6 - i), pain=pain)
    services.summary_refresh(patient=linked, today=TODAY)
    assert "worsening" in _flags(physician)


def test_most_urgent_patient_first(physician, linked):
    quiet = CareLinkFactory(physician=physician).patient
    _log(quiet, TODAY)
    _log(linked, TODAY)
    JointMigrationFactory(patient=linked, detected_on=TODAY)
    for p in (quiet, linked):
        services.summary_refresh(patient=p, today=TODAY)
    _, rows, counts = selectors.triage_page(physician=physician, today=TODAY)
    assert [r.patient for r in rows] == [linked, quiet]
    assert counts["migrated"] == 1
    assert counts["all"] == 2


def test_patient_without_a_summary_still_appears(physician):
    _, rows, _ = selectors.triage_page(physician=physician, today=TODAY)
    assert len(rows) == 1
    assert rows[0].days_since is None
    assert "stopped" in {f for f, *_ in rows[0].flags}


def test_a_possible_joint_is_flagged_quietly_below_a_confirmed_migration():
    assert triage.WEIGHTS["possible"] < triage.WEIGHTS["migrated"]
    s = _summarise(
        possible=[
            triage.PossibleFacts(
                joint="left_knee",
                last_raised=TODAY,
                explanation="left knee: sore for 3 days, pain up to 5 with mild swelling;"
                " not yet told apart from a short ache",
                facts={"joint": "left_knee", "days": 3, "pain": 5, "swelling": 1},
            )
        ]
    )
    assert s.possible_until == TODAY + dt.timedelta(days=13)
    assert s.reasons["possible"]["joint"] == "left_knee"
    assert s.urgency == 0  # the weight is added by the query, only while flagged


def test_possible_patient_sorts_below_a_migrated_one(physician, patient):
    other = CareLinkFactory(physician=physician).patient
    JointMigrationFactory(patient=patient, detected_on=TODAY)
    services.summary_refresh(patient=patient, today=TODAY)
    PossibleJoint.objects.create(
        patient=other,
        joint=joint("left_knee"),
        onset=TODAY - dt.timedelta(days=2),
        last_raised=TODAY,
        peak_pain=5,
        explanation="left knee: stored before there were facts",
    )
    services.summary_refresh(patient=other, today=TODAY)
    _, rows, counts = selectors.triage_page(physician=physician, today=TODAY)
    assert [r.patient for r in rows] == [patient, other]
    assert counts["possible"] == 1
    flags = {f: why for f, _, why in rows[1].flags}
    assert "migrated" not in flags
    # Facts unknown: the detector's English words, as they are.
    assert flags["possible"] == "Left knee: stored before there were facts"


def _episode(code, onset, phase="improving", found=None):
    return triage.EpisodeFacts(
        code, onset, phase, found or onset + dt.timedelta(days=10)
    )


def test_new_joint_reason_is_the_joint_whose_first_episode_was_detected_last():
    s = _summarise(
        episodes=[
            _episode("left_hip", dt.date(2025, 11, 1), "resolved"),
            _episode("left_knee", dt.date(2026, 5, 20), found=dt.date(2026, 6, 10)),
            # A second episode in the hip: not a new joint, however recent.
            _episode("left_hip", dt.date(2026, 6, 1), found=dt.date(2026, 6, 20)),
        ]
    )
    assert s.reasons["new_joint"] == {
        "joint": "left_knee",
        "onset": "2026-05-20",
        "detected_on": "2026-06-10",
    }
    assert s.new_joint_until == dt.date(2026, 7, 9)
    json.dumps(s.reasons)


def test_a_joint_seen_only_once_it_had_healed_is_no_new_joint():
    # Sore from the diary's first day and taken for its usual level, the ankle
    # showed it had been an episode only when it settled: that is no news.
    healed_in_hindsight = triage.EpisodeFacts(
        "left_ankle",
        dt.date(2026, 1, 5),
        "resolved",
        detected_on=dt.date(2026, 6, 1),
        resolved_on=dt.date(2026, 5, 10),
    )
    s = _summarise(episodes=[healed_in_hindsight], today=dt.date(2026, 6, 5))
    assert s.new_joint_until is None
    assert "new_joint" not in s.reasons


def test_atypical_reason_keeps_the_oldest_active_and_oldest_rising_episodes():
    s = _summarise(
        episodes=[
            _episode("right_hip", dt.date(2025, 1, 5), "resolved"),
            _episode("left_hip", dt.date(2025, 8, 30), "improving"),
            _episode("right_knee", dt.date(2026, 2, 14), "rising"),
            _episode("left_ankle", dt.date(2026, 5, 1), "rising"),
        ]
    )
    assert s.reasons["atypical"] == {
        "active": {"joint": "left_hip", "onset": "2025-08-30"},
        "rising": {"joint": "right_knee", "onset": "2026-02-14"},
    }
    assert s.oldest_active_onset == dt.date(2025, 8, 30)
    assert s.oldest_rising_onset == dt.date(2026, 2, 14)
    json.dumps(s.reasons)


def test_no_episode_no_new_joint_or_atypical_facts():
    assert _summarise().reasons == {}
    healed = _summarise(
        episodes=[_episode("left_hip", dt.date(2025, 1, 5), "resolved")]
    )
    assert "atypical" not in healed.reasons
    assert healed.reasons["new_joint"]["joint"] == "left_hip"


def test_summary_refresh_stores_the_new_facts_as_json(physician, linked):
    _log(linked, TODAY)
    EpisodeFactory(
        patient=linked,
        joint=joint("right_hip"),
        onset=dt.date(2026, 3, 2),
        phase="rising",
        detected_on=dt.date(2026, 3, 12),
    )
    summary = services.summary_refresh(patient=linked, today=TODAY)
    summary.refresh_from_db()
    assert summary.reasons["new_joint"] == {
        "joint": "right_hip",
        "onset": "2026-03-02",
        "detected_on": "2026-03-12",
    }
    assert summary.reasons["atypical"]["rising"] == {
        "joint": "right_hip",
        "onset": "2026-03-02",
    }
