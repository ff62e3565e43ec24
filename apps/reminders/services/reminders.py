"""Patient reminders: when the next one is due, and sending it exactly once a day."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone, translation

from apps.accounts.models import PatientProfile
from apps.core import emails
from apps.reminders import schedule, selectors, tokens
from apps.reminders.models import DeliveryStatus, ReminderDelivery, ReminderSchedule
from apps.reminders.services.delivery import (
    SEND_LEASE,
    DeliveryInProgress,
    Outcome,
    delivery_finish,
    delivery_take,
    message_send,
)

log = logging.getLogger(__name__)

# The dispatcher ticks every minute; a slot found later than this was missed (beat
# or workers were down) and is skipped rather than sent at a surprising hour.
SEND_WINDOW = dt.timedelta(minutes=5)
# After this many whole days without a check-in the reminder says so, kindly.
MISSED_DAYS_NOTE = 3


def reminder_schedule_refresh(
    *, patient_id: int, now: dt.datetime | None = None
) -> dt.datetime | None:
    """Recompute and store when this patient's next reminder is due (UTC; None while off)."""
    now = now or timezone.now()
    # Runs after every saved day: one read (profile with both "last" dates as
    # subqueries) and one write keep it cheap on that hot path.
    patient = (
        PatientProfile.objects.filter(pk=patient_id)
        .annotate(
            last_checkin=selectors.last_checkin_subquery("pk"),
            last_reminded=Subquery(
                ReminderDelivery.objects.filter(patient=OuterRef("pk"))
                .order_by("-local_date")
                .values("local_date")[:1]
            ),
        )
        .first()
    )
    if patient is None:  # account deleted meanwhile
        return None
    next_at = _next_reminder_at(
        patient=patient,
        now=now,
        last_checkin=patient.last_checkin,
        last_reminded=patient.last_reminded,
    )
    if not ReminderSchedule.objects.filter(patient=patient).update(
        next_reminder_at=next_at, updated_at=now
    ):
        ReminderSchedule.objects.update_or_create(
            patient=patient, defaults={"next_reminder_at": next_at}
        )
    return next_at


def reminder_schedules_backfill(*, now: dt.datetime | None = None) -> int:
    """Create the schedule row of every patient who has none (new sign-ups); returns how many."""
    now = now or timezone.now()
    missing = list(
        PatientProfile.objects.filter(reminder_schedule__isnull=True).values_list(
            "pk", flat=True
        )
    )
    for patient_id in missing:
        try:
            reminder_schedule_refresh(patient_id=patient_id, now=now)
        except IntegrityError:
            # A save hook created it a moment ago; that row is just as fresh.
            continue
    return len(missing)


def _next_reminder_at(
    *,
    patient: PatientProfile,
    now: dt.datetime,
    last_checkin: dt.date | None,
    last_reminded: dt.date | None,
) -> dt.datetime | None:
    if not patient.reminders_enabled:
        return None
    return schedule.next_reminder_at(
        now=now,
        tz_name=patient.timezone,
        local_time=patient.reminder_time,
        weekdays=patient.reminder_weekdays,
        last_checkin=last_checkin,
        last_reminded=last_reminded,
    )


_READ = object()


def reminder_send(
    *,
    patient_id: int,
    now: dt.datetime | None = None,
    sched: ReminderSchedule | None | object = _READ,
    day_rows: selectors.DayRows | None = None,
) -> Outcome:
    """Send the patient's reminder for the current local day if it is due; idempotent.

    Claim first, then send: the schedule row is advanced with a conditional
    UPDATE and a ReminderDelivery row (unique per patient and local day) is
    created in the same transaction, so duplicate dispatches, retries and
    concurrent workers never produce a second email for one day.

    At 20:00 a worker sends thousands of these back to back, so the usual
    path costs one read (schedule, profile, user and last check-in together),
    the claim transaction, the summary of yesterday if it was logged, and
    the final UPDATE. A batch passes `sched` from reminder_schedules_for_send
    (None: the patient has no schedule row); a slot read a moment ago is safe,
    since the claim only advances the row if it still holds that slot, and
    `day_rows` from yesterday_rows_for_send, so the line about yesterday needs
    no query of its own.
    """
    now = now or timezone.now()
    if sched is _READ:
        sched = selectors.reminder_schedule_for_send(patient_id=patient_id)
    if sched is None:  # no schedule row, so nothing was ever claimed
        return Outcome.NOT_DUE
    patient = sched.patient
    last_checkin = sched.last_checkin
    claimed = _reminder_claim(
        sched=sched, patient=patient, now=now, last_checkin=last_checkin
    )
    if claimed is Outcome.SKIPPED:
        return claimed
    # Nothing new to claim: a retry of an earlier attempt may still be owed.
    delivery = claimed or _reminder_take(patient=patient, now=now)
    if delivery is None:
        return Outcome.NOT_DUE
    if last_checkin is not None and last_checkin >= delivery.local_date:
        # skip: the patient logged between the claim and this retry.
        delivery_finish(ReminderDelivery, delivery, status=DeliveryStatus.SKIPPED)
        return Outcome.SKIPPED
    message = reminder_message_build(
        patient=patient,
        delivery=delivery,
        last_checkin=last_checkin,
        day_rows=day_rows,
    )
    message_send(ReminderDelivery, delivery, message)
    delivery_finish(ReminderDelivery, delivery, status=DeliveryStatus.SENT, now=now)
    return Outcome.SENT


def _reminder_claim(
    *,
    sched: ReminderSchedule,
    patient: PatientProfile,
    now: dt.datetime,
    last_checkin: dt.date | None,
) -> ReminderDelivery | Outcome | None:
    """Advance a due schedule row and start the day's delivery (already SENDING).

    SKIPPED if the slot needs no email, None if there was nothing to claim.
    """
    slot = sched.next_reminder_at
    if slot is None or slot > now:
        return None
    local_day = slot.astimezone(patient.tz).date()
    next_at = _next_reminder_at(
        patient=patient,
        now=max(now, slot),
        last_checkin=last_checkin,
        last_reminded=local_day,
    )

    def advance() -> bool:
        # Of two workers holding this slot, exactly one sees rowcount 1.
        return bool(
            ReminderSchedule.objects.filter(pk=sched.pk, next_reminder_at=slot).update(
                next_reminder_at=next_at, updated_at=now
            )
        )

    skip = _reminder_skip_reason(
        patient=patient,
        slot=slot,
        local_day=local_day,
        now=now,
        last_checkin=last_checkin,
    )
    if skip is not None:
        # Nothing to send: advancing the row is the whole claim.
        if not advance():
            return None  # another worker claimed this slot first
        if skip == "missed":
            log.warning(
                "reminder for patient %s at %s missed its window", patient.pk, slot
            )
        return Outcome.SKIPPED
    try:
        with transaction.atomic():
            if not advance():
                return None  # another worker claimed this slot first
            return ReminderDelivery.objects.create(
                patient=patient,
                local_date=local_day,
                scheduled_for=slot,
                status=DeliveryStatus.SENDING,
                attempts=1,
                claimed_at=now,
            )
    except IntegrityError:
        # This local day already had its reminder (e.g. the patient moved the
        # time later after it went out). The clash undid the advance too (no
        # savepoint: it would cost two round trips on every send), so redo it alone.
        if not advance():
            return None
        return Outcome.SKIPPED


def _reminder_skip_reason(
    *,
    patient: PatientProfile,
    slot: dt.datetime,
    local_day: dt.date,
    now: dt.datetime,
    last_checkin: dt.date | None,
) -> str | None:
    """Why the slot gets no email, or None if it gets one."""
    if not patient.reminders_enabled:
        return "off"
    if str(local_day.isoweekday()) not in patient.reminder_weekdays:
        return "weekday"
    if last_checkin is not None and last_checkin >= local_day:
        return "logged"
    if now - slot > SEND_WINDOW:
        # skip: beat or the workers were down; a reminder hours late reads as noise.
        return "missed"
    return None


def _reminder_take(
    *, patient: PatientProfile, now: dt.datetime
) -> ReminderDelivery | None:
    """Start a new attempt on today's unsent delivery; raises DeliveryInProgress while another holds it."""
    today = patient.local_date(now)
    todays = ReminderDelivery.objects.filter(patient=patient, local_date__gte=today)
    delivery = (
        todays.filter(
            Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - SEND_LEASE)
        )
        .order_by("local_date")
        .first()
    )
    if delivery is None:
        if todays.filter(status=DeliveryStatus.SENDING).exists():
            raise DeliveryInProgress(f"patient {patient.pk}")
        return None
    return delivery_take(ReminderDelivery, delivery, now=now)


def reminder_message_build(
    *,
    patient: PatientProfile,
    delivery: ReminderDelivery,
    last_checkin: dt.date | None,
    day_rows: selectors.DayRows | None = None,
) -> EmailMultiAlternatives:
    """The reminder email for `delivery`, with its one-tap link and RFC 8058 unsubscribe headers.

    `day_rows` may hold yesterday's diary rows already read for a batch.
    """
    language = emails.recipient_language(patient.user)
    # The summary of yesterday is words too: build it in the patient's language.
    with translation.override(language):
        day = delivery.local_date
        yesterday = day - dt.timedelta(days=1)
        days_missed = selectors.days_without_checkin(
            patient=patient, today=day, last_checkin=last_checkin
        )
        unsubscribe_url = emails.absolute_url(
            reverse(
                "reminders:unsubscribe",
                args=[
                    tokens.unsubscribe_token_make(kind=tokens.REMINDERS, pk=patient.pk)
                ],
            )
        )
        context = {
            "first_name": patient.user.first_name,
            "day": day,
            "yesterday": yesterday,
            "yesterday_line": (
                selectors.day_summary_line(
                    patient=patient,
                    day=yesterday,
                    rows=(day_rows or {}).get((patient.pk, yesterday)),
                )
                if last_checkin == yesterday
                else None
            ),
            "days_missed": days_missed,
            "show_missed_note": days_missed >= MISSED_DAYS_NOTE,
            "login_url": emails.absolute_url(
                reverse(
                    "reminders:one-tap-login",
                    args=[
                        tokens.login_token_make(
                            delivery_id=delivery.pk, user=patient.user
                        )
                    ],
                )
            ),
            "unsubscribe_url": unsubscribe_url,
            "profile_url": emails.absolute_url(reverse("patient:profile")),
        }
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # Stable across retries: if a crash makes us send twice, clients that
        # de-duplicate on Message-ID show it once.
        "Message-ID": f"<reminder-{delivery.pk}-{day:%Y%m%d}@{emails.site_domain()}>",
        "Auto-Submitted": "auto-generated",
    }
    return emails.email_build(
        "reminders/email/reminder",
        context,
        [patient.user.email],
        headers,
        language=language,
    )
