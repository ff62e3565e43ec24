"""What the triage table flags, as plain calculations (no Django, no clock).

services.summary_refresh feeds this the recent diary and the detector's output
and stores the result in PatientSummary; selectors.triage_rows compares the
stored dates with `cutoffs(today)` so time-dependent flags are never stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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
# A possible new joint is rewritten by every detector run; this only ends the
# flag for a patient who stopped logging while a joint was raised.
POSSIBLE_WINDOW_DAYS = 14
ATYPICAL_ACTIVE_MONTHS = 9  # an episode active this long is past the usual course
ATYPICAL_RISING_MONTHS = 3  # still rising this long after onset is atypical

# Weights of the urgency score: the flags a physician must act on soonest first.
WEIGHTS = {
    "migrated": 50,  # a new joint starting: protecting it early matters
    "atypical": 40,  # rule out osteonecrosis, stress fracture, infection
    "new_joint": 30,
    "worsening": 20,
    # Raised for days, not yet told from an ache: worth a glance, not an alarm,
    # so always below a confirmed migration.
    "possible": 15,
    "stopped": 10,  # the diary is only useful if complete
}
FLAG_LABELS = {
    "migrated": "Migrated",
    "worsening": "Worsening",
    "stopped": "Stopped logging",
    "new_joint": "New joint",
    "atypical": "Atypical course",
    "possible": "Possible new joint",
}


@dataclass(frozen=True)
class EpisodeFacts:
    joint: str
    onset: dt.date
    phase: str
    detected_on: dt.date
    resolved_on: dt.date | None = None


@dataclass(frozen=True)
class MigrationFacts:
    detected_on: dt.date
    acknowledged: bool
    # Why it was flagged, for the dashboard's line under the flag.
    from_joint: str = ""
    to_joint: str = ""
    explanation: str = ""  # the detector's English words
    facts: Mapping | None = None  # detect.MigrationFinding.facts


@dataclass(frozen=True)
class PossibleFacts:
    joint: str
    last_raised: dt.date
    explanation: str = ""
    facts: Mapping | None = None  # detect.EpisodeFinding.facts (possible)


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
    possible_until: dt.date | None = None  # a possible new joint, flagged until
    # Why each flag is up, as facts the dashboard words in the reader's language:
    # {"migrated": {...}, "worsening": {...}, "possible": {...}, "new_joint": {...},
    # "atypical": {"active": {...}, "rising": {...}}}; JSON-ready (ISO dates).
    reasons: dict = field(default_factory=dict)


def is_worsening(pains: Sequence[int]) -> bool:
    """Pain on the last logged days, oldest first: the last three average ≥ 1.5 above the first three."""
    return worsening_rise(pains) is not None


def worsening_rise(pains: Sequence[int]) -> tuple[float, float] | None:
    """(first three, last three) average pain 0-10 of the last logged days if worsening, else None."""
    recent = list(pains)[-TREND_DAYS:]
    if len(recent) < TREND_MIN_DAYS:
        return None
    before, after = sum(recent[:3]) / 3, sum(recent[-3:]) / 3
    return (before, after) if after - before >= WORSENING_RISE else None


def summarise(
    *,
    today: dt.date,
    logged: Sequence[dt.date],
    pain: Mapping[tuple[dt.date, str], int],
    joints: Sequence[str],
    episodes: Sequence[EpisodeFacts],
    migrations: Sequence[MigrationFacts],
    possible: Sequence[PossibleFacts] = (),
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

    rises = {j: r for j in candidates if (r := worsening_rise(series(j)))}
    worsening = bool(rises)
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
    # A joint seen only in hindsight, once it had healed (sore from the diary's
    # first day, taken for its usual level until it settled), is no news.
    news = [
        e
        for e in first_by_joint.values()
        if e.resolved_on is None or e.resolved_on > e.detected_on
    ]
    window = dt.timedelta(days=FLAG_WINDOW_DAYS - 1)
    new_joint_until = max((e.detected_on + window for e in news), default=None)
    migrated_until = max(
        (m.detected_on + window for m in migrations if not m.acknowledged),
        default=None,
    )
    # Oldest first: the longest-running episode is the one past the usual course.
    oldest_active = min(active, key=_onset_order, default=None)
    oldest_rising = min(
        (e for e in active if e.phase == "rising"), key=_onset_order, default=None
    )
    reasons: dict = {}
    if rises:
        # The steepest rise explains the flag.
        joint, (before, after) = max(
            rises.items(),
            key=lambda kv: (kv[1][1] - kv[1][0], -JOINT_ORDER.index(kv[0])),
        )
        reasons["worsening"] = {
            "joint": joint,
            "from_pain": round(before, 1),
            "to_pain": round(after, 1),
            "days": len(recent),
        }
    pending = [m for m in migrations if not m.acknowledged and m.to_joint]
    if pending:
        m = max(pending, key=lambda m: m.detected_on)
        reasons["migrated"] = {
            "from_joint": m.from_joint,
            "to_joint": m.to_joint,
            "explanation": m.explanation,
            "facts": dict(m.facts or {}),
        }
    if possible:
        p = max(possible, key=lambda p: (p.last_raised, -JOINT_ORDER.index(p.joint)))
        reasons["possible"] = {
            "joint": p.joint,
            "count": len(possible),
            "explanation": p.explanation,
            "facts": dict(p.facts or {}),
        }
    if news:
        # The flag lasts from the latest detection, so that joint explains it.
        e = max(news, key=lambda e: (e.detected_on, -JOINT_ORDER.index(e.joint)))
        reasons["new_joint"] = {
            **_joint_onset(e),
            "detected_on": e.detected_on.isoformat(),
        }
    # Months since onset depend on the day the table is read, so only the
    # episodes are stored; the dashboard counts the months and picks the cause.
    atypical = {
        cause: _joint_onset(e)
        for cause, e in (("active", oldest_active), ("rising", oldest_rising))
        if e is not None
    }
    if atypical:
        reasons["atypical"] = atypical
    possible_until = max(
        (p.last_raised + dt.timedelta(days=POSSIBLE_WINDOW_DAYS - 1) for p in possible),
        default=None,
    )
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
        oldest_active_onset=oldest_active.onset if oldest_active else None,
        oldest_rising_onset=oldest_rising.onset if oldest_rising else None,
        urgency=WEIGHTS["worsening"] * worsening + pain_now,
        possible_until=possible_until,
        reasons=reasons,
    )


def _onset_order(e: EpisodeFacts) -> tuple[dt.date, int]:
    return e.onset, JOINT_ORDER.index(e.joint)


def _joint_onset(e: EpisodeFacts) -> dict[str, str]:
    return {"joint": e.joint, "onset": e.onset.isoformat()}


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
