"""Notification services (reminders, migration alerts, digest), split by subdomain; import them from here."""

from __future__ import annotations

from apps.reminders.services.alerts import migration_alerts_send
from apps.reminders.services.delivery import SEND_LEASE, DeliveryInProgress, Outcome
from apps.reminders.services.digest import digest_send
from apps.reminders.services.links import (
    LOGIN_LINK_MAX_AGE,
    OneTap,
    OneTapStatus,
    UnsubscribeTarget,
    one_tap_login_check,
    one_tap_login_redeem,
    unsubscribe_apply,
    unsubscribe_target,
)
from apps.reminders.services.reminders import (
    MISSED_DAYS_NOTE,
    SEND_WINDOW,
    reminder_message_build,
    reminder_schedule_refresh,
    reminder_schedules_backfill,
    reminder_send,
)

__all__ = [
    "LOGIN_LINK_MAX_AGE",
    "MISSED_DAYS_NOTE",
    "SEND_LEASE",
    "SEND_WINDOW",
    "DeliveryInProgress",
    "OneTap",
    "OneTapStatus",
    "Outcome",
    "UnsubscribeTarget",
    "digest_send",
    "migration_alerts_send",
    "one_tap_login_check",
    "one_tap_login_redeem",
    "reminder_message_build",
    "reminder_schedule_refresh",
    "reminder_schedules_backfill",
    "reminder_send",
    "unsubscribe_apply",
    "unsubscribe_target",
]
