from __future__ import annotations

import datetime as dt
import logging

from django.db import connection, transaction

from apps.accounts.models import PatientProfile
from apps.detector import detect
from apps.detector.models import Episode, JointMigration, PossibleJoint
from apps.diary.models import CheckIn, DiaryEntry
from apps.diary.selectors import joint_codes

log = logging.getLogger(__name__)

# A recomputed event is the same event as a stored one when the joints agree and
# the onsets are this close; the evaluation uses the same tolerance.
SAME_EVENT_DAYS = 21


def diary_load(
    *, patient: PatientProfile, codes: dict[int, str] | None = None
) -> tuple[list[tuple[dt.date, str, int, int]], list[dt.date]]:
    """The patient's whole diary as detector input: (day, joint, pain, swelling) rows and logged days in order."""
    entries = DiaryEntry.objects.filter(patient=patient)
    columns = ("date", "joint_id", "pain", "swelling")
    # This runs after every saved day over years of rows: Django's per-row value
    # conversion cost three times the detection itself, so read the raw rows.
    # A logged day without an entry for a joint reads 0 to the detector, so the
    # all-zero entries (most of a quiet joint's diary) need not be read at all.
    raw = _raw_rows(entries.exclude(pain=0, swelling=0).values_list(*columns))
    # In date order (the unique index gives it free): sorting sorted days is cheap.
    logged = [
        d
        for (d,) in _raw_rows(
            CheckIn.objects.filter(patient=patient).order_by("date").values_list("date")
        )
    ]
    # Every joint must still appear (the detector's floor counts the joints): one
    # zero row on a logged day stands for a joint that never hurt.
    quiet = {
        j for (j,) in _raw_rows(entries.order_by().values_list("joint_id").distinct())
    } - {row[1] for row in raw}
    if quiet and logged:
        raw.extend((logged[0], j, 0, 0) for j in sorted(quiet))
    elif quiet:
        # Entries without check-ins (not made by the app): read them all.
        raw = _raw_rows(entries.values_list(*columns))
    codes = codes or joint_codes()
    sample = logged[:1] or [row[0] for row in raw[:1]]
    if sample and isinstance(sample[0], str):
        # SQLite hands dates back as ISO text: parse each distinct day once and
        # look the rows up (a function call per row cost more than the query).
        days = {
            text: dt.date.fromisoformat(text)
            for text in {*logged, *(row[0] for row in raw)}
        }
        rows = [(days[d], codes[j], pain, swelling) for d, j, pain, swelling in raw]
        return rows, [days[text] for text in logged]
    # Plain rows in Reading field order, which detect() takes as they are.
    return [(d, codes[j], pain, swelling) for d, j, pain, swelling in raw], logged


def _raw_rows(queryset) -> list[tuple]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def episodes_refresh(*, patient: PatientProfile) -> list[JointMigration]:
    """Re-run the detector for one patient and store the result; returns new migrations.

    Idempotent: an event already stored keeps its row, first detected_on,
    explanation and acknowledgement; an unacknowledged event the corrected diary
    no longer supports is dropped; an acknowledged one is never lost. Possible
    new joints are replaced by this run's, so one that settled is gone.
    """
    codes = joint_codes()
    readings, logged = diary_load(patient=patient, codes=codes)
    result = detect.detect(readings, logged)
    joints = {code: pk for pk, code in codes.items()}
    episodes = [
        (
            joints[e.joint],
            e.onset,
            e.peak,
            e.peak_pain,
            e.phase,
            e.resolved_on,
            e.detected_on,
            e.explanation,
        )
        for e in result.episodes
    ]
    possible = [
        (joints[p.joint], p.onset, p.detected_on, p.peak_pain, p.explanation)
        for p in result.possible
    ]
    with transaction.atomic():
        _rewrite_if_changed(
            Episode, patient, _EPISODE_FIELDS, episodes, result.episodes
        )
        _rewrite_if_changed(
            PossibleJoint, patient, _POSSIBLE_FIELDS, possible, result.possible
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
                if not match.explanation and m.explanation:
                    # Flagged before explanations were stored: fill in what was seen.
                    JointMigration.objects.filter(pk=match.pk).update(
                        explanation=m.explanation,
                        facts=m.facts,
                    )
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
                    explanation=m.explanation,
                    facts=m.facts,
                )
            )
        stale = [s.pk for s in stored if s.pk not in kept and s.acknowledged_at is None]
        if stale:
            JointMigration.objects.filter(pk__in=stale).delete()
        created = JointMigration.objects.bulk_create(new)
    return created


_EPISODE_FIELDS = (
    "joint_id",
    "onset",
    "peak",
    "peak_pain",
    "phase",
    "resolved_on",
    "detected_on",
    "explanation",
)
_POSSIBLE_FIELDS = ("joint_id", "onset", "last_raised", "peak_pain", "explanation")


def _rewrite_if_changed(model, patient, fields, rows, findings) -> None:
    """Replace the patient's `model` rows by `rows` (values of `fields`, each with
    its finding's facts); most saved days leave them as they were, so only on a change."""
    stored = model.objects.filter(patient=patient).values_list(*fields)
    if sorted(stored, key=repr) == sorted(rows, key=repr):
        return
    model.objects.filter(patient=patient).delete()
    model.objects.bulk_create(
        model(
            patient=patient, facts=finding.facts, **dict(zip(fields, row, strict=True))
        )
        for row, finding in zip(rows, findings, strict=True)
    )


def _match(
    stored: list[JointMigration],
    m: detect.MigrationFinding,
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
