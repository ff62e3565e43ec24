from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.accounts.models import PatientProfile
from apps.diary import anatomy, signals
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


@dataclass(frozen=True)
class DayBase:
    """The copy of a day a save was made from (a phone that saved it offline).

    version: day_version() of that copy; None when the day was not logged yet.
    """

    version: dt.datetime | None


@dataclass(frozen=True)
class StoredDay:
    version: dt.datetime
    scores: dict[int, Score]  # joint id → what is stored; a joint without a row is 0/0
    note: str


class DayConflict(Exception):
    """The day was saved elsewhere after the copy this save was based on."""

    def __init__(self, stored: StoredDay):
        super().__init__("This day was changed elsewhere since it was loaded.")
        self.stored = stored


def day_version(
    checkin_updated: dt.datetime, entries_updated: Iterable[dt.datetime]
) -> dt.datetime:
    """When a logged day last changed: its check-in (the note) or any of its entries."""
    return max([checkin_updated, *entries_updated])


def day_record(
    *,
    patient: PatientProfile,
    day: dt.date,
    scores: Mapping[Joint, Score],
    note: str = "",
    now: dt.datetime | None = None,
    based_on: DayBase | None = None,
) -> DayRecorded:
    """Save one local day atomically: the check-in plus pain 0–10 / swelling 0–3 per joint.

    Idempotent: posting the same day twice (double tap, retried request) stores it once.
    With based_on (a save kept on a phone while offline), raises DayConflict instead
    of overwriting a different version saved after that copy, e.g. from another device.
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
                if based_on is not None:
                    _day_check(
                        patient=patient,
                        day=day,
                        scores=scores,
                        note=note,
                        base=based_on,
                    )
                recorded = _day_write(
                    patient=patient, day=day, scores=scores, note=note
                )
        except IntegrityError:
            if attempt:
                raise
        else:
            break
    signals.day_saved.send(sender=CheckIn, patient_id=patient.pk)
    return recorded


def _day_check(
    *,
    patient: PatientProfile,
    day: dt.date,
    scores: Mapping[Joint, Score],
    note: str,
    base: DayBase,
) -> None:
    # Locked so a concurrent save of the same day waits for this one's verdict
    # (SQLite's IMMEDIATE transactions already serialise writers).
    checkin = (
        CheckIn.objects.select_for_update().filter(patient=patient, date=day).first()
    )
    if checkin is None:
        return  # nothing stored to overwrite
    rows = list(
        DiaryEntry.objects.filter(patient=patient, date=day).values_list(
            "joint_id", "pain", "swelling", "updated_at"
        )
    )
    stored = StoredDay(
        version=day_version(checkin.updated_at, [r[3] for r in rows]),
        scores={j: Score(pain=p, swelling=s) for j, p, s, _ in rows},
        note=checkin.note,
    )
    if base.version is not None and stored.version <= base.version:
        return  # unchanged since the phone's copy
    zero = Score(pain=0, swelling=0)
    if note == stored.note and all(
        stored.scores.get(j.pk, zero) == s for j, s in scores.items()
    ):
        # What is stored already is this save (an earlier send whose answer was
        # lost on a bad connection): nothing would be overwritten.
        return
    raise DayConflict(stored)


def _day_write(
    *, patient: PatientProfile, day: dt.date, scores: Mapping[Joint, Score], note: str
) -> DayRecorded:
    checkin = CheckIn.objects.filter(patient=patient, date=day).first()
    if checkin is None:
        checkin = CheckIn.objects.create(patient=patient, date=day, note=note)
    elif checkin.note != note:
        checkin.note = note
        checkin.save(update_fields=["note", "updated_at"])

    stored = {
        joint_id: Score(pain=pain, swelling=swelling)
        for joint_id, pain, swelling in DiaryEntry.objects.filter(
            patient=patient, date=day
        ).values_list("joint_id", "pain", "swelling")
    }
    now = timezone.now()
    changed = [
        DiaryEntry(
            patient=patient,
            joint=joint,
            date=day,
            pain=score.pain,
            swelling=score.swelling,
            created_at=now,
            updated_at=now,
        )
        for joint, score in scores.items()
        if stored.get(joint.pk) != score
    ]
    if changed:
        # One upsert for new and corrected joints alike; unchanged joints are
        # not rewritten, so a repeated save adds no history.
        DiaryEntry.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["patient", "joint", "date"],
            update_fields=["pain", "swelling", "updated_at"],
        )
        created = [e for e in changed if e.joint_id not in stored]
        updated = [e for e in changed if e.joint_id in stored]
        if created:
            DiaryEntry.history.bulk_history_create(created, default_date=now)
        if updated:
            DiaryEntry.history.bulk_history_create(
                updated, update=True, default_date=now
            )
    return DayRecorded(
        checkin=checkin,
        created=sum(e.joint_id not in stored for e in changed),
        updated=sum(e.joint_id in stored for e in changed),
    )


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


def diary_history_erase(*, patient_id: int | None, user_id: int) -> None:
    """Remove an erased patient's diary history; edits the user made elsewhere stay, unnamed.

    simple_history's tables have no foreign keys to the rows they copy, and the
    cascade that deleted the diary wrote "deleted" history rows of its own.
    """
    for model in (DiaryEntry, CheckIn):
        if patient_id is not None:
            model.history.filter(patient_id=patient_id).delete()
        model.history.filter(history_user_id=user_id).update(history_user=None)


def day_refusal(*, patient: PatientProfile, day: dt.date, today: dt.date) -> str | None:
    """Why `day` cannot be logged (after the patient's local today, or before the
    diary's first day), in the reader's language; None when it can."""
    if day > today:
        return _("%(day)s is in the future; you can log up to today.") % {
            "day": date_format(day, "j M Y")
        }
    first = patient.first_loggable_day()
    if day < first:
        return _(
            "Your diary starts on %(first)s (two years before you joined, or "
            "your diagnosis date if earlier), so %(day)s cannot be logged."
        ) % {
            "first": date_format(first, "j M Y"),
            "day": date_format(day, "j M Y"),
        }
    return None
