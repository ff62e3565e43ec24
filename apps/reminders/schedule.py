"""When the next reminder is due: pure calendar arithmetic, no Django, no clock.

The patient picks a wall-clock time in their own zone. Two DST cases need a rule:
- gap (the clocks jump over the chosen time): send at the first instant after the
  jump, e.g. 02:30 on a spring-forward day at 02:00→03:00 is sent at 03:00;
- overlap (the chosen time happens twice): send at the first occurrence only, so
  one local day never yields two instants.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

UTC = dt.UTC

# A week plus one day covers every weekday pattern, including "today, but later".
_HORIZON_DAYS = 8


def local_instant(day: dt.date, at: dt.time, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The UTC instant the wall clock in `tz` first shows `at` on `day` (first instant after a DST gap)."""
    naive = dt.datetime.combine(day, at.replace(tzinfo=None, fold=0))
    earlier = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    later = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    first = min(earlier, later)
    if _wall(first, tz) == naive:
        # Ordinary day, or an overlap: `first` is the first of the two occurrences.
        return first
    # Gap: neither reading exists on the wall clock. The jump lies between the two
    # readings; find the first instant whose wall time is at or after `at`.
    lo, hi = first, max(earlier, later)
    while hi - lo > dt.timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if _wall(mid, tz) >= naive:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0)


def next_reminder_at(
    *,
    now: dt.datetime,
    tz_name: str,
    local_time: dt.time,
    weekdays: str,
    last_checkin: dt.date | None,
    last_reminded: dt.date | None = None,
) -> dt.datetime | None:
    """The first reminder instant (aware UTC) strictly after `now`, or None if no weekday is chosen.

    `weekdays` holds ISO digits, Monday "1" … Sunday "7". A local day already
    logged (`last_checkin`) or already reminded (`last_reminded`) gets no reminder.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not any(c in weekdays for c in "1234567"):
        return None
    tz = zoneinfo.ZoneInfo(tz_name)
    done = max(
        (d for d in (last_checkin, last_reminded) if d is not None), default=None
    )
    today = now.astimezone(tz).date()
    for offset in range(_HORIZON_DAYS):
        day = today + dt.timedelta(days=offset)
        if str(day.isoweekday()) not in weekdays:
            continue
        if done is not None and day <= done:
            continue
        instant = local_instant(day, local_time, tz)
        if instant > now:
            return instant
    return None


def _wall(instant: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return instant.astimezone(tz).replace(tzinfo=None, fold=0)
