"""Episodes per joint and the migrations between them, from a patient's daily diary.

Pure module: no Django, no clock. Each joint runs its own causal state machine over
the logged days (quiet -> excursion -> episode -> resolved -> quiet), then episodes
are linked into migrations in the order they were detected. Nothing decided on day D
ever looks at data after D, so running on a diary truncated at D gives exactly the
migrations detected up to D.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import compress
from operator import itemgetter

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
START_EXCURSION_MAX_DAYS = 21
# Evidence from before a gap this long is too stale to add to evidence after it.
GAP_RESET_DAYS = 14
# Calendar days of near-baseline readings before an episode counts as healed.
RESOLVE_DAYS = 21
# Quiet readings between baseline updates: often while a joint is new, then
# every twelve weeks of daily logging. A baseline moves slowly, and one that
# follows the last six weeks too eagerly mistook the tail of an ache for it.
START_RECALC_EVERY = 7
RECALC_EVERY = 84
# A joint with no baseline of its own yet (the first weeks of a diary).
START_K = 1.5
START_H = 4.0
START_N = 3
START_PROOF_DAYS = 14
# A joint that flares (arthritic, or flared and settled within the last year).
VOLATILE_K = 2.0
VOLATILE_H = 6.0
VOLATILE_N = 4
# A quiet joint: evidence per reading above QUIET_K (pain points, swelling x1.5)
# must add up to QUIET_H over at least QUIET_N elevated readings spanning QUIET_DAYS.
QUIET_K = 1.5
QUIET_H = 3.0
QUIET_N = 3
QUIET_DAYS = 2
# Calendar days a rise must last before it counts as an episode: arthritic joints
# flare for days, and a joint that flared once may do so again.
CHRONIC_PROOF_DAYS = 21
FLARED_PROOF_DAYS = 10
# A joint that flared once, briefly: a rise that outlasts that flare by this much
# is no repeat of it (one bad day must not slow the next episode by weeks).
FLARE_MARGIN_DAYS = 3
# A patient whose quiet ratings swing (noise, not flares): evidence and days.
NOISY_PROOF_DAYS = 5
NOISY_H = 4.0
# A joint that flared and settled within this many days is treated as volatile.
FLARE_MEMORY_DAYS = 365
# Pain points above baseline, on two readings, for a settled rise to count as a flare.
FLARE_PAIN = 2
# TMO takes months to heal; an "episode" healed sooner than this was a flare.
MIN_COURSE_DAYS = 42
# Episodes starting this close together began together: not one migrating to the other.
TOGETHER_DAYS = 14
# A healed episode can be the source of a migration for a year and a half: TMO
# recurs after quiet periods, a joint that healed a year before among them.
SOURCE_WINDOW_DAYS = 540
# Candidate sources this close in onset to the latest one compete on anatomy.
SOURCE_TIE_DAYS = 21


# Slots: a recompute reads thousands of these, and slot access is the faster.
# (A NamedTuple was tried: unpacking a tuple subclass is twice as slow in 3.11.)
@dataclass(frozen=True, slots=True)
class Reading:
    day: date
    joint: str  # anatomy code, e.g. "left_knee"
    pain: int  # 0-10 patient-reported
    swelling: int  # 0-3


@dataclass(frozen=True)
class EpisodeFinding:
    joint: str
    onset: date  # estimated first day of the rise (first logged day if already active)
    peak: date  # day of the highest smoothed pain so far
    peak_pain: int  # 0-10, median of three readings so one bad day does not count
    phase: str  # "rising" | "peak" | "improving" | "resolved"
    resolved_on: date | None  # first day of the healed stretch
    detected_on: date  # first day the diary justified calling it an episode


@dataclass(frozen=True)
class MigrationFinding:
    from_joint: str
    to_joint: str
    relation: str  # "adjacent" | "contralateral" | "other", from anatomy.relation
    kind: str  # "overlap" (source still healing) | "sequential" (source had healed)
    to_onset: date  # estimated onset of the new joint, from data up to detected_on
    detected_on: date  # first day the diary up to then justified the flag


@dataclass(frozen=True)
class Detection:
    episodes: list[EpisodeFinding]
    migrations: list[MigrationFinding]


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
    resolved_on: int | None = None
    resolved_known: int | None = None  # the day the healing was confirmed
    baseline: float = 0.0
    flare: bool = False  # healed too fast for TMO (known from resolved_known on)
    floor_based: bool = False  # opened before the joint had a baseline of its own
    # (day known, peak day) each time the peak moved: the source test must see the
    # peak as it was on the new episode's detection day, not as it is now.
    peaks: list[tuple[int, int]] = field(default_factory=list)
    # (first day, day it ended) of each stretch back near baseline, open ones ending
    # at _OPEN: the kind test must see the joint as it was on the new detection day.
    quiet: list[tuple[int, int]] = field(default_factory=list)


def detect(
    readings: Iterable[Reading] | Iterable[tuple[date, str, int, int]],
    logged_days: Iterable[date],
) -> Detection:
    """Episodes per joint and the migrations between them; an unlogged day is missing, not zero."""
    # Readings may also be plain (day, joint, pain, swelling) tuples, as a database
    # query returns them; a Reading is such a tuple with names.
    rows = readings if isinstance(readings, list) else list(readings)
    if not rows:
        return Detection([], [])
    days = sorted(logged_days)
    try:
        grids = _grids(rows, days)
    except KeyError:
        # Leniency: a reading proves the patient checked in that day.
        days.extend(row[0] for row in _tuples(rows))
        grids = None
    except (TypeError, ValueError):
        grids = None
    if grids is None:
        # A score out of contract: coerce every score into range, then read again.
        rows = [(d, j, _score(p, 10), _score(s, 3)) for d, j, p, s in _tuples(rows)]
        grids = _grids(rows, sorted(set(days)))
    days, joints, pains, swells = grids
    ords = list(map(date.toordinal, days))
    floor = _Floor(pains)
    tracked: list[tuple[_Ep, list[int], list[int]]] = []
    for joint, pv, sv in zip(joints, pains, swells, strict=True):
        tracked.extend((ep, pv, sv) for ep in _track_joint(joint, ords, pv, sv, floor))
    episodes = [_finish(ep, ords, pv) for ep, pv, _ in tracked]
    episodes.sort(key=lambda e: (e.onset, _joint_sort_key(e.joint)))
    migrations = _link([ep for ep, _, _ in tracked])
    return Detection(episodes, migrations)


def _grids(
    rows: list, days: list[date]
) -> tuple[list[date], list[str], list[list[int]], list[list[int]]]:
    """The logged days, the joints, and per joint its pain and swelling on each day.

    On a logged day, a joint without a reading did not hurt: it reads 0. Raises
    KeyError for a reading on a day not in `days`, TypeError or ValueError for a
    score that is not an integer in range.
    """
    index = dict(zip(days, range(len(days)), strict=True))
    if len(index) != len(days):
        days = sorted(index)
        index = dict(zip(days, range(len(days)), strict=True))
    n = len(days)
    by_joint: dict[str, tuple[bytearray, bytearray]] = {}
    # One plain loop into a byte row per joint: Python 3.11 specialises it, and it
    # beat sets, sorts and map() over getters by a wide margin here. Tuples and
    # Readings each get their own loop: both then run at the specialised speed.
    if type(rows[0]) is tuple:
        for day, joint, pain, swelling in rows:
            at = index[day]
            grid = by_joint.get(joint)
            if grid is None:
                grid = by_joint[joint] = (bytearray(_UNSET) * n, bytearray(n))
            grid[0][at] = pain
            grid[1][at] = swelling
    else:
        for row in rows:
            at = index[row.day]
            grid = by_joint.get(row.joint)
            if grid is None:
                grid = by_joint[row.joint] = (bytearray(_UNSET) * n, bytearray(n))
            grid[0][at] = row.pain
            grid[1][at] = row.swelling
    if sum(n - g[0].count(_UNSET) for g in by_joint.values()) != len(rows):
        # Two entries for one joint on one day: keep the worse of each score, the
        # safe reading for a symptom diary.
        for pain_row, swell_row in by_joint.values():
            pain_row[:] = bytearray(_UNSET) * n
            swell_row[:] = bytearray(n)
        for day, joint, pain, swelling in _tuples(rows):
            pain_row, swell_row = by_joint[joint]
            at = index[day]
            old = pain_row[at]
            pain_row[at] = pain if old == _UNSET[0] else max(old, pain)
            swell_row[at] = max(swell_row[at], swelling)
    joints = sorted(by_joint, key=_joint_sort_key)
    pains = [list(by_joint[j][0].replace(_UNSET, b"\x00")) for j in joints]
    swells = [list(by_joint[j][1]) for j in joints]
    if max(map(max, pains)) > 10 or max(map(max, swells)) > 3:
        raise ValueError("score out of range")
    return days, joints, pains, swells


def _tuples(rows: list) -> Iterable[tuple[date, str, int, int]]:
    """The rows as (day, joint, pain, swelling) tuples, whichever form they came in."""
    for row in rows:
        yield (
            row
            if isinstance(row, tuple)
            else (row.day, row.joint, row.pain, row.swelling)
        )


def _score(value: object, top: int) -> int:
    """An out-of-contract score coerced into 0..top (a bool or float counts as its number)."""
    return min(top, max(0, int(value)))


def _joint_sort_key(joint: str) -> tuple[int, str]:
    return (0 if joint in JOINTS else 1, joint)


def _relation(a: str, b: str) -> str:
    if a in JOINTS and b in JOINTS:
        return relation(a, b)
    return OTHER


# Marks a grid cell no reading has filled; scores never reach 255.
_UNSET = b"\xff"
_MIDDLE = itemgetter(1)
# End of a stretch that had not ended when the diary did.
_OPEN = 10**9


class _Floor:
    """Per logged day, the pain this patient reports for a joint that does not hurt.

    Some patients rate every joint 1-2 on a good day. A joint with no history of its
    own borrows this level, so the habit is not mistaken for an episode. It is the
    lower quartile across joints, its median over the last 15 logged days (causal),
    computed in 7-day blocks and only for the blocks a joint asks about.
    """

    def __init__(self, pains: list[list[int]]) -> None:
        self.pains = pains
        self.q = len(pains) // 4
        self.blocks: dict[int, float] = {}

    def at(self, i: int) -> float:
        """Floor for logged-day index i (0-10 pain points)."""
        start = i - i % 7
        level = self.blocks.get(start)
        if level is None:
            lo = max(0, start - 14)
            q = self.q
            days = zip(*[pv[lo : start + 1] for pv in self.pains], strict=True)
            daily = sorted(map(itemgetter(q), map(sorted, days)))
            level = self.blocks[start] = float(daily[len(daily) // 2])
        return level


def _track_joint(
    joint: str,
    ords: list[int],
    pv: list[int],
    sv: list[int],
    floor: _Floor,
) -> list[_Ep]:
    """Run one joint's causal state machine over the logged days; returns its episodes."""
    n = len(ords)
    # Combined score per reading: the pain, plus weighted swelling on the few days
    # with any (found at C speed); a joint never reported swollen uses its pain list.
    z = pv
    if any(sv):
        z = pv.copy()
        for at in compress(range(n), sv):
            z[at] += SWELL_WEIGHT * sv[at]
    pool_p: deque[int] = deque(maxlen=POOL_SIZE)
    pool_s: deque[int] = deque(maxlen=POOL_SIZE)
    episodes: list[_Ep] = []
    bp = bs = 0.0
    # Until the joint has a baseline of its own it is judged conservatively: a
    # first-day level could be chronic pain as easily as a TMO episode.
    start_mode = True
    volatile = False
    k, h, n_min, d_min = START_K, START_H, START_N, START_PROOF_DAYS
    exc_max = START_EXCURSION_MAX_DAYS
    thr = bp + k  # z at or above this starts an excursion
    # (day it settled, days it was raised) of each of the joint's flares: how long
    # a rise must last before it is more than another flare.
    flares: list[tuple[int, int]] = []
    last_elev = -1
    fresh = 0
    every = START_RECALC_EVERY
    s_cum = 0.0
    exc = -1  # index where the current excursion began, -1 when quiet
    n_elev = 0
    ep: _Ep | None = None

    def recalc(at: int) -> None:
        nonlocal bp, bs, start_mode, volatile, k, h, n_min, d_min, exc_max, fresh, thr
        nonlocal every
        fresh = 0
        size = len(pool_p)
        if size < POOL_MIN:
            return
        every = RECALC_EVERY
        sp = sorted(pool_p)
        bp = float(sp[size // 2])
        bs = float(sorted(pool_s)[size // 2]) if any(pool_s) else 0.0
        spread = sp[(size * 9) // 10] - bp
        start_mode = False
        exc_max = EXCURSION_MAX_DAYS
        # An arthritic joint (high or wandering baseline) or one that recently flared
        # and settled needs longer proof: its flares last days, TMO lasts months.
        # "Aches when the patient's other joints do not" counts as chronic too.
        chronic = bp >= 2.5 or spread >= 3
        if not chronic and (spread >= 2 or bp >= 1.5):
            # Only these need the other joints' level (most quiet joints do not).
            level = bp - floor.at(at)
            chronic = (spread >= 2 and level >= 0.5) or (bp >= 1.5 and level >= 1.5)
        # Quiet days that swing by two points in every joint alike are how this
        # patient rates, not arthritis: a rise needs days, not weeks, to stand out.
        noisy = spread >= 2 and not chronic
        recent = [days for end, days in flares if ords[at] - end <= FLARE_MEMORY_DAYS]
        volatile = chronic or noisy or bool(recent)
        if volatile:
            k, h, n_min = max(VOLATILE_K, spread + 0.5), VOLATILE_H, VOLATILE_N
            if chronic or len(recent) > 1:
                # Flares can come back to back; three weeks of it is no longer a flare.
                d_min = CHRONIC_PROOF_DAYS if chronic else FLARED_PROOF_DAYS
            elif recent:
                # One flare may have been a bad day or two: outlast that, not weeks.
                d_min = min(FLARED_PROOF_DAYS, recent[0] + FLARE_MARGIN_DAYS)
            else:
                # Swinging ratings and no flares: noise, which evidence over a few
                # days outweighs; duration only tells flares from TMO.
                d_min, h = NOISY_PROOF_DAYS, NOISY_H
        else:
            k = max(QUIET_K, spread + 0.5)
            h, n_min, d_min = QUIET_H, QUIET_N, QUIET_DAYS
        thr = bp + SWELL_WEIGHT * bs + k

    i = 0
    while i < n:
        if ep is None and exc < 0:
            # Fast path: most days in most joints are quiet. Check a block of them
            # at C speed and only step through a block that has a raised reading.
            stop = i + every - fresh
            if start_mode:
                # The borrowed baseline changes every 7 days: stay inside one block.
                bp = floor.at(i)
                thr = bp + SWELL_WEIGHT * bs + k
                block_end = i - i % 7 + 7
                if stop > block_end:
                    stop = block_end
            if stop > n:
                stop = n
            j = i
            while max(z[j:stop]) >= thr:
                # Bank the quiet readings before the raised one, then step from it.
                # First raised reading, found at C speed.
                j = z.index(next(filter(thr.__le__, z[j:stop])), j, stop)
                nxt = j + 1
                if not (
                    nxt < stop
                    and z[nxt] < thr
                    and ords[nxt] - ords[j] <= GAP_RESET_DAYS
                    and min(z[j] - thr, EVIDENCE_CAP - k) + z[nxt] - thr <= 0
                ):
                    stop = j
                    break
                # A one-day blip that the next reading cancels dies at once in the
                # step-by-step path and is banked like quiet readings: do it here.
                # Swelling noise makes these common, and stepping was costly.
                j = nxt + 1
                if j >= stop:
                    break
            if stop > i:
                pool_p.extend(pv[i:stop])
                pool_s.extend(sv[i:stop])
                fresh += stop - i
                i = stop
                if fresh >= every:
                    recalc(i - 1)
                    continue
                if i >= n:
                    break
        o = ords[i]
        p = pv[i]
        s = sv[i]
        if ep is None:
            if start_mode:
                bp = floor.at(i)
            e = z[i] - bp - SWELL_WEIGHT * bs
            if exc < 0:
                if e < k:
                    pool_p.append(p)
                    pool_s.append(s)
                    fresh += 1
                    if fresh >= every:
                        recalc(i)
                    i += 1
                    continue
                exc = last_elev = i
                n_elev = 0
                s_cum = 0.0
            elif o - ords[i - 1] > GAP_RESET_DAYS:
                # Evidence from before a long gap is stale: start again from here.
                pool_p.extend(pv[exc:i])
                pool_s.extend(sv[exc:i])
                recalc(i)
                exc = last_elev = i
                n_elev = 0
                s_cum = 0.0
                if e < k:
                    exc = -1
                    continue
            s_cum += (e if e < EVIDENCE_CAP else EVIDENCE_CAP) - k
            # Evidence is capped so a few dramatic days cannot carry a joint that
            # has already settled back: a flare must not pay for later quiet days.
            if s_cum > h + 2.0:
                s_cum = h + 2.0
            if e >= k:
                n_elev += 1
                last_elev = i
            if s_cum <= 0.0:
                # The rise died away within days: noise, a false start, or a flare.
                # Only a marked one (pain 2+ above baseline, twice) makes the joint
                # one that flares; the first wobbles of a slow TMO rise do not.
                pool_p.extend(pv[exc : i + 1])
                pool_s.extend(sv[exc : i + 1])
                fresh += i + 1 - exc
                top = sorted(pv[exc : i + 1])
                if bp >= 1:
                    flared = n_elev >= 2 and top[-2] >= bp + FLARE_PAIN
                else:
                    # A joint that does not ache at all on a good day: two days at
                    # +2 are as likely the start of a slow rise; a flare is higher
                    # or longer.
                    flared = (n_elev >= 2 and top[-2] >= bp + FLARE_PAIN + 1) or (
                        n_elev >= 3 and top[-3] >= bp + FLARE_PAIN
                    )
                if flared:
                    flares.append((o, ords[last_elev] - ords[exc] + 1))
                exc = -1
                s_cum = 0.0
                if flared:
                    recalc(i)
                elif fresh >= every:
                    # A noise blip is banked like any quiet reading; re-sorting the
                    # pool after each one was most of a quiet joint's cost.
                    recalc(i)
            elif (
                s_cum >= h
                and n_elev >= n_min
                and e >= k
                and o - ords[exc] >= d_min
                and _sustained(ords, z, exc, i, o - d_min, bp + SWELL_WEIGHT * bs + k)
                and _level_ok(ords, pv, sv, exc, i, bp, bs, start_mode, volatile)
            ):
                ep = _confirm(joint, ords, z, pv, exc, i, bp + SWELL_WEIGHT * bs)
                ep.floor_based = start_mode
                episodes.append(ep)
                exc = -1
                s_cum = 0.0
                i += 1
                continue
            elif o - ords[exc] > exc_max:
                # Weeks of mild elevation that never looked like an episode: this is
                # the joint's own level (chronic pain, rating habit), learn it.
                pool_p.extend(pv[exc : i + 1])
                pool_s.extend(sv[exc : i + 1])
                exc = -1
                s_cum = 0.0
                recalc(i)
            i += 1
            continue

        # Inside an episode: follow the smoothed course until it has healed.
        i = _follow(ep, i, ords, pv, sv, floor, bp, bs)
        if ep.resolved_known is not None:
            if ep.resolved_on - ep.onset < MIN_COURSE_DAYS:
                # Healed within weeks: that was a flare, not TMO. The joint is one
                # that flares, and this episode is no source of migrations.
                ep.flare = True
                flares.append((ep.resolved_known, ep.resolved_on - ep.onset))
            recalc(i - 1)
        ep = None
    return episodes


def _follow(
    ep: _Ep,
    i: int,
    ords: list[int],
    pv: list[int],
    sv: list[int],
    floor: _Floor,
    bp: float,
    bs: float,
) -> int:
    """Follow an open episode from reading i; returns the index after it healed (or n)."""
    n = len(ords)
    p1 = pv[i - 2] if i >= 2 else pv[i - 1]
    p2 = pv[i - 1]
    s1 = sv[i - 2] if i >= 2 else sv[i - 1]
    s2 = sv[i - 1]
    peak = ep.peak_pain
    floor_based = ep.floor_based
    # Healed: the median of three readings back within a point of baseline, no
    # swelling above baseline, for three weeks.
    quiet_pain = bp + 1
    quiet_swell = bs + 0.5
    streak = -1
    streak_n = 0
    retry_at = 2
    while i < n:
        if streak < 0 and i >= retry_at:
            # Fast path: medians of three for a block at C speed. Days whose median
            # is not near baseline change nothing but the peak: skip them.
            stop = i + 14 if i + 14 < n else n
            low = (max(floor.at(i), floor.at(stop - 1)) if floor_based else bp) + 1
            seg = pv[i - 2 : stop]
            mids = list(
                map(_MIDDLE, map(sorted, zip(seg, seg[1:], seg[2:], strict=False)))
            )
            if min(mids) > low:
                if max(mids) > peak:
                    # Still rising: record each new peak as the day-by-day path would.
                    for j, m in enumerate(mids, i):
                        if m > peak:
                            peak = m
                            ep.peak_pain = m
                            ep.peak_day = ords[j]
                            ep.peaks.append((ords[j], ords[j]))
                skip = stop - i
            else:
                skip = 0
                for m in mids:
                    if m > peak or m <= low:
                        break
                    skip += 1
                retry_at = i + skip + 7
            if skip:
                i += skip
                p1 = pv[i - 2]
                p2 = pv[i - 1]
                s1 = sv[i - 2]
                s2 = sv[i - 1]
                continue
        elif streak >= 0 and i >= retry_at and peak >= quiet_pain and not floor_based:
            # Fast path while healing: a block of quiet days at C speed just
            # lengthens the streak; it ends on the first day that completes it.
            stop = i + 14 if i + 14 < n else n
            seg = pv[i - 2 : stop]
            quiet = (
                max(map(_MIDDLE, map(sorted, zip(seg, seg[1:], seg[2:], strict=False))))
                <= quiet_pain
            )
            if quiet:
                seg = sv[i - 2 : stop]
                quiet = (
                    max(
                        map(
                            _MIDDLE,
                            map(sorted, zip(seg, seg[1:], seg[2:], strict=False)),
                        )
                    )
                    <= quiet_swell
                )
            if not quiet:
                retry_at = i + 7
            else:
                due = ords[streak] + RESOLVE_DAYS
                end = bisect_left(ords, due, i, stop)
                # At least three quiet readings, counting the streak so far.
                end = max(end, i + 2 - streak_n)
                if end < stop:
                    ep.resolved_on = ords[streak]
                    ep.resolved_known = ords[end]
                    ep.baseline = bp
                    ep.quiet.append((ords[streak], _OPEN))
                    return end + 1
                streak_n += stop - i
                i = stop
                if i >= n:
                    break
                p1 = pv[i - 2]
                p2 = pv[i - 1]
                s1 = sv[i - 2]
                s2 = sv[i - 1]
                continue
        p = pv[i]
        s = sv[i]
        if p1 > p2:
            lo, hi = p2, p1
        else:
            lo, hi = p1, p2
        mp = hi if p >= hi else (p if p > lo else lo)
        if mp > peak:
            peak = mp
            ep.peak_pain = mp
            ep.peak_day = ords[i]
            ep.peaks.append((ords[i], ords[i]))
        if mp <= (floor.at(i) + 1 if floor_based else quiet_pain) and (
            sorted((s1, s2, s))[1] <= quiet_swell
        ):
            if streak < 0:
                streak = i
                streak_n = 0
            streak_n += 1
            if streak_n >= 3 and ords[i] - ords[streak] >= RESOLVE_DAYS:
                ep.resolved_on = ords[streak]
                ep.resolved_known = ords[i]
                ep.baseline = floor.at(i) if floor_based else bp
                ep.quiet.append((ords[streak], _OPEN))
                return i + 1
        elif streak >= 0:
            ep.quiet.append((ords[streak], ords[i]))
            streak = -1
        p1 = p2
        p2 = p
        s1 = s2
        s2 = s
        i += 1
    if streak >= 0:
        ep.quiet.append((ords[streak], _OPEN))
    return n


def _sustained(
    ords: list[int], z: list[float], lo: int, i: int, since: int, thr: float
) -> bool:
    """Were at least three quarters of the readings since day `since` raised (z >= thr)?"""
    first = bisect_left(ords, since, lo, i + 1)
    high = sum(map(thr.__le__, z[first : i + 1]))
    return high * 4 >= (i + 1 - first) * 3


def _week_median(
    ords: list[int], pv: list[int], sv: list[int], lo: int, i: int
) -> tuple[int, int]:
    """Median pain and swelling of the readings in the last seven days up to i."""
    since = ords[i] - 7
    j = i
    while j > lo and ords[j - 1] >= since:
        j -= 1
    mid = (i + 1 - j) // 2
    return sorted(pv[j : i + 1])[mid], sorted(sv[j : i + 1])[mid]


def _level_ok(
    ords: list[int],
    pv: list[int],
    sv: list[int],
    lo: int,
    i: int,
    bp: float,
    bs: float,
    start_mode: bool,
    volatile: bool,
) -> bool:
    """Is the recent level clinically an episode (pain up, or milder pain with swelling)?"""
    if start_mode:
        # No baseline of its own yet: demand a typical TMO level over the whole run:
        # pain with swelling, which is what TMO does and an arthritic knee at 2-5
        # with the odd swollen flare day does not; pain alone only if very high (a
        # patient who rates everything high made the knee an episode at +5), and
        # a patient who rates everything low may put a swollen TMO joint at 2-3...
        mid = (i + 1 - lo) // 2
        pain = sorted(pv[lo : i + 1])[mid]
        swell = sorted(sv[lo : i + 1])[mid]
        if not (pain >= bp + 6 or (pain >= bp + 2 and swell >= 1)):
            return False
        # ... and still there this week: a flare at the start has settled by now.
        mp, ms = _week_median(ords, pv, sv, lo, i)
        return mp >= bp + 5 or (mp >= bp + 2 and ms >= 1)
    if volatile:
        # A joint that flares: judge the last week, not the last three readings.
        mp, ms = _week_median(ords, pv, sv, lo, i)
        return mp - bp >= 3 or (mp - bp >= 2 and ms - bs >= 1)
    mp = sorted(pv[i - 2 : i + 1])[1]
    ms = sorted(sv[i - 2 : i + 1])[1]
    # Pain clearly up, or (a partial-joint episode) pain a little up with swelling:
    # swelling is the strong sign, so a point of pain with it is enough.
    return mp >= bp + 2 or (mp >= bp + 1 and ms >= bs + 1)


def _confirm(
    joint: str,
    ords: list[int],
    z: list[float] | list[int],
    pv: list[int],
    exc: int,
    i: int,
    base: float,
) -> _Ep:
    """Open an episode at reading i; its onset is walked back from data up to i only."""
    peak_i = max(range(exc, i + 1), key=pv.__getitem__)
    # Walk back past readings still a little above baseline: the rise began before
    # the first clearly raised reading.
    j = exc - 1
    while j >= 0 and z[j] - base >= 1.0:
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
        peak_pain=pv[peak_i],
        start_index=exc,
        baseline=base,
        peaks=[(ords[i], ords[peak_i])],
    )


def _finish(ep: _Ep, ords: list[int], pv: list[int]) -> EpisodeFinding:
    """The public view of an episode, its phase judged on all the data."""
    if ep.resolved_on is not None:
        phase = RESOLVED
    else:
        last = ords[-1]
        recent: list[int] = []
        before: list[int] = []
        j = len(ords) - 1
        while j >= ep.start_index and ords[j] > last - 14:
            (recent if ords[j] > last - 7 else before).append(pv[j])
            j -= 1
        level = sum(recent) / len(recent) if recent else 0.0
        prev = sum(before) / len(before) if before else level
        excess = ep.peak_pain - ep.baseline
        if level >= prev + 0.75 and last - ep.peak_day <= 7:
            phase = RISING
        elif level >= ep.peak_pain - max(1.0, 0.2 * excess):
            phase = PEAK
        else:
            phase = IMPROVING
    return EpisodeFinding(
        joint=ep.joint,
        onset=date.fromordinal(ep.onset),
        peak=date.fromordinal(ep.peak_day),
        peak_pain=ep.peak_pain,
        phase=phase,
        resolved_on=(
            date.fromordinal(ep.resolved_on) if ep.resolved_on is not None else None
        ),
        detected_on=date.fromordinal(ep.detected),
    )


def _peak_as_of(ep: _Ep, day: int) -> int:
    """The episode's peak day as it was known on `day` (ordinal)."""
    peak = ep.peaks[0][1]
    for known, peak_day in ep.peaks:
        if known > day:
            break
        peak = peak_day
    return peak


def _link(episodes: list[_Ep]) -> list[MigrationFinding]:
    """Migrations, deciding each new episode's source with what was known on its detection day."""
    order = sorted(episodes, key=lambda e: (e.detected, _joint_sort_key(e.joint)))
    migrations: list[MigrationFinding] = []
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
            healed = (
                old.resolved_known is not None and old.resolved_known <= new.detected
            )
            if healed and old.flare:
                continue
            if healed and old.resolved_on < new.onset - SOURCE_WINDOW_DAYS:
                continue
            # TMO moves on once a joint has peaked; a joint still climbing when the
            # new one began is a joint that started with it.
            if not healed and _peak_as_of(old, new.detected) >= new.onset:
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
        # Sequential when the source was already back near its baseline at the new
        # onset and stayed there up to the detection day: a joint that has settled
        # but not yet been quiet the three weeks that confirm healing counts too.
        settled = any(
            start <= new.onset and end > new.detected for start, end in source.quiet
        )
        kind = SEQUENTIAL if settled else OVERLAP
        migrations.append(
            MigrationFinding(
                from_joint=source.joint,
                to_joint=new.joint,
                relation=_relation(source.joint, new.joint),
                kind=kind,
                to_onset=date.fromordinal(new.onset),
                detected_on=date.fromordinal(new.detected),
            )
        )
    return migrations
