"""Episodes per joint and the migrations between them, from a patient's daily diary.

Pure module: no Django, no clock. Each joint runs its own causal state machine over
the logged days (quiet -> excursion -> episode -> resolved -> quiet), then episodes
are linked into migrations in the order they were detected. Nothing decided on day D
ever looks at data after D, so running on a diary truncated at D gives exactly the
migrations detected up to D.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from apps.diary.anatomy import JOINTS, OTHER, relation

RISING = "rising"
PEAK = "peak"
IMPROVING = "improving"
RESOLVED = "resolved"
OVERLAP = "overlap"
SEQUENTIAL = "sequential"

# One point of swelling (0-3) counts like 1.5 points of pain: swelling is the sign
# that separates a mild partial-joint episode (pain 3-4) from everyday aches.
SWELL_WEIGHT = 1.5
# Per-reading evidence is capped so one dramatic day cannot make an episode alone.
EVIDENCE_CAP = 5.0
# Quiet readings remembered per joint for its baseline: six weeks of daily logging.
POOL_SIZE = 42
# A joint needs this many quiet readings before its own baseline is trusted.
POOL_MIN = 10
# Candidate rise older than this without qualifying is how the joint just is.
EXCURSION_MAX_DAYS = 28
START_EXCURSION_MAX_DAYS = 14
# Evidence from before a gap this long is too stale to add to evidence after it.
GAP_RESET_DAYS = 14
# Calendar days of near-baseline readings before an episode counts as healed.
RESOLVE_DAYS = 21
# A joint that flared and settled within this many days is treated as volatile.
FLARE_MEMORY_DAYS = 365
# Episodes starting this close together began together: not one migrating to the other.
TOGETHER_DAYS = 14
# A healed episode can be the source of a migration for about a year.
SOURCE_WINDOW_DAYS = 365
# Candidate sources this close in onset to the latest one compete on anatomy.
SOURCE_TIE_DAYS = 21


@dataclass(frozen=True)
class Reading:
    day: date
    joint: str  # anatomy code, e.g. "left_knee"
    pain: int  # 0-10 patient-reported
    swelling: int  # 0-3


@dataclass(frozen=True)
class Episode:
    joint: str
    onset: date  # estimated first day of the rise (first logged day if already active)
    peak: date  # day of the highest smoothed pain so far
    peak_pain: int  # 0-10, median of three readings so one bad day does not count
    phase: str  # "rising" | "peak" | "improving" | "resolved"
    resolved_on: date | None  # first day of the healed stretch
    detected_on: date  # first day the diary justified calling it an episode


@dataclass(frozen=True)
class JointMigration:
    from_joint: str
    to_joint: str
    relation: str  # "adjacent" | "contralateral" | "other", from anatomy.relation
    kind: str  # "overlap" (source still healing) | "sequential" (source had healed)
    to_onset: date  # estimated onset of the new joint, from data up to detected_on
    detected_on: date  # first day the diary up to then justified the flag


@dataclass(frozen=True)
class Detection:
    episodes: list[Episode]
    migrations: list[JointMigration]


@dataclass
class _Ep:
    """An episode while it is being tracked; day fields are ordinals."""

    joint: str
    onset: int
    detected: int
    censored: bool  # already active on the diary's first day: its true start is unknown
    peak_day: int
    peak_pain: int
    start_index: int
    end_index: int = -1
    resolved_on: int | None = None
    resolved_known: int | None = None  # the day the healing was confirmed
    baseline: float = 0.0


def detect(readings: Iterable[Reading], logged_days: Iterable[date]) -> Detection:
    """Episodes per joint and the migrations between them; an unlogged day is missing, not zero."""
    day_set = set(logged_days)
    per_joint: dict[str, dict[date, tuple[int, int]]] = {}
    for r in readings:
        values = per_joint.get(r.joint)
        if values is None:
            values = per_joint[r.joint] = {}
        pain = min(10, max(0, int(r.pain)))
        swelling = min(3, max(0, int(r.swelling)))
        old = values.get(r.day)
        if old is not None:
            # Two entries for one joint on one day: keep the worse, the safe reading.
            pain, swelling = max(pain, old[0]), max(swelling, old[1])
        values[r.day] = (pain, swelling)
    for values in per_joint.values():
        # Leniency: a reading proves the patient checked in that day.
        day_set.update(values)
    days = sorted(day_set)
    if not days:
        return Detection([], [])
    ords = [d.toordinal() for d in days]
    zero = (0, 0)
    tracked: list[tuple[_Ep, list[tuple[int, int]]]] = []
    for joint in sorted(per_joint, key=_joint_sort_key):
        got = per_joint[joint].get
        vals = [got(d, zero) for d in days]
        tracked.extend((ep, vals) for ep in _track_joint(joint, ords, vals))
    episodes = [_finish(ep, ords, vals) for ep, vals in tracked]
    episodes.sort(key=lambda e: (e.onset, _joint_sort_key(e.joint)))
    migrations = _link([ep for ep, _ in tracked])
    return Detection(episodes, migrations)


def _joint_sort_key(joint: str) -> tuple[int, str]:
    info = JOINTS.get(joint)
    return (0 if info else 1, joint)


def _relation(a: str, b: str) -> str:
    if a in JOINTS and b in JOINTS:
        return relation(a, b)
    return OTHER


def _median3(a: int, b: int, c: int) -> int:
    if a > b:
        a, b = b, a
    return b if b <= c else (c if c > a else a)


def _track_joint(joint: str, ords: list[int], vals: list[tuple[int, int]]) -> list[_Ep]:
    """Run one joint's state machine over the logged days; returns its episodes."""
    n = len(ords)
    pool_p: deque[int] = deque(maxlen=POOL_SIZE)
    pool_s: deque[int] = deque(maxlen=POOL_SIZE)
    episodes: list[_Ep] = []
    bp = bs = 0.0
    # Until the joint has a baseline of its own it is judged conservatively: a
    # first-day level could be chronic pain as easily as a TMO episode.
    start_mode = True
    volatile = False
    k, h, n_min, d_min, exc_max = 1.5, 4.0, 3, 10, START_EXCURSION_MAX_DAYS
    last_flare = -(10**9)
    fresh = 0
    s_cum = 0.0
    exc = -1  # index where the current excursion began, -1 when quiet
    n_elev = 0
    ep: _Ep | None = None
    # Episode tracking state.
    p1 = p2 = s1 = s2 = 0
    streak = -1
    streak_n = 0

    def recalc(today: int) -> None:
        nonlocal bp, bs, start_mode, volatile, k, h, n_min, d_min, exc_max, fresh
        fresh = 0
        size = len(pool_p)
        if size < POOL_MIN:
            return
        sp = sorted(pool_p)
        bp = float(sp[size // 2])
        bs = float(sorted(pool_s)[size // 2])
        spread = sp[(size * 9) // 10] - bp
        start_mode = False
        # An arthritic joint (high or wandering baseline) or one that recently flared
        # and settled needs longer proof: its flares last days, TMO lasts months.
        volatile = spread >= 2 or bp >= 2.5 or today - last_flare <= FLARE_MEMORY_DAYS
        if volatile:
            k, h, n_min, d_min = max(2.0, spread + 0.5), 6.0, 4, 10
        else:
            k, h, n_min, d_min = max(1.5, spread + 0.5), 3.0, 3, 2
        exc_max = EXCURSION_MAX_DAYS

    def absorb(lo: int, hi: int) -> None:
        for p, s in vals[lo:hi]:
            pool_p.append(p)
            pool_s.append(s)

    for i in range(n):
        o = ords[i]
        p, s = vals[i]
        if ep is None:
            e = (p - bp) + SWELL_WEIGHT * (s - bs)
            if exc < 0:
                if e < k:
                    pool_p.append(p)
                    pool_s.append(s)
                    fresh += 1
                    if fresh >= 7:
                        recalc(o)
                    continue
                exc = i
                n_elev = 0
                s_cum = 0.0
            elif o - ords[i - 1] > GAP_RESET_DAYS:
                absorb(exc, i)
                recalc(o)
                if e < k:
                    exc = -1
                    s_cum = 0.0
                    pool_p.append(p)
                    pool_s.append(s)
                    continue
                exc = i
                n_elev = 0
                s_cum = 0.0
            s_cum += (e if e < EVIDENCE_CAP else EVIDENCE_CAP) - k
            if e >= k:
                n_elev += 1
            if s_cum <= 0.0:
                # The rise died away within days: a flare or noise, not TMO.
                if n_elev >= 2:
                    last_flare = o
                absorb(exc, i + 1)
                exc = -1
                s_cum = 0.0
                recalc(o)
                continue
            if (
                s_cum >= h
                and n_elev >= n_min
                and e >= k
                and o - ords[exc] >= d_min
                and _level_ok(vals, exc, i, bp, bs, start_mode)
            ):
                ep = _confirm(joint, ords, vals, exc, i, bp, bs, k)
                episodes.append(ep)
                p1, s1 = vals[i - 1] if i >= 1 else (p, s)
                p2, s2 = p, s
                streak = -1
                streak_n = 0
                exc = -1
                s_cum = 0.0
            elif o - ords[exc] > exc_max:
                # Weeks of mild elevation that never looked like an episode: this is
                # the joint's own level (chronic pain, rating habit), learn it.
                if n_elev >= 2:
                    last_flare = o
                absorb(exc, i + 1)
                exc = -1
                s_cum = 0.0
                recalc(o)
            continue

        # Inside an episode: follow the smoothed course until it has healed.
        mp = _median3(p1, p2, p)
        ms = _median3(s1, s2, s)
        p1, p2, s1, s2 = p2, p, s2, s
        if mp > ep.peak_pain:
            ep.peak_pain = mp
            ep.peak_day = o
        if mp <= bp + 1 and ms <= bs + 0.5:
            if streak < 0:
                streak = i
                streak_n = 0
            streak_n += 1
            if streak_n >= 3 and o - ords[streak] >= RESOLVE_DAYS:
                ep.resolved_on = ords[streak]
                ep.resolved_known = o
                ep.end_index = i
                ep = None
                streak = -1
                recalc(o)
        else:
            streak = -1
    return episodes


def _level_ok(
    vals: list[tuple[int, int]], lo: int, i: int, bp: float, bs: float, start_mode: bool
) -> bool:
    """Is the recent level clinically an episode (pain up, or milder pain with swelling)?"""
    if start_mode:
        # No baseline yet: demand a typical TMO level over the whole run, so an
        # arthritic knee at 2-4 with one flare is not taken for an episode.
        run = sorted(vals[lo : i + 1])
        mid = run[len(run) // 2]
        swell = sorted(s for _, s in vals[lo : i + 1])[len(run) // 2]
        return mid[0] >= bp + 4 or (mid[0] >= bp + 3 and swell >= bs + 1)
    a, b, c = vals[i - 2], vals[i - 1], vals[i]
    mp = _median3(a[0], b[0], c[0])
    ms = _median3(a[1], b[1], c[1])
    return mp - bp >= 2 or (mp - bp >= 1 and ms - bs >= 1)


def _confirm(
    joint: str,
    ords: list[int],
    vals: list[tuple[int, int]],
    exc: int,
    i: int,
    bp: float,
    bs: float,
    k: float,
) -> _Ep:
    """Open an episode at reading i; its onset is walked back from data up to i only."""
    peak_pain = max(p for p, _ in vals[exc : i + 1])
    peak_i = max(range(exc, i + 1), key=lambda j: vals[j][0])
    # Walk back past readings still a little above baseline: the rise began before
    # the first clearly elevated reading.
    j = exc - 1
    while j >= 0 and (vals[j][0] - bp) + SWELL_WEIGHT * (vals[j][1] - bs) >= 1.0:
        j -= 1
    first = j + 1
    censored = j < 0
    if censored:
        onset = ords[0]
    elif ords[first] - ords[j] > 3:
        # The rise began somewhere in a gap in the diary: take the middle.
        onset = (ords[j] + ords[first] + 1) // 2
    else:
        onset = ords[j] + 1
    return _Ep(
        joint=joint,
        onset=onset,
        detected=ords[i],
        censored=censored,
        peak_day=ords[peak_i],
        peak_pain=peak_pain,
        start_index=exc,
        baseline=bp,
    )


def _finish(ep: _Ep, ords: list[int], vals: list[tuple[int, int]]) -> Episode:
    """The public view of an episode, its phase judged on all the data."""
    if ep.resolved_on is not None:
        phase = RESOLVED
    else:
        lo = ep.start_index
        last = ords[-1]
        recent = [vals[j][0] for j in range(len(ords) - 1, lo - 1, -1) if ords[j] > last - 7]
        before = [
            vals[j][0]
            for j in range(len(ords) - 1, lo - 1, -1)
            if last - 14 < ords[j] <= last - 7
        ]
        level = sum(recent) / len(recent) if recent else 0.0
        prev = sum(before) / len(before) if before else level
        excess = ep.peak_pain - ep.baseline
        if level >= prev + 0.75 and last - ep.peak_day <= 7:
            phase = RISING
        elif level >= ep.peak_pain - max(1.0, 0.2 * excess):
            phase = PEAK
        else:
            phase = IMPROVING
    peak_pain = min(10, max(0, ep.peak_pain))
    return Episode(
        joint=ep.joint,
        onset=date.fromordinal(ep.onset),
        peak=date.fromordinal(ep.peak_day),
        peak_pain=peak_pain,
        phase=phase,
        resolved_on=date.fromordinal(ep.resolved_on) if ep.resolved_on is not None else None,
        detected_on=date.fromordinal(ep.detected),
    )


def _link(episodes: list[_Ep]) -> list[JointMigration]:
    """Migrations, deciding each new episode's source with what was known on its detection day."""
    order = sorted(episodes, key=lambda e: (e.detected, _joint_sort_key(e.joint)))
    migrations: list[JointMigration] = []
    for idx, new in enumerate(order):
        if new.censored:
            # Already active when the diary began: no way to tell what came first.
            continue
        candidates = []
        for old in order[:idx] + [
            e for e in order[idx + 1 :] if e.detected == new.detected
        ]:
            if old.joint == new.joint or old is new:
                continue
            # A censored source began at least on the first day, maybe long before.
            gap = TOGETHER_DAYS // 2 if old.censored else TOGETHER_DAYS
            if old.onset > new.onset - gap:
                continue
            healed = old.resolved_known is not None and old.resolved_known <= new.detected
            if healed and old.resolved_on < new.onset - SOURCE_WINDOW_DAYS:
                continue
            candidates.append((old, healed))
        if not candidates:
            continue
        latest = max(old.onset for old, _ in candidates)
        close = [c for c in candidates if c[0].onset >= latest - SOURCE_TIE_DAYS]
        source, healed = max(
            close,
            key=lambda c: (
                _relation(c[0].joint, new.joint) != OTHER,
                not c[1],
                c[0].onset,
                c[0].joint,
            ),
        )
        kind = SEQUENTIAL if healed and source.resolved_on <= new.onset else OVERLAP
        migrations.append(
            JointMigration(
                from_joint=source.joint,
                to_joint=new.joint,
                relation=_relation(source.joint, new.joint),
                kind=kind,
                to_onset=date.fromordinal(new.onset),
                detected_on=date.fromordinal(new.detected),
            )
        )
    return migrations
