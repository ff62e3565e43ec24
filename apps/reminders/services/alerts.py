"""Migration alerts: a physician hears of a new joint as soon as the detector flags it."""

from __future__ import annotations

from django.urls import reverse

from apps.accounts.selectors import care_links_for_patient
from apps.core.emails import absolute_url, email_build, recipient_language
from apps.detector.models import JointMigration


def migration_alerts_send(*, migration_ids: list[int]) -> int:
    """Email each linked physician about new migrations; returns emails sent."""
    migrations = JointMigration.objects.filter(pk__in=migration_ids).select_related(
        "patient__user", "from_joint", "to_joint"
    )
    sent = 0
    for m in migrations:
        for link in care_links_for_patient(patient=m.patient):
            # Each physician reads it in their own language.
            email_build(
                "reminders/email/migration",
                {
                    "physician": link.physician.user,
                    "patient": m.patient.user,
                    "migration": m,
                    "url": absolute_url(
                        reverse("dashboard:patient", args=[m.patient_id])
                    ),
                },
                to=[link.physician.user.email],
                language=recipient_language(link.physician.user),
            ).send()
            sent += 1
    return sent
