"""The diary's answers to what accounts announces (connected in DiaryConfig.ready)."""

from __future__ import annotations

from django.dispatch import receiver

from apps.accounts.signals import patient_erased
from apps.diary import services


@receiver(patient_erased)
def _patient_erased(sender, *, patient_id: int | None, user_id: int, **kwargs) -> None:
    services.diary_history_erase(patient_id=patient_id, user_id=user_id)
