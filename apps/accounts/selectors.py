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
