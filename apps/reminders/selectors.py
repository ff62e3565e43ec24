from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext as _

from apps.accounts.models import PatientProfile, PhysicianProfile, User
from apps.accounts.selectors import patients_for_physician
from apps.detector.models import JointMigration
from apps.diary.models import SWELLING_LABELS, CheckIn, joint_label
from apps.reminders import sql
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


# What a send needs, in concrete-field order (Model.from_db wants them so); every
# other field stays deferred and would cost a query if touched.
_SEND_FIELDS = {
    ReminderSchedule: ("id", "patient_id", "next_reminder_at"),
    PatientProfile: (
        "id",
        "user_id",
        "timezone",
        "reminders_enabled",
        "reminder_time",
        "reminder_weekdays",
        "created_at",
    ),
    User: ("id", "first_name", "email", "language"),
}
# Plain SQL: at 20:00 this runs thousands of times a minute, and the ORM spent
# about 1.3 ms of CPU per call building these joins and the subquery again,
# where running this statement costs the worker 0.2 ms. The tests run it on
# SQLite and PostgreSQL.
_SEND_SQL = """
    SELECT s.id, s.patient_id, s.next_reminder_at,
           p.id, p.user_id, p.timezone, p.reminders_enabled, p.reminder_time,
           p.reminder_weekdays, p.created_at,
           u.id, u.first_name, u.email, u.language,
           (SELECT c.date FROM diary_checkin c WHERE c.patient_id = s.patient_id
            ORDER BY c.date DESC LIMIT 1)
    FROM reminders_reminderschedule s
    JOIN accounts_patientprofile p ON p.id = s.patient_id
    JOIN accounts_user u ON u.id = p.user_id
    WHERE s.patient_id = %s
"""


def reminder_schedule_for_send(*, patient_id: int) -> ReminderSchedule | None:
    """The patient's schedule row with profile and user loaded and `last_checkin`
    (latest logged day, or None) annotated: what a send needs, in one query."""
    with sql.cursor() as cursor:
        cursor.execute(_SEND_SQL, [patient_id])
        row = cursor.fetchone()
    if row is None:
        return None
    instances = []
    start = 0
    for model, fields in _SEND_FIELDS.items():
        values = row[start : start + len(fields)]
        instances.append(model.from_db(DEFAULT_DB_ALIAS, fields, values))
        start += len(fields)
    sched, patient, user = instances
    # SQLite returns datetimes naive (they are stored as UTC) and the
    # subquery's date as text; PostgreSQL returns both typed already.
    sched.next_reminder_at = _utc(sched.next_reminder_at)
    patient.created_at = _utc(patient.created_at)
    last_checkin = row[start]
    if isinstance(last_checkin, str):
        last_checkin = dt.date.fromisoformat(last_checkin)
    patient.user = user
    sched.patient = patient
    sched.last_checkin = last_checkin
    return sched


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def physician_ids_for_digest() -> list[int]:
    """Physicians who opted in to the daily digest."""
    return list(
        PhysicianProfile.objects.filter(digest_enabled=True).values_list(
            "pk", flat=True
        )
    )


_DAY_SQL = """
    SELECT j.code, e.pain, e.swelling
    FROM diary_diaryentry e JOIN diary_joint j ON j.id = e.joint_id
    WHERE e.patient_id = %s AND e.date = %s
    ORDER BY j.sort_order
"""


def day_summary_line(*, patient: PatientProfile, day: dt.date) -> str:
    """One line of a logged day's values, e.g. "Left knee pain 6, swelling mild · Right hip pain 2, swelling none".

    In the active language: the caller writes the email under the recipient's.
    """
    # Plain SQL, as in reminder_schedule_for_send: this runs for most of the
    # 20:00 reminders, and the ORM's join and ordering cost more than the query.
    with sql.cursor() as cursor:
        cursor.execute(_DAY_SQL, [patient.pk, day])
        entries = cursor.fetchall()
    parts = [
        _("%(joint)s pain %(pain)s, swelling %(swelling)s")
        % {
            "joint": joint_label(code),
            "pain": pain,
            "swelling": SWELLING_LABELS[swelling],
        }
        for code, pain, swelling in entries
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
