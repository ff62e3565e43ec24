from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction

from apps.accounts.models import PatientProfile
from apps.detector import detect
from apps.detector.models import Episode, JointMigration
from apps.diary.models import CheckIn, DiaryEntry, Joint

log = logging.getLogger(__name__)

# A recomputed event is the same event as a stored one when the joints agree and
# the onsets are this close; the evaluation uses the same tolerance.
SAME_EVENT_DAYS = 21


def diary_load(*, patient: PatientProfile) -> tuple[list[detect.Reading], set[dt.date]]:
    """The patient's whole diary as detector input (two queries)."""
    codes = _joint_codes()
    readings = [
        detect.Reading(day=day, joint=codes[joint_id], pain=pain, swelling=swelling)
        for joint_id, day, pain, swelling in DiaryEntry.objects.filter(
            patient=patient
        ).values_list("joint_id", "date", "pain", "swelling")
    ]
    logged = set(CheckIn.objects.filter(patient=patient).values_list("date", flat=True))
    return readings, logged


def episodes_refresh(*, patient: PatientProfile) -> list[JointMigration]:
    """Re-run the detector for one patient and store the result; returns new migrations.

    Idempotent: an event already stored keeps its row, first detected_on and
    acknowledgement; an unacknowledged event the corrected diary no longer
    supports is dropped; an acknowledged one is never lost.
    """
    readings, logged = diary_load(patient=patient)
    result = detect.detect(readings, logged)
    joints = _joint_ids()
    with transaction.atomic():
        Episode.objects.filter(patient=patient).delete()
        Episode.objects.bulk_create(
            Episode(
                patient=patient,
                joint_id=joints[e.joint],
                onset=e.onset,
                peak=e.peak,
                peak_pain=e.peak_pain,
                phase=e.phase,
                resolved_on=e.resolved_on,
                detected_on=e.detected_on,
            )
            for e in result.episodes
        )
        stored = list(
            JointMigration.objects.select_for_update().filter(patient=patient)
        )
        kept: set[int] = set()
        new = []
        for m in result.migrations:
            match = _match(stored, m, joints, exclude=kept)
            if match is not None:
                kept.add(match.pk)
                continue
            new.append(
                JointMigration(
                    patient=patient,
                    from_joint_id=joints[m.from_joint],
                    to_joint_id=joints[m.to_joint],
                    relation=m.relation,
                    kind=m.kind,
                    to_onset=m.to_onset,
                    detected_on=m.detected_on,
                )
            )
        stale = [s.pk for s in stored if s.pk not in kept and s.acknowledged_at is None]
        if stale:
            JointMigration.objects.filter(pk__in=stale).delete()
        created = JointMigration.objects.bulk_create(new)
    return created


def _match(
    stored: list[JointMigration],
    m: detect.JointMigration,
    joints: dict[str, int],
    *,
    exclude: set[int],
) -> JointMigration | None:
    for s in stored:
        if (
            s.pk not in exclude
            and s.from_joint_id == joints[m.from_joint]
            and s.to_joint_id == joints[m.to_joint]
            and abs((s.to_onset - m.to_onset).days) <= SAME_EVENT_DAYS
        ):
            return s
    return None


def _joint_codes() -> dict[int, str]:
    # 16 static rows; one query per call is cheaper than a cache to invalidate.
    return dict(Joint.objects.values_list("pk", "code"))


def _joint_ids() -> dict[str, int]:
    return {code: pk for pk, code in _joint_codes().items()}
