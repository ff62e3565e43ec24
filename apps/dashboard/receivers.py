"""The dashboard's answers to what accounts announces (connected in DashboardConfig.ready)."""

from __future__ import annotations

from django.dispatch import receiver

from apps.accounts.signals import patient_erased
from apps.dashboard import services


@receiver(patient_erased)
def _patient_erased(sender, *, patient_id: int | None, user_id: int, **kwargs) -> None:
    services.clinical_events_history_erase(patient_id=patient_id, user_id=user_id)
