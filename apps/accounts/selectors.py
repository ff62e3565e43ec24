from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404

from apps.accounts.models import (
    AccessRecord,
    CareInvitation,
    CareLink,
    PatientProfile,
    PhysicianProfile,
)


def patients_for_physician(*, physician: PhysicianProfile) -> QuerySet[PatientProfile]:
    """Patients with an active care link to physician."""
    return PatientProfile.objects.filter(
        care_links__physician=physician, care_links__revoked_at__isnull=True
    ).select_related("user")


def patient_for_physician_or_404(
    *, physician: PhysicianProfile, patient_id: int
) -> PatientProfile:
    """The patient if linked to physician; 404 (not 403) so ids of others leak nothing."""
    patient = patients_for_physician(physician=physician).filter(pk=patient_id).first()
    if patient is None:
        raise Http404("No such patient.")
    return patient


def care_links_for_patient(*, patient: PatientProfile) -> QuerySet[CareLink]:
    """The patient's active links, physician first-named."""
    return (
        CareLink.objects.filter(patient=patient, revoked_at__isnull=True)
        .select_related("physician__user")
        .order_by("created_at")
    )


def open_invitations(
    *, patient: PatientProfile, now: dt.datetime
) -> QuerySet[CareInvitation]:
    """The patient's invitations a physician could still accept, newest first."""
    return CareInvitation.objects.filter(
        patient=patient,
        accepted_at__isnull=True,
        cancelled_at__isnull=True,
        expires_at__gt=now,
    ).order_by("-created_at")


def access_records_for_patient(*, patient: PatientProfile, limit: int = 20):
    """Who opened the patient's data, newest first."""
    return (
        AccessRecord.objects.filter(patient=patient)
        .select_related("viewer")
        .order_by("-at")[:limit]
    )


def patient_data_export(*, patient: PatientProfile) -> dict:
    """Everything stored about a patient, as plain JSON-ready data (GDPR-style export)."""
    from apps.dashboard.models import ClinicalEvent
    from apps.detector.models import Episode, JointMigration
    from apps.diary.models import CheckIn, DiaryEntry, TrackedJoint

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
