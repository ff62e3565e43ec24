from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext as _

from apps.accounts.models import PatientProfile, PhysicianProfile
from apps.accounts.selectors import patients_for_physician
from apps.detector.models import JointMigration
from apps.diary.anatomy import JOINT_ORDER
from apps.diary.models import SWELLING_LABELS, CheckIn, DiaryEntry, joint_label
from apps.diary.selectors import joint_codes
from apps.reminders.models import DeliveryStatus, ReminderDelivery, ReminderSchedule


def patient_ids_due(*, now: dt.datetime) -> list[int]:
    """Patients whose reminder instant has come: one range scan on the next_reminder_at index."""
    return list(
        ReminderSchedule.objects.filter(next_reminder_at__lte=now).values_list(
            "patient_id", flat=True
        )
    )


def patient_ids_with_failed_reminder(
    *, now: dt.datetime, since: dt.datetime, quiet_since: dt.datetime
) -> list[int]:
    """Patients whose reminder slot came after `since` and is still FAILED, last tried before `quiet_since`."""
    return list(
        ReminderDelivery.objects.filter(
            status=DeliveryStatus.FAILED,
            scheduled_for__gte=since,
            scheduled_for__lte=now,
            claimed_at__lt=quiet_since,
        )
        .values_list("patient_id", flat=True)
        .distinct()
    )


def last_checkin_subquery(patient_ref: str) -> Subquery:
    """The latest day the patient logged (or None), for annotate(); `patient_ref`
    names the patient's id in the outer query. One step on the checkin_latest index."""
    return Subquery(
        CheckIn.objects.filter(patient=OuterRef(patient_ref))
        .order_by("-date")
        .values("date")[:1]
    )


def reminder_schedules_for_send(
    *, patient_ids: list[int]
) -> dict[int, ReminderSchedule]:
    """Each patient's schedule row with profile and user loaded and `last_checkin`
    (latest logged day, or None) annotated, by patient id: what a batch of
    sends needs, in one query."""
    rows = (
        ReminderSchedule.objects.filter(patient_id__in=patient_ids)
        .select_related("patient__user")
        # Only what a send reads. The password hash goes into the one-tap
        # link's fingerprint (tokens.py).
        .only(
            "next_reminder_at",
            "patient__user_id",
            "patient__timezone",
            "patient__reminders_enabled",
            "patient__reminder_time",
            "patient__reminder_weekdays",
            "patient__created_at",
            "patient__user__password",
            "patient__user__first_name",
            "patient__user__email",
            "patient__user__language",
        )
        .annotate(last_checkin=last_checkin_subquery("patient_id"))
    )
    return {sched.patient_id: sched for sched in rows}


def reminder_schedule_for_send(*, patient_id: int) -> ReminderSchedule | None:
    """reminder_schedules_for_send for one patient; None without a schedule row."""
    return reminder_schedules_for_send(patient_ids=[patient_id]).get(patient_id)


def physician_ids_for_digest() -> list[int]:
    """Physicians who opted in to the daily digest."""
    return list(
        PhysicianProfile.objects.filter(digest_enabled=True).values_list(
            "pk", flat=True
        )
    )


DayRows = dict[tuple[int, dt.date], list[tuple[int, int, int]]]


def yesterday_rows_for_send(*, scheds: Iterable[ReminderSchedule]) -> DayRows:
    """The (joint id, pain, swelling) rows of the day before each due slot's local
    day, for the patients who logged that day, keyed by (patient id, day): what
    the reminders' line about yesterday needs, for a whole batch in one query."""
    wanted = set()
    for sched in scheds:
        slot = sched.next_reminder_at
        if slot is None or sched.last_checkin is None:
            continue
        yesterday = slot.astimezone(sched.patient.tz).date() - dt.timedelta(days=1)
        if sched.last_checkin == yesterday:
            wanted.add((sched.patient_id, yesterday))
    rows: DayRows = {key: [] for key in wanted}
    if not wanted:
        return rows
    entries = DiaryEntry.objects.filter(
        patient_id__in={p for p, _day in wanted},
        date__in={day for _p, day in wanted},
    ).values_list("patient_id", "date", "joint_id", "pain", "swelling")
    for patient_id, day, joint_id, pain, swelling in entries:
        if (patient_id, day) in rows:
            rows[patient_id, day].append((joint_id, pain, swelling))
    return rows


def day_summary_line(
    *,
    patient: PatientProfile,
    day: dt.date,
    rows: list[tuple[int, int, int]] | None = None,
) -> str:
    """One line of a logged day's values, e.g. "Left knee pain 6, swelling mild · Right hip pain 2, swelling none".

    In the active language: the caller writes the email under the recipient's.
    `rows` are the day's (joint id, pain, swelling) if already read
    (yesterday_rows_for_send); else they are read here.
    """
    codes = joint_codes()
    if rows is None:
        rows = DiaryEntry.objects.filter(patient=patient, date=day).values_list(
            "joint_id", "pain", "swelling"
        )
    entries = sorted(
        (JOINT_ORDER.index(codes[joint_id]), codes[joint_id], pain, swelling)
        for joint_id, pain, swelling in rows
    )
    parts = [
        _("%(joint)s pain %(pain)s, swelling %(swelling)s")
        % {
            "joint": joint_label(code),
            "pain": pain,
            "swelling": SWELLING_LABELS[swelling],
        }
        for _order, code, pain, swelling in entries
    ]
    if parts:
        return " · ".join(parts)
    # A logged day without rows means every tracked joint was 0 that day.
    return _("no pain or swelling")


def days_without_checkin(
    *, patient: PatientProfile, today: dt.date, last_checkin: dt.date | None
) -> int:
    """Whole local days before `today` with no check-in since the last one (or since sign-up)."""
    since = last_checkin or patient.local_date(patient.created_at)
    # Days strictly between the baseline and today; a new patient's sign-up day counts as logged.
    return max((today - since).days - 1, 0)


@dataclass(frozen=True)
class QuietPatient:
    patient: PatientProfile
    last_checkin: dt.date | None
    days_quiet: int  # local days since the last check-in (or since sign-up)


@dataclass(frozen=True)
class DigestFlags:
    stopped_logging: list[QuietPatient] = field(default_factory=list)
    migrations: list[JointMigration] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.stopped_logging or self.migrations)


def digest_flags(*, physician: PhysicianProfile, now: dt.datetime) -> DigestFlags:
    """New flags for the daily digest: patients who crossed the stopped-logging line
    in the last day, and joint migrations stored in the last 24 hours."""
    patients = list(
        patients_for_physician(physician=physician).annotate(
            last_checkin=Max("checkins__date")
        )
    )
    limit = physician.stopped_logging_days
    stopped = []
    for p in patients:
        today = p.local_date(now)
        baseline = p.last_checkin or p.local_date(p.created_at)
        quiet = (today - baseline).days
        # The digest runs once a day, so each patient's local date moves one day
        # per digest: "== limit" reports the crossing once; afterwards the
        # dashboard keeps showing it and the digest stays quiet.
        if quiet == limit:
            stopped.append(
                QuietPatient(patient=p, last_checkin=p.last_checkin, days_quiet=quiet)
            )
    migrations = list(
        JointMigration.objects.filter(
            patient__in=[p.pk for p in patients],
            created_at__gt=now - dt.timedelta(hours=24),
        )
        .select_related("patient__user", "from_joint", "to_joint")
        .order_by("patient_id", "detected_on")
    )
    return DigestFlags(stopped_logging=stopped, migrations=migrations)
