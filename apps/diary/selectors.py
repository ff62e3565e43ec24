from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from apps.accounts.models import PatientProfile
from apps.diary import anatomy
from apps.diary.models import CheckIn, DiaryEntry, Joint
from apps.diary.services import Score, day_version

STRIP_DAYS = 7


def tracked_joints(*, patient: PatientProfile) -> list[Joint]:
    """The patient's watched joints in anatomical order (lower limbs first, left beside right)."""
    return list(
        Joint.objects.filter(trackedjoint__patient=patient).order_by("sort_order")
    )


def untracked_joint_codes(*, tracked: list[Joint]) -> list[str]:
    """Catalogue joints the patient could add, in display order."""
    have = {j.code for j in tracked}
    return [code for code in anatomy.JOINT_ORDER if code not in have]


@dataclass(frozen=True)
class StripDay:
    date: dt.date
    logged: bool


@dataclass(frozen=True)
class DayState:
    day: dt.date
    checkin: CheckIn | None  # None: the patient hasn't logged this day yet
    scores: dict[int, Score]  # joint id → score shown on the form
    prefilled_from: dt.date | None  # the earlier day the unlogged form copies
    strip: list[StripDay]  # the week up to `day`, for quick backfill
    version: dt.datetime | None = None  # when `day` last changed; None if not logged


def day_state(*, patient: PatientProfile, day: dt.date) -> DayState:
    """What the log page shows for `day`: its saved values, or the last logged day's."""
    recent = list(
        CheckIn.objects.filter(
            patient=patient, date__lte=day, date__gt=day - dt.timedelta(days=14)
        ).order_by("-date")
    )
    source = recent[0] if recent else None
    if source is None:
        source = (
            CheckIn.objects.filter(patient=patient, date__lt=day)
            .order_by("-date")
            .first()
        )
    logged = {c.date for c in recent}
    strip = [
        StripDay(date=d, logged=d in logged)
        for d in (day - dt.timedelta(days=i) for i in range(STRIP_DAYS - 1, -1, -1))
    ]
    scores: dict[int, Score] = {}
    changed: list[dt.datetime] = []
    if source is not None:
        # Joints not mentioned on a logged day were 0 that day, so absent keys stay 0.
        for joint_id, pain, swelling, updated_at in DiaryEntry.objects.filter(
            patient=patient, date=source.date
        ).values_list("joint_id", "pain", "swelling", "updated_at"):
            scores[joint_id] = Score(pain=pain, swelling=swelling)
            changed.append(updated_at)
    is_today = source is not None and source.date == day
    return DayState(
        version=day_version(source.updated_at, changed) if is_today else None,
        day=day,
        checkin=source if is_today else None,
        scores=scores,
        prefilled_from=None if is_today or source is None else source.date,
        strip=strip,
    )


@functools.cache
def joint_codes() -> dict[int, str]:
    """Joint id → code. The 16 catalogue rows come from a data migration and never
    change, so each process reads them once."""
    return dict(Joint.objects.values_list("pk", "code"))
