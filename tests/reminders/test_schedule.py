from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from apps.reminders.schedule import local_instant, next_reminder_at

UTC = dt.UTC
EVERY_DAY = "1234567"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def next_at(now, tz, at, weekdays=EVERY_DAY, last_checkin=None, last_reminded=None):
    return next_reminder_at(
        now=now,
        tz_name=tz,
        local_time=at,
        weekdays=weekdays,
        last_checkin=last_checkin,
        last_reminded=last_reminded,
    )


def test_later_today_in_london_winter_is_same_utc_wall_time():
    assert next_at(utc(2026, 1, 14, 9), "Europe/London", dt.time(20)) == utc(
        2026, 1, 14, 20
    )


def test_after_todays_time_it_is_tomorrow():
    assert next_at(utc(2026, 1, 14, 20, 0, 1), "Europe/London", dt.time(20)) == utc(
        2026, 1, 15, 20
    )


def test_exactly_at_the_instant_moves_on_so_a_sent_slot_is_never_returned_again():
    assert next_at(utc(2026, 1, 14, 20), "Europe/London", dt.time(20)) == utc(
        2026, 1, 15, 20
    )


def test_day_already_logged_is_skipped():
    assert next_at(
        utc(2026, 1, 14, 9),
        "Europe/London",
        dt.time(20),
        last_checkin=dt.date(2026, 1, 14),
    ) == utc(2026, 1, 15, 20)


def test_day_already_reminded_is_skipped():
    assert next_at(
        utc(2026, 1, 14, 9),
        "Europe/London",
        dt.time(20),
        last_reminded=dt.date(2026, 1, 14),
    ) == utc(2026, 1, 15, 20)


def test_only_chosen_weekdays():
    # 2026-01-14 is a Wednesday; Monday only → Monday 19th.
    assert next_at(utc(2026, 1, 14, 9), "Europe/London", dt.time(20), "1") == utc(
        2026, 1, 19, 20
    )


def test_same_weekday_next_week_when_todays_time_has_passed():
    assert next_at(utc(2026, 1, 14, 21), "Europe/London", dt.time(20), "3") == utc(
        2026, 1, 21, 20
    )


def test_no_weekdays_means_no_reminder():
    assert next_at(utc(2026, 1, 14, 9), "Europe/London", dt.time(20), "") is None


def test_local_day_not_utc_day_decides_today():
    # 23:30 UTC on the 14th is already 08:30 on the 15th in Tokyo.
    assert next_at(utc(2026, 1, 14, 23, 30), "Asia/Tokyo", dt.time(8)) == utc(
        2026, 1, 15, 23
    )


def test_kathmandu_quarter_hour_offset():
    # +05:45 all year: 20:00 NPT = 14:15 UTC.
    assert next_at(utc(2026, 6, 1, 0), "Asia/Kathmandu", dt.time(20)) == utc(
        2026, 6, 1, 14, 15
    )


def test_london_summer_time():
    assert next_at(utc(2026, 7, 1, 9), "Europe/London", dt.time(20)) == utc(
        2026, 7, 1, 19
    )


@pytest.mark.parametrize(
    ("tz", "day", "at", "expected"),
    [
        # Spring forward 01:00→02:00 UTC: 01:30 London does not exist on 29 Mar 2026.
        ("Europe/London", dt.date(2026, 3, 29), dt.time(1, 30), utc(2026, 3, 29, 1)),
        # New York jumps 02:00 EST → 03:00 EDT (07:00 UTC) on 8 Mar 2026.
        ("America/New_York", dt.date(2026, 3, 8), dt.time(2, 30), utc(2026, 3, 8, 7)),
        # Lord Howe jumps only 30 minutes, 02:00 → 02:30 (+10:30 → +11), on 4 Oct 2026.
        (
            "Australia/Lord_Howe",
            dt.date(2026, 10, 4),
            dt.time(2, 15),
            utc(2026, 10, 3, 15, 30),
        ),
    ],
)
def test_time_in_a_dst_gap_is_sent_when_the_clocks_land(tz, day, at, expected):
    instant = local_instant(day, at, zoneinfo.ZoneInfo(tz))
    assert instant == expected
    # The first wall time after the jump: 02:00 London, 03:00 New York, 02:30 Lord Howe.
    wall = instant.astimezone(zoneinfo.ZoneInfo(tz))
    assert wall.date() == day
    assert wall.time() > at


def test_new_york_0230_on_spring_forward_day_goes_out_at_0300_local():
    instant = next_at(utc(2026, 3, 8, 5), "America/New_York", dt.time(2, 30))
    assert instant == utc(2026, 3, 8, 7)
    assert instant.astimezone(zoneinfo.ZoneInfo("America/New_York")).time() == dt.time(
        3, 0
    )


@pytest.mark.parametrize(
    ("tz", "day", "at", "first"),
    [
        # Fall back 02:00 BST → 01:00 GMT on 25 Oct 2026: 01:30 happens at 00:30 and 01:30 UTC.
        (
            "Europe/London",
            dt.date(2026, 10, 25),
            dt.time(1, 30),
            utc(2026, 10, 25, 0, 30),
        ),
        # New York: 01:30 happens at 05:30 and 06:30 UTC on 1 Nov 2026.
        (
            "America/New_York",
            dt.date(2026, 11, 1),
            dt.time(1, 30),
            utc(2026, 11, 1, 5, 30),
        ),
        # Lord Howe falls back 02:00 → 01:30 on 5 Apr 2026: 01:45 happens twice, 30 min apart.
        (
            "Australia/Lord_Howe",
            dt.date(2026, 4, 5),
            dt.time(1, 45),
            utc(2026, 4, 4, 14, 45),
        ),
    ],
)
def test_time_that_happens_twice_is_sent_once_at_the_first(tz, day, at, first):
    before = dt.datetime.combine(day, dt.time(0, 0), tzinfo=zoneinfo.ZoneInfo(tz))
    instant = next_at(before.astimezone(UTC), tz, at)
    assert instant == first
    # Right after the first occurrence, the next reminder is the following day,
    # not the repeat of the same wall time.
    following = next_at(instant, tz, at)
    assert following.astimezone(zoneinfo.ZoneInfo(tz)).date() == day + dt.timedelta(
        days=1
    )


def test_lord_howe_offsets_across_the_year():
    # +10:30 in (southern) winter, +11 in summer.
    assert next_at(utc(2026, 7, 1, 0), "Australia/Lord_Howe", dt.time(20)) == utc(
        2026, 7, 1, 9, 30
    )
    assert next_at(utc(2026, 1, 1, 0), "Australia/Lord_Howe", dt.time(20)) == utc(
        2026, 1, 1, 9
    )


def test_daily_reminders_across_a_dst_change_stay_at_local_time():
    tz = zoneinfo.ZoneInfo("Europe/London")
    now = utc(2026, 3, 27, 12)
    walls = []
    for _ in range(4):
        now = next_at(now, "Europe/London", dt.time(20))
        walls.append(now.astimezone(tz))
    assert [w.time() for w in walls] == [dt.time(20)] * 4
    assert [w.day for w in walls] == [27, 28, 29, 30]


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="aware"):
        next_at(dt.datetime(2026, 1, 1), "UTC", dt.time(20))
