"""What a patient or physician downloads: the diary as CSV, a FHIR bundle, the
printable summary, and the patient's full data export."""

from __future__ import annotations

from apps.accounts.models import AccessRecord, PatientProfile
from apps.accounts.selectors import care_links_for_patient
from apps.dashboard.models import ClinicalEvent
from apps.detector.models import Episode, JointMigration
from apps.diary.models import CheckIn, DiaryEntry, TrackedJoint


def patient_data_export(*, patient: PatientProfile) -> dict:
    """Everything stored about a patient, as plain JSON-ready data (GDPR-style export)."""

    def iso(value):
        return value.isoformat() if value is not None else None

    user = patient.user
    return {
        "format": "tmo-tracker-export/1",
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "joined": iso(user.date_joined),
        },
        "profile": {
            "timezone": patient.timezone,
            "reminders_enabled": patient.reminders_enabled,
            "reminder_time": patient.reminder_time.strftime("%H:%M"),
            "reminder_weekdays": patient.reminder_weekdays,
            "sex": patient.sex,
            "birth_year": patient.birth_year,
            "due_date": iso(patient.due_date),
            "diagnosis_date": iso(patient.diagnosis_date),
        },
        "tracked_joints": list(
            TrackedJoint.objects.filter(patient=patient).values_list(
                "joint__code", flat=True
            )
        ),
        "check_ins": [
            {"date": iso(d), "note": note}
            for d, note in CheckIn.objects.filter(patient=patient)
            .order_by("date")
            .values_list("date", "note")
        ],
        "entries": [
            {"date": iso(d), "joint": j, "pain": p, "swelling": s}
            for d, j, p, s in DiaryEntry.objects.filter(patient=patient)
            .order_by("date", "joint__sort_order")
            .values_list("date", "joint__code", "pain", "swelling")
        ],
        "episodes": [
            {
                "joint": e.joint.code,
                "onset": iso(e.onset),
                "peak": iso(e.peak),
                "peak_pain": e.peak_pain,
                "phase": e.phase,
                "resolved_on": iso(e.resolved_on),
            }
            for e in Episode.objects.filter(patient=patient).select_related("joint")
        ],
        "migrations": [
            {
                "from": m.from_joint.code,
                "to": m.to_joint.code,
                "relation": m.relation,
                "kind": m.kind,
                "to_onset": iso(m.to_onset),
                "detected_on": iso(m.detected_on),
            }
            for m in JointMigration.objects.filter(patient=patient).select_related(
                "from_joint", "to_joint"
            )
        ],
        "clinical_events": [
            {
                "kind": e.kind,
                "date": iso(e.date),
                "joint": e.joint.code if e.joint else None,
                "oedema": e.oedema,
                "detail": e.detail,
            }
            for e in ClinicalEvent.objects.filter(patient=patient).select_related(
                "joint"
            )
        ],
        "physicians_with_access": [
            {"physician": link.physician.user.email, "since": iso(link.created_at)}
            for link in care_links_for_patient(patient=patient)
        ],
        "access_log": [
            {
                "who": r.viewer.email if r.viewer else None,
                "what": r.what,
                "at": iso(r.at),
            }
            for r in AccessRecord.objects.filter(patient=patient).select_related(
                "viewer"
            )
        ],
    }
