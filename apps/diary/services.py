from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from apps.accounts.models import PatientProfile
from apps.diary import anatomy
from apps.diary.models import CheckIn, DiaryEntry, Joint, TrackedJoint


class FutureDayError(ValueError):
    """A day after the patient's own today cannot be logged."""


@dataclass(frozen=True)
class Score:
    pain: int  # 0–10
    swelling: int  # 0–3


@dataclass(frozen=True)
class DayRecorded:
    checkin: CheckIn
    created: int  # entries inserted
    updated: int  # entries whose values changed


def day_record(
    *,
    patient: PatientProfile,
    day: dt.date,
    scores: Mapping[Joint, Score],
    note: str = "",
    now: dt.datetime | None = None,
) -> DayRecorded:
    """Save one local day atomically: the check-in plus pain 0–10 / swelling 0–3 per joint.

    Idempotent: posting the same day twice (double tap, retried request) stores it once.
    """
    now = now or timezone.now()
    if day > patient.local_date(now):
        raise FutureDayError(
            f"{day:%d %b %Y} is in the future; you can log up to today."
        )
    # Two concurrent first saves of the same day (a double tap on a slow network)
    # can both find nothing and both insert: the loser hits the unique
    # constraint, and its retry sees the winner's rows and updates them instead.
    for attempt in range(2):
        try:
            with transaction.atomic():
                recorded = _day_write(
                    patient=patient, day=day, scores=scores, note=note
                )
        except IntegrityError:
            if attempt:
                raise
        else:
            break
    transaction.on_commit(lambda: _day_recorded_hooks(patient_id=patient.pk))
    return recorded


def _day_write(
    *, patient: PatientProfile, day: dt.date, scores: Mapping[Joint, Score], note: str
) -> DayRecorded:
    checkin, created = CheckIn.objects.get_or_create(
        patient=patient, date=day, defaults={"note": note}
    )
    if not created and checkin.note != note:
        checkin.note = note
        checkin.save(update_fields=["note", "updated_at"])

    existing = {
        e.joint_id: e
        for e in DiaryEntry.objects.filter(
            patient=patient, date=day, joint__in=list(scores)
        )
    }
    to_create, to_update = [], []
    for joint, score in scores.items():
        entry = existing.get(joint.pk)
        if entry is None:
            to_create.append(
                DiaryEntry(
                    patient=patient,
                    joint=joint,
                    date=day,
                    pain=score.pain,
                    swelling=score.swelling,
                )
            )
        elif (entry.pain, entry.swelling) != (score.pain, score.swelling):
            entry.pain, entry.swelling = score.pain, score.swelling
            entry.updated_at = timezone.now()
            to_update.append(entry)
    if to_create:
        bulk_create_with_history(to_create, DiaryEntry)
    if to_update:
        bulk_update_with_history(
            to_update, DiaryEntry, ["pain", "swelling", "updated_at"]
        )
    return DayRecorded(checkin=checkin, created=len(to_create), updated=len(to_update))


def _day_recorded_hooks(*, patient_id: int) -> None:
    # Imported here: diary must not depend on the apps that react to a saved day.
    from apps.detector.tasks import queue_episodes_refresh

    queue_episodes_refresh(patient_id=patient_id)


def joint_track(*, patient: PatientProfile, joint: Joint) -> TrackedJoint:
    """Start watching joint on the daily log; idempotent."""
    tracked, _ = TrackedJoint.objects.get_or_create(patient=patient, joint=joint)
    return tracked


def joints_track_set(*, patient: PatientProfile, joints: list[Joint]) -> None:
    """Make exactly `joints` the tracked set; diary entries of dropped joints are kept."""
    with transaction.atomic():
        TrackedJoint.objects.filter(patient=patient).exclude(joint__in=joints).delete()
        have = set(
            TrackedJoint.objects.filter(patient=patient).values_list(
                "joint_id", flat=True
            )
        )
        TrackedJoint.objects.bulk_create(
            TrackedJoint(patient=patient, joint=j) for j in joints if j.pk not in have
        )


def joint_catalogue_sync() -> None:
    """Make the Joint table match anatomy.JOINTS (the data migration does this once)."""
    for order, code in enumerate(anatomy.JOINT_ORDER):
        info = anatomy.JOINTS[code]
        Joint.objects.update_or_create(
            code=code,
            defaults={
                "side": info.side,
                "limb": info.limb,
                "kind": info.kind,
                "position": info.position,
                "sort_order": order,
            },
        )
