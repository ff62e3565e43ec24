"""Figure inputs (the pure Course of apps.dashboard.figures) for tests and benchmarks."""

from __future__ import annotations

import datetime as dt

from apps.dashboard.figures import Course, EpisodeSpan, EventMark, MigrationMark


def year_of_four_joints(today: dt.date = dt.date(2026, 6, 30)) -> Course:
    """A dense year: four joints logged 9 days in 10, episodes, migrations, events."""
    start = today - dt.timedelta(days=364)
    joints = ("left_hip", "right_hip", "left_knee", "left_ankle")
    logged = frozenset(start + dt.timedelta(days=i) for i in range(365) if i % 10 != 3)
    readings = {
        (d, j): ((d.toordinal() * 7 + k) % 11, (d.toordinal() + k) % 4)
        for d in logged
        for k, j in enumerate(joints)
    }
    phases = ("resolved", "improving", "peak", "rising")
    episodes = tuple(
        EpisodeSpan(
            j,
            start + dt.timedelta(days=80 * k + 10),
            start + dt.timedelta(days=80 * k + 45),
            phase,
            resolved_on=start + dt.timedelta(days=80 * k + 70)
            if phase == "resolved"
            else None,
        )
        for k, (j, phase) in enumerate(zip(joints, phases, strict=True))
    )
    migrations = tuple(
        MigrationMark(
            a,
            b,
            start + dt.timedelta(days=80 * k + 90),
            start + dt.timedelta(days=80 * k + 100),
        )
        for k, (a, b) in enumerate(zip(joints, joints[1:], strict=False))
    )
    events = tuple(
        EventMark(start + dt.timedelta(days=d), label)
        for d, label in ((30, "MRI L hip"), (40, "Crutches"), (200, "X-ray"))
    )
    return Course(
        start=start,
        today=today,
        joints=joints,
        logged=logged,
        readings=readings,
        episodes=episodes,
        migrations=migrations,
        events=events,
    )
