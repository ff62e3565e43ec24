"""The diary as a FHIR R4 Bundle of Observations (pure: dicts in, a dict out).

How the bundle carries the data
-------------------------------
- Bundle.type is "collection"; the first entry is a minimal Patient (name only),
  every Observation's `subject` points at it by its `urn:uuid:` fullUrl.
- One Observation per joint per logged day and measure, status "final",
  category "survey" (patient-reported), effectiveDateTime the local day
  (a FHIR date without time: the diary is kept per calendar day).
- Pain: code LOINC 72514-3 "Pain severity - 0-10 verbal numeric rating [Score] -
  Reported", valueInteger 0-10.
- Swelling: LOINC has no 0-3 grade of joint swelling (88984-0 "Swollen joint" is
  a yes/no finding), so the code is our own CodeSystem (SWELLING_SYSTEM, code
  "swelling-grade") with text, and valueInteger 0-3 (0 none, 1 mild, 2 moderate,
  3 severe).
- Body site: `bodySite.coding` is the SNOMED CT joint (e.g. 24136001 hip joint).
  Laterality travels in an extension on bodySite, url LATERALITY_EXTENSION, whose
  valueCodeableConcept is SNOMED CT 7771000 Left or 24028007 Right. We chose the
  extension over a post-coordinated SNOMED expression (24136001:272741003=7771000)
  because receivers that do not parse expressions still match the plain joint code.
- A logged day with no entry for a shown joint is exported as 0 (that is what the
  patient told us); an unlogged day has no Observation at all (missing, not 0).

The module targets R4 (4.0.1); the installed fhir.resources 8.x validates it with
its R4B models (R4B changed no element used here), see tests/dashboard/test_exports.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from apps.dashboard.figures import Course
from apps.diary.anatomy import JOINTS

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
PAIN_LOINC = (
    "72514-3",
    "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
)
SWELLING_SYSTEM = "https://tmo-tracker.example/fhir/CodeSystem/diary"
LATERALITY_EXTENSION = "https://tmo-tracker.example/fhir/StructureDefinition/laterality"
BODY_SITE = {
    "hip": ("24136001", "Hip joint structure"),
    "knee": ("72696002", "Knee joint structure"),
    "ankle": ("70258002", "Ankle joint structure"),
    "foot": ("56459004", "Foot structure"),
    "shoulder": ("91775009", "Shoulder joint structure"),
    "elbow": ("16953009", "Elbow joint structure"),
    "wrist": ("74670003", "Wrist joint structure"),
    "hand": ("85562004", "Hand structure"),
}
LATERALITY = {"left": ("7771000", "Left"), "right": ("24028007", "Right")}
# Stable ids: exporting the same diary twice gives the same fullUrls.
NAMESPACE = uuid.UUID("6f1f7c3e-3a52-4a8e-9d8e-0b6f3f5d2a10")


@dataclass(frozen=True)
class PatientFacts:
    key: str  # stable, not guessable from outside: e.g. the profile pk + signup time
    name: str


def body_site(joint: str) -> dict:
    """SNOMED CT body structure of the joint with laterality as an extension."""
    info = JOINTS[joint]
    code, display = BODY_SITE[info.kind]
    side_code, side_display = LATERALITY[info.side]
    return {
        "extension": [
            {
                "url": LATERALITY_EXTENSION,
                "valueCodeableConcept": {
                    "coding": [
                        {"system": SNOMED, "code": side_code, "display": side_display}
                    ]
                },
            }
        ],
        "coding": [{"system": SNOMED, "code": code, "display": display}],
        "text": info.label,
    }


def _observation(
    *, oid: str, subject: str, day: dt.date, joint: str, measure: str, value: int
) -> dict:
    if measure == "pain":
        code = {
            "coding": [
                {"system": LOINC, "code": PAIN_LOINC[0], "display": PAIN_LOINC[1]}
            ],
            "text": "Pain 0-10",
        }
    else:
        code = {
            "coding": [
                {
                    "system": SWELLING_SYSTEM,
                    "code": "swelling-grade",
                    "display": "Joint swelling grade 0-3 (patient-reported)",
                }
            ],
            "text": "Swelling 0-3 (none, mild, moderate, severe)",
        }
    return {
        "fullUrl": f"urn:uuid:{oid}",
        "resource": {
            "resourceType": "Observation",
            "id": oid,
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "survey",
                            "display": "Survey",
                        }
                    ]
                }
            ],
            "code": code,
            "subject": {"reference": subject},
            "performer": [{"reference": subject}],
            "effectiveDateTime": day.isoformat(),
            "valueInteger": value,
            "bodySite": body_site(joint),
        },
    }


def diary_bundle(*, patient: PatientFacts, course: Course, now: dt.datetime) -> dict:
    """A FHIR R4 collection Bundle: the Patient, then pain and swelling per joint per logged day."""
    pid = str(uuid.uuid5(NAMESPACE, f"patient:{patient.key}"))
    subject = f"urn:uuid:{pid}"
    entries = [
        {
            "fullUrl": subject,
            "resource": {
                "resourceType": "Patient",
                "id": pid,
                "name": [{"text": patient.name}],
            },
        }
    ]
    for day in sorted(course.logged):
        for joint in course.joints:
            pain, swelling = course.readings.get((day, joint), (0, 0))
            for measure, value in (("pain", pain), ("swelling", swelling)):
                oid = str(
                    uuid.uuid5(NAMESPACE, f"{patient.key}:{day}:{joint}:{measure}")
                )
                entries.append(
                    _observation(
                        oid=oid,
                        subject=subject,
                        day=day,
                        joint=joint,
                        measure=measure,
                        value=value,
                    )
                )
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(NAMESPACE, f"bundle:{patient.key}:{course.today}")),
        "type": "collection",
        "timestamp": now.isoformat(timespec="seconds"),
        "entry": entries,
    }
