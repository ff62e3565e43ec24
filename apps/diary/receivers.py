"""The diary's answers to what accounts announces, and to changes in its joint
catalogue (connected in DiaryConfig.ready)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.accounts.signals import patient_erased
from apps.diary import selectors, services
from apps.diary.models import Joint


@receiver(patient_erased)
def _patient_erased(sender, *, patient_id: int | None, user_id: int, **kwargs) -> None:
    services.diary_history_erase(patient_id=patient_id, user_id=user_id)


@receiver(post_save, sender=Joint)
@receiver(post_delete, sender=Joint)
def _joint_catalogue_changed(sender, **kwargs) -> None:
    # Rows recreated after a flush may get new ids: the per-process id → code
    # cache must not outlive them.
    selectors.joint_codes.cache_clear()
