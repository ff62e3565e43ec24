"""What the triage table flags, as plain calculations (no Django, no clock).

services.summary_refresh feeds this the recent diary and the detector's output
and stores the result in PatientSummary; selectors.triage_rows compares the
stored dates with `cutoffs(today)` so time-dependent flags are never stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from apps.dashboard.figures import add_months
from apps.diary.anatomy import JOINT_ORDER

SPARK_DAYS = 28
TREND_DAYS = 7  # "worsening" looks at the last 7 logged days
# Pain up by this much (0-10 scale) from the first three to the last three of those
# days. Averaging three days each keeps a single bad day (±1) from flagging, while
# an episode building over weeks (docs/clinical.md) rises about this much per week.
WORSENING_RISE = 1.5
TREND_MIN_DAYS = 6
FLAG_WINDOW_DAYS = 30  # migrated / new joint stay flagged this long after detection
ATYPICAL_ACTIVE_MONTHS = 9  # an episode active this long is past the usual course
ATYPICAL_RISING_MONTHS = 3  # still rising this long after onset is atypical

# Weights of the urgency score: the flags a physician must act on soonest first.
WEIGHTS = {
    "migrated": 50,  # a new joint starting: protecting it early matters
    "atypical": 40,  # rule out osteonecrosis, stress fracture, infection
    "new_joint": 30,
    "worsening": 20,
    "stopped": 10,  # the diary is only useful if complete
}
FLAG_LABELS = {
    "migrated": "Migrated",
    "worsening": "Worsening",
    "stopped": "Stopped logging",
    "new_joint": "New joint",
    "atypical": "Atypical course",
}


@dataclass(frozen=True)
class EpisodeFacts:
    joint: str
    onset: dt.date
    phase: str
    detected_on: dt.date


@dataclass(frozen=True)
class MigrationFacts:
    detected_on: dt.date
    acknowledged: bool


@dataclass(frozen=True)
class Summary:
    last_checkin: dt.date | None
    worst_joint: str | None
    sparkline: list[int | None]  # SPARK_DAYS values ending today
    pain_now: int
    worsening: bool
    phase: str
    episode_onset: dt.date | None
    migrated_until: dt.date | None
    new_joint_until: dt.date | None
    oldest_active_onset: dt.date | None
    oldest_rising_onset: dt.date | None
    urgency: int  # time-independent part: worsening weight + current pain 0-10


def is_worsening(pains: Sequence[int]) -> bool:
    """Pain on the last logged days, oldest first: the last three average ≥ 1.5 above the first three."""
    recent = list(pains)[-TREND_DAYS:]
    if len(recent) < TREND_MIN_DAYS:
        return False
    return sum(recent[-3:]) / 3 - sum(recent[:3]) / 3 >= WORSENING_RISE


def summarise(
    *,
    today: dt.date,
    logged: Sequence[dt.date],
    pain: Mapping[tuple[dt.date, str], int],
    joints: Sequence[str],
    episodes: Sequence[EpisodeFacts],
    migrations: Sequence[MigrationFacts],
) -> Summary:
    """The triage facts for one patient.

    logged: logged days, at least the last TREND_DAYS and all of the last
    SPARK_DAYS; pain: (day, joint) → 0-10, a logged day without a key is 0.
    """
    logged_set = set(logged)
    recent = sorted(d for d in logged_set if d <= today)[-TREND_DAYS:]
    active = [e for e in episodes if e.phase != "resolved"]
    candidates = [
        j for j in JOINT_ORDER if j in set(joints) | {e.joint for e in episodes}
    ]

    def series(joint: str) -> list[int]:
        return [pain.get((d, joint), 0) for d in recent]

    worsening = any(is_worsening(series(j)) for j in candidates)
    active_joints = {e.joint for e in active}
    worst = None
    if candidates:
        # Highest recent pain; on a tie prefer a joint in an active episode, then
        # the catalogue order (lower limbs first).
        worst = max(
            candidates,
            key=lambda j: (
                sum(series(j)),
                j in active_joints,
                -JOINT_ORDER.index(j),
            ),
        )
    spark_days = [today - dt.timedelta(days=i) for i in range(SPARK_DAYS - 1, -1, -1)]
    spark = [
        pain.get((d, worst), 0) if d in logged_set and worst else None
        for d in spark_days
    ]
    pain_now = pain.get((recent[-1], worst), 0) if recent and worst else 0

    current = max(active or episodes, key=lambda e: e.onset, default=None)
    first_by_joint: dict[str, EpisodeFacts] = {}
    for e in sorted(episodes, key=lambda e: e.onset):
        first_by_joint.setdefault(e.joint, e)
    window = dt.timedelta(days=FLAG_WINDOW_DAYS - 1)
    new_joint_until = max(
        (e.detected_on + window for e in first_by_joint.values()), default=None
    )
    migrated_until = max(
        (m.detected_on + window for m in migrations if not m.acknowledged),
        default=None,
    )
    rising = [e.onset for e in active if e.phase == "rising"]
    return Summary(
        last_checkin=max(logged_set, default=None),
        worst_joint=worst,
        sparkline=spark,
        pain_now=pain_now,
        worsening=worsening,
        phase=current.phase if current else "",
        episode_onset=current.onset if current else None,
        migrated_until=migrated_until,
        new_joint_until=new_joint_until,
        oldest_active_onset=min((e.onset for e in active), default=None),
        oldest_rising_onset=min(rising, default=None),
        urgency=WEIGHTS["worsening"] * worsening + pain_now,
    )


@dataclass(frozen=True)
class Cutoffs:
    """Flag boundaries for one `today`: a stored date on the flagged side raises the flag."""

    today: dt.date
    stopped_before: dt.date  # last check-in earlier than this: stopped logging
    active_onset_by: dt.date  # active episode with onset on/before this: atypical
    rising_onset_by: dt.date  # still rising with onset on/before this: atypical


def cutoffs(*, today: dt.date, stopped_logging_days: int) -> Cutoffs:
    """Boundaries: N full days without a check-in (today is not over yet), 9 and 3 months."""
    return Cutoffs(
        today=today,
        stopped_before=today - dt.timedelta(days=stopped_logging_days),
        active_onset_by=add_months(today, -ATYPICAL_ACTIVE_MONTHS),
        rising_onset_by=add_months(today, -ATYPICAL_RISING_MONTHS),
    )
