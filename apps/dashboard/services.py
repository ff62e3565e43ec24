from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import PatientProfile, PhysicianProfile, User
from apps.dashboard import selectors, triage
from apps.dashboard.models import ClinicalEvent, PatientSummary, PhysicianNote
from apps.detector.models import Episode, JointMigration, PossibleJoint
from apps.diary.models import CheckIn, DiaryEntry, Joint, TrackedJoint


def summary_refresh(*, patient: PatientProfile, today: dt.date) -> PatientSummary:
    """Recompute the patient's triage row from the recent diary and the detector's output.

    Reads at most the last 28 days plus the last 7 logged days (about nine queries),
    so the nightly run over every patient stays cheap.
    """
    last_days = list(
        CheckIn.objects.filter(patient=patient, date__lte=today)
        .order_by("-date")
        .values_list("date", flat=True)[: triage.TREND_DAYS]
    )
    since = min([*last_days, today - dt.timedelta(days=triage.SPARK_DAYS - 1)])
    logged = set(last_days) | set(
        CheckIn.objects.filter(
            patient=patient, date__gte=since, date__lte=today
        ).values_list("date", flat=True)
    )
    ids: dict[
        str, int
    ] = {}  # joint code → pk, to store the worst joint without a lookup
    pain = {}
    for day, joint_id, code, p in DiaryEntry.objects.filter(
        patient=patient, date__gte=since, date__lte=today
    ).values_list("date", "joint_id", "joint__code", "pain"):
        pain[(day, code)] = p
        ids[code] = joint_id
    tracked = []
    for code, joint_id in TrackedJoint.objects.filter(patient=patient).values_list(
        "joint__code", "joint_id"
    ):
        tracked.append(code)
        ids[code] = joint_id
    episodes = []
    for code, joint_id, onset, phase, found, healed in Episode.objects.filter(
        patient=patient
    ).values_list(
        "joint__code", "joint_id", "onset", "phase", "detected_on", "resolved_on"
    ):
        episodes.append(
            triage.EpisodeFacts(
                joint=code,
                onset=onset,
                phase=phase,
                detected_on=found,
                resolved_on=healed,
            )
        )
        ids[code] = joint_id
    migrations = [
        triage.MigrationFacts(
            detected_on=found,
            acknowledged=ack is not None,
            from_joint=from_code,
            to_joint=to_code,
            explanation=text,
            facts=facts,
        )
        for found, ack, from_code, to_code, text, facts in JointMigration.objects.filter(
            patient=patient
        ).values_list(
            "detected_on",
            "acknowledged_at",
            "from_joint__code",
            "to_joint__code",
            "explanation",
            "facts",
        )
    ]
    possible = [
        triage.PossibleFacts(
            joint=code, last_raised=last, explanation=text, facts=facts
        )
        for code, last, text, facts in PossibleJoint.objects.filter(
            patient=patient
        ).values_list("joint__code", "last_raised", "explanation", "facts")
    ]
    s = triage.summarise(
        today=today,
        logged=sorted(logged),
        pain=pain,
        joints=tracked + sorted({code for _, code in pain}),
        episodes=episodes,
        migrations=migrations,
        possible=possible,
    )
    fields = {
        "computed_on": today,
        "last_checkin": s.last_checkin,
        "worst_joint_id": ids.get(s.worst_joint) if s.worst_joint else None,
        "sparkline": s.sparkline,
        "pain_now": s.pain_now,
        "worsening": s.worsening,
        "phase": s.phase,
        "episode_onset": s.episode_onset,
        "migrated_until": s.migrated_until,
        "new_joint_until": s.new_joint_until,
        "oldest_active_onset": s.oldest_active_onset,
        "oldest_rising_onset": s.oldest_rising_onset,
        "urgency": s.urgency,
        "possible_until": s.possible_until,
        "reasons": s.reasons,
    }
    # Update first: after the first run the row exists, and update_or_create would
    # add a SELECT and two savepoints to every nightly refresh.
    if not PatientSummary.objects.filter(patient=patient).update(**fields):
        return PatientSummary.objects.create(patient=patient, **fields)
    return PatientSummary.objects.get(patient=patient)


@transaction.atomic
def migration_acknowledge(
    *, migration: JointMigration, user: User, today: dt.date
) -> JointMigration:
    """Record who saw a migration and when; the first acknowledgement is kept."""
    JointMigration.objects.filter(pk=migration.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=user
    )
    migration.refresh_from_db()
    # The "migrated" flag ends with the acknowledgement, not at the next nightly run.
    summary_refresh(patient=migration.patient, today=today)
    return migration


def clinical_event_create(
    *,
    patient: PatientProfile,
    user: User,
    kind: str,
    date: dt.date,
    joint_code: str = "",
    oedema: bool | None = None,
    detail: str = "",
) -> ClinicalEvent:
    """A finding or treatment next to the diary; oedema applies to MRI only."""
    return ClinicalEvent.objects.create(
        patient=patient,
        kind=kind,
        date=date,
        joint=Joint.objects.get(code=joint_code) if joint_code else None,
        oedema=oedema if kind == ClinicalEvent.Kind.MRI else None,
        detail=detail,
        created_by=user,
    )


def clinical_event_delete(
    *, patient: PatientProfile, event_id: int, user: User
) -> bool:
    """Remove one of the patient's events if `user` may; True if it was removed.

    The history keeps the removed row and who removed it.
    """
    deleted, _ = (
        ClinicalEvent.objects.filter(pk=event_id, patient=patient)
        .filter(selectors.events_deletable_by(patient=patient, user=user))
        .delete()
    )
    return bool(deleted)


def physician_note_create(
    *, physician: PhysicianProfile, patient: PatientProfile, text: str
) -> PhysicianNote:
    """A private note only this physician will see."""
    return PhysicianNote.objects.create(physician=physician, patient=patient, text=text)


def stopped_logging_days_set(*, physician: PhysicianProfile, days: int) -> None:
    """How many days without a check-in flag a patient (1-60) on this physician's table."""
    physician.stopped_logging_days = days
    physician.save(update_fields=["stopped_logging_days"])


def clinical_events_history_erase(*, patient_id: int | None, user_id: int) -> None:
    """Remove an erased patient's event history; events the user entered for others stay, unnamed."""
    history = ClinicalEvent.history
    if patient_id is not None:
        history.filter(patient_id=patient_id).delete()
    history.filter(history_user_id=user_id).update(history_user=None)
