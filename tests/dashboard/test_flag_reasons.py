"""Every triage flag explains itself: the line under stopped, new joint and
atypical on /physician/, in the physician's language, worded on the day read."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from apps.dashboard import selectors, services, triage
from apps.dashboard.models import PatientSummary
from tests.dashboard.factories import EpisodeFactory
from tests.factories import CareLinkFactory, CheckInFactory, joint

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)


def _dashboard(client_as, physician, today=TODAY, query="") -> str:
    with time_machine.travel(
        dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC), tick=False
    ):
        response = client_as(physician).get(reverse("dashboard:index") + query)
    assert response.status_code == 200
    return response.content.decode()


def _why(html: str, flag: str) -> str:
    """The reason line under the first `flag` in the table ("" when it has none)."""
    table = html.split("<tbody>")[1]
    item = table.split(f'class="flag flag-{flag}">')[1].split(
        '<span class="flag-item">'
    )[0]
    if '<span class="flag-why">' not in item.split("</td>")[0]:
        return ""
    return item.split('<span class="flag-why">')[1].split("</span>")[0]


def _episode(patient, code, onset, phase, found=None):
    EpisodeFactory(
        patient=patient,
        joint=joint(code),
        onset=onset,
        phase=phase,
        detected_on=found or onset + dt.timedelta(days=10),
    )


def _refresh(patient, today=TODAY):
    CheckInFactory(patient=patient, date=today)
    services.summary_refresh(patient=patient, today=today)


def test_stopped_says_how_long_since_the_last_diary_day(client_as, physician, patient):
    CheckInFactory(patient=patient, date=dt.date(2026, 11, 21))
    services.summary_refresh(patient=patient, today=dt.date(2026, 11, 21))
    html = _dashboard(client_as, physician)
    assert _why(html, "stopped") == "No diary for 9 days (last on 21 Nov)."
    # No refresh in between: the count follows the day the table is read.
    later = _dashboard(client_as, physician, today=dt.date(2026, 12, 3))
    assert _why(later, "stopped") == "No diary for 12 days (last on 21 Nov)."


def test_stopped_gives_the_year_of_a_last_day_in_an_earlier_year(
    client_as, physician, patient
):
    CheckInFactory(patient=patient, date=dt.date(2025, 12, 28))
    services.summary_refresh(patient=patient, today=dt.date(2025, 12, 28))
    html = _dashboard(client_as, physician, today=dt.date(2026, 1, 4))
    assert _why(html, "stopped") == "No diary for 7 days (last on 28 Dec 2025)."


def test_a_patient_who_never_logged_has_no_diary_entries_yet(
    client_as, physician, patient
):
    services.summary_refresh(patient=patient, today=TODAY)
    # Linked today, not yet refreshed: no summary row at all.
    CareLinkFactory(physician=physician)
    html = _dashboard(client_as, physician)
    table = html.split("<tbody>")[1]
    assert table.count('<span class="flag-why">No diary entries yet.</span>') == 2


def test_new_joint_names_the_joint_and_its_onset(client_as, physician, patient):
    _episode(patient, "left_hip", dt.date(2026, 4, 2), "improving")
    _episode(
        patient, "left_ankle", dt.date(2026, 11, 3), "rising", dt.date(2026, 11, 20)
    )
    _refresh(patient)
    html = _dashboard(client_as, physician)
    assert (
        _why(html, "new_joint")
        == "Left ankle: first episode in this joint, started 3 Nov."
    )


def test_atypical_episode_active_past_the_usual_course(client_as, physician, patient):
    _episode(patient, "right_hip", dt.date(2026, 1, 15), "improving")
    _refresh(patient)
    html = _dashboard(client_as, physician)
    assert _why(html, "atypical") == (
        "Right hip: active for 10 months; a TMO episode usually settles in 3–9 months."
    )


def test_atypical_pain_still_rising_months_after_onset(client_as, physician, patient):
    _episode(patient, "right_hip", dt.date(2026, 7, 20), "rising")
    _refresh(patient)
    html = _dashboard(client_as, physician, query="?flag=atypical")
    assert _why(html, "atypical") == (
        "Right hip: pain still rising 4 months after onset;"
        " TMO pain usually peaks within 2 months."
    )
    # Months are counted on the day read, from the stored onset.
    later = _dashboard(client_as, physician, today=dt.date(2027, 1, 20))
    assert "rising 6 months after onset" in _why(later, "atypical")


def test_a_german_physician_reads_german(client_as, physician, patient):
    physician.user.language = "de"
    physician.user.save(update_fields=["language"])
    _episode(patient, "right_hip", dt.date(2026, 1, 15), "improving")
    _episode(
        patient, "left_ankle", dt.date(2026, 11, 3), "rising", dt.date(2026, 11, 20)
    )
    CheckInFactory(patient=patient, date=dt.date(2026, 11, 21))
    services.summary_refresh(patient=patient, today=dt.date(2026, 11, 21))
    html = _dashboard(client_as, physician)
    assert _why(html, "stopped") == "Seit 9 Tagen kein Tagebuch (zuletzt am 21 Nov)."
    assert _why(html, "new_joint") == (
        "Linkes Sprunggelenk: erste Episode in diesem Gelenk, Beginn am 3 Nov."
    )
    assert _why(html, "atypical") == (
        "Rechte Hüfte: seit 10 Monaten aktiv; eine TMO-Episode klingt meist"
        " nach 3–9 Monaten ab."
    )


def test_an_old_summary_without_the_new_facts_still_renders(
    client_as, physician, patient
):
    _episode(patient, "right_hip", dt.date(2026, 1, 15), "rising", TODAY)
    _refresh(patient)
    # Stored before these flags explained themselves.
    PatientSummary.objects.filter(patient=patient).update(reasons={})
    html = _dashboard(client_as, physician)
    assert _why(html, "new_joint") == ""
    assert _why(html, "atypical") == ""
    assert 'class="flag flag-atypical">Atypical course<' in html


def _cut(today=TODAY):
    return triage.cutoffs(today=today, stopped_logging_days=3)


def test_atypical_gives_both_causes_when_two_episodes_have_them():
    why = {
        "active": {"joint": "left_hip", "onset": "2025-12-01"},
        "rising": {"joint": "right_knee", "onset": "2026-08-01"},
    }
    assert selectors.flag_reason("atypical", {"atypical": why}, cut=_cut()) == (
        "Left hip: active for 11 months; a TMO episode usually settles in 3–9 months."
        " Right knee: pain still rising 3 months after onset;"
        " TMO pain usually peaks within 2 months."
    )


def test_atypical_says_once_what_one_long_rising_episode_shows():
    facts = {"joint": "left_hip", "onset": "2025-12-01"}
    why = {"active": facts, "rising": dict(facts)}
    assert selectors.flag_reason("atypical", {"atypical": why}, cut=_cut()) == (
        "Left hip: pain still rising 11 months after onset;"
        " TMO pain usually peaks within 2 months."
    )


def test_atypical_leaves_out_a_cause_that_does_not_hold_today():
    why = {
        "active": {"joint": "left_hip", "onset": "2026-08-01"},
        "rising": {"joint": "left_hip", "onset": "2026-08-01"},
    }
    text = selectors.flag_reason("atypical", {"atypical": why}, cut=_cut())
    assert text.startswith("Left hip: pain still rising 3 months")
    assert "active for" not in text
    assert selectors.flag_reason("atypical", {}, cut=_cut()) == ""


def test_reasons_in_spanish_and_french():
    reasons = {"new_joint": {"joint": "left_ankle", "onset": "2026-11-03"}}
    last = dt.date(2026, 11, 21)
    with translation.override("es"):
        assert selectors.flag_reason("new_joint", reasons, cut=_cut()) == (
            "Tobillo izquierdo: primer episodio en esta articulación, comenzó el 3 Nov."
        )
        assert selectors.flag_reason("stopped", {}, cut=_cut()) == (
            "Aún no hay nada en el diario."
        )
    with translation.override("fr"):
        assert selectors.flag_reason("stopped", {}, cut=_cut(), last_checkin=last) == (
            "Pas de journal depuis 9 jours (dernière saisie le 21 Nov)."
        )
