from __future__ import annotations

from django.db.models import Max, QuerySet

from apps.accounts.models import PatientProfile, PhysicianProfile
from apps.accounts.selectors import patients_for_physician


def dashboard_rows(*, physician: PhysicianProfile) -> QuerySet[PatientProfile]:
    """The physician's patients with their last check-in date."""
    return patients_for_physician(physician=physician).annotate(
        last_checkin=Max("checkins__date")
    ).order_by("last_checkin")
