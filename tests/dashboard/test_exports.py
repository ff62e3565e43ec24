"""Exports: CSV, the printable summary, and a FHIR bundle validated by fhir.resources.

fhir.resources 8.x has no plain R4 package (its top level is R5); R4B is the
closest model set and changed nothing in Bundle/Observation/Patient that we use.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from apps.dashboard import fhir
from apps.dashboard.figures import Course
from tests.dashboard.factories import EpisodeFactory
from tests.factories import (
    CheckInFactory,
    DiaryEntryFactory,
    TrackedJointFactory,
    joint,
)

TODAY = dt.date(2026, 6, 30)


def _course() -> Course:
    d1, d3 = TODAY - dt.timedelta(days=2), TODAY
    return Course(
        start=d1,
        today=TODAY,
        joints=("left_hip", "right_knee"),
        logged=frozenset({d1, d3}),
        readings={(d1, "left_hip"): (4, 1), (d3, "right_knee"): (7, 2)},
    )


def _bundle() -> dict:
    return fhir.diary_bundle(
        patient=fhir.PatientFacts(key="42:x", name="Pat Example"),
        course=_course(),
        now=dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC),
    )


def test_fhir_bundle_validates_as_r4b():
    data = _bundle()
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    # Patient + 2 logged days x 2 joints x (pain, swelling); no entry for the unlogged day.
    assert len(bundle.entry) == 1 + 2 * 2 * 2


def test_fhir_pain_observation_codes_and_laterality():
    obs = [e["resource"] for e in _bundle()["entry"][1:]]
    pain = next(
        o
        for o in obs
        if o["code"]["coding"][0]["code"] == "72514-3"
        and o["bodySite"]["text"] == "Right knee"
        and o["effectiveDateTime"] == "2026-06-30"
    )
    assert pain["code"]["coding"][0]["system"] == "http://loinc.org"
    assert pain["valueInteger"] == 7
    assert pain["effectiveDateTime"] == "2026-06-30"
    site = pain["bodySite"]
    assert site["coding"] == [
        {
            "system": "http://snomed.info/sct",
            "code": "72696002",
            "display": "Knee joint structure",
        }
    ]
    laterality = site["extension"][0]
    assert laterality["url"] == fhir.LATERALITY_EXTENSION
    assert (
        laterality["valueCodeableConcept"]["coding"][0]["code"] == "24028007"
    )  # right


def test_fhir_logged_day_without_an_entry_is_zero_and_unlogged_day_is_absent():
    obs = [e["resource"] for e in _bundle()["entry"][1:]]
    days = {o["effectiveDateTime"] for o in obs}
    assert days == {"2026-06-28", "2026-06-30"}
    left_hip_today = [
        o["valueInteger"]
        for o in obs
        if o["effectiveDateTime"] == "2026-06-30"
        and o["bodySite"]["text"] == "Left hip"
    ]
    assert left_hip_today == [0, 0]


@pytest.mark.parametrize(
    ("code", "snomed", "side"),
    [
        ("left_hip", "24136001", "7771000"),
        ("right_ankle", "70258002", "24028007"),
        ("left_foot", "56459004", "7771000"),
        ("right_shoulder", "91775009", "24028007"),
        ("left_elbow", "16953009", "7771000"),
        ("right_wrist", "74670003", "24028007"),
        ("left_hand", "85562004", "7771000"),
    ],
)
def test_every_joint_has_its_snomed_body_site(code, snomed, side):
    site = fhir.body_site(code)
    assert site["coding"][0]["code"] == snomed
    assert site["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == side


@pytest.fixture
def diary(patient):
    today = patient.local_date(timezone.now())
    TrackedJointFactory(patient=patient, joint=joint("left_hip"))
    TrackedJointFactory(patient=patient, joint=joint("right_hip"))
    CheckInFactory(
        patient=patient, date=today - dt.timedelta(days=2), note="stairs, hard"
    )
    DiaryEntryFactory(
        patient=patient,
        joint=joint("left_hip"),
        date=today - dt.timedelta(days=2),
        pain=6,
        swelling=2,
    )
    CheckInFactory(patient=patient, date=today)
    EpisodeFactory(patient=patient, onset=today - dt.timedelta(days=40))
    return patient


@pytest.mark.django_db
def test_csv_export_has_one_row_per_joint_per_logged_day(client_as, diary):
    response = client_as(diary).get(reverse("patient:export", args=["diary.csv"]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 4  # two logged days x two joints; the unlogged day is absent
    first = rows[0]
    assert (
        first["joint"],
        first["side"],
        first["pain_0_10"],
        first["swelling_0_3"],
    ) == ("hip", "left", "6", "2")
    assert first["note"] == "stairs, hard"
    assert rows[-1]["pain_0_10"] == "0"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("note", "cell"),
    [
        (
            '=HYPERLINK("http://evil.example","open")',
            '\'=HYPERLINK("http://evil.example","open")',
        ),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tsplit", "'\tsplit"),
        ("\rsplit", "'\rsplit"),
        ("pain - worse on stairs", "pain - worse on stairs"),
    ],
)
def test_csv_export_writes_formula_like_notes_as_text(client_as, diary, note, cell):
    from apps.diary.models import CheckIn

    CheckIn.objects.filter(patient=diary, note="stairs, hard").update(note=note)
    response = client_as(diary).get(reverse("patient:export", args=["diary.csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode(), newline="")))
    assert rows[0]["note"] == cell


@pytest.mark.django_db
def test_physician_fhir_export_validates(client_as, physician, diary):
    response = client_as(physician).get(
        reverse("dashboard:export", args=[diary.pk, "fhir.json"])
    )
    assert response["Content-Type"] == "application/fhir+json"
    bundle = Bundle.model_validate(json.loads(response.content))
    assert len(bundle.entry) == 1 + 2 * 2 * 2


@pytest.mark.django_db
def test_printable_summary_has_svg_timeline_and_episode_table(
    client_as, physician, diary
):
    response = client_as(physician).get(
        reverse("dashboard:export", args=[diary.pk, "summary"])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert "<h2>Episodes</h2>" in html
    assert "Left hip" in html
    assert "plotly" not in html  # a static picture: prints without JS
