"""Episodes per joint and the migrations between them, from a patient's daily diary.

Pure module: no Django, no clock.

The model. A joint that starts reading above its own baseline is either starting a
TMO episode, pain and swelling that build over weeks and last months (maximum
within 4-8 weeks and 3-9 months in all: Ann Rehabil Med 2011, Kotwal et al. 2019),
or having a transient: a short ache (a bumped hand, a shoulder strained on
crutches: one to a few days) or, in an arthritic joint, a flare of days to two
weeks (a joint not yet known to flare may be arthritic too, and a transient that
jumps far above baseline overnight may be its flare). Each raised stretch of a
joint is a candidate, and a sequential test weighs the two explanations reading
by reading:

    evidence = log P(readings | TMO rise) - log P(readings | transient)

in two parts. Persistence: a transient keeps the joint raised for D days, D drawn
from how long aches (or, in an arthritic joint, flares) last, and after that the
joint reads as usual; a TMO rise stays. So a raised reading past the usual length
of an ache is strong evidence, a quiet one counter-evidence, and a stretch with
no readings (a holiday) is neither. Level: aches reach pain 2-5 with little or no
swelling, so marked swelling or very high pain in the latest two readings is
evidence too. The candidate becomes an episode once the evidence reaches CONFIRM
(odds of about 100:1) and is dismissed once the transient has plainly ended.

An episode in joint B is a migration from an earlier episode in A. A neighbour of
A (the adjacent joint, or the same joint on the other side) is flagged as soon as
B is an episode; any other joint needs FAR_PRIOR more evidence, because TMO moves
to a neighbour far more often than anywhere else (lower limbs in 54 of 56
patients, spreading proximal to distal or to the other side: Ann Intern Med 1987).
A candidate still open at the end of the diary whose evidence already leans to
TMO is a possible new joint: shown, never emailed, gone once the joint settles.

Causal: every decision on day D uses data up to D only, so the diary cut at D
gives exactly the migrations whose detected_on is on or before D.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from operator import itemgetter

from apps.diary.anatomy import JOINTS, OTHER, relation

RISING = "rising"
PEAK = "peak"
IMPROVING = "improving"
RESOLVED = "resolved"
OVERLAP = "overlap"
SEQUENTIAL = "sequential"
CONFIRMED = "confirmed"
POSSIBLE = "possible"

# A reading is raised when pain plus swelling grades stand this far above the
# joint's baseline: out of reach of ±1 rating noise. Patients whose quiet days
# swing more get their own margin (half a point above their usual swing).
RAISED = 1.5
# Readings this far above baseline just before the first raised one are taken as
# the rise's first days when estimating its onset.
SLIGHT = 1.0
# So many such readings running, just before days without a diary, were a rise's
# first days (one or two are rating noise).
SLIGHT_RUN = 5
# A joint's baseline: the median of its last six weeks of quiet readings, updated
# every four weeks of them; until it has a week of its own it borrows the
# patient's floor (the level this patient gives a joint that does not hurt).
POOL_SIZE = 42
POOL_MIN = 7
REFRESH_EVERY = 28
# A joint that hurts this much on its quiet days, whose quiet days average this
# far above the patient's other joints (the floor's mean level), or that flared
# twice within a year, is arthritic: its transients are flares, not aches. Means,
# not medians: for a patient who rates only in even numbers a median flips
# between 0 and 2. (A wide swing on quiet days is no sign of it: patients who
# rate loosely swing in every joint, and their own margin and ordinary rate take
# care of that.)
ARTHRITIC_PAIN = 3
ARTHRITIC_LEVEL = 1.5
ARTHRITIC_FLARES = 2
FLARE_MEMORY_DAYS = 365

# The sequential test, in natural-log odds of TMO against a transient.
CONFIRM = 4.6  # about 100:1
DISMISS = -3.0  # the transient has ended, about 20:1
FAR_PRIOR = 3.0  # a neighbour is about 20 times likelier than any one other joint
LEANING = 0.0  # an open candidate at least even: a possible new joint
# How a reading behaves under each hypothesis: raised while TMO builds (a slow rise
# still dips into the noise now and then), raised while a transient lasts, and
# raised after it ended (noise, or another ache; an arthritic joint flares again).
P_RAISED_TMO = 0.85
P_RAISED_BUMP = 0.9
P_RAISED_AFTER = 0.03
P_RAISED_AFTER_FLARING = 0.1
# The ordinary rate is a prior worth this many readings, updated by the pool's.
RATE_PRIOR_READINGS = 20
# A transient may have begun at the first, second or third raised reading of the
# candidate's first week (an ordinary day that read raised can come first).
START_WEIGHTS = (0.8, 0.15, 0.05)
START_WINDOW_DAYS = 7
# How long transients last, in days: aches 1-3 (now and then 4); an arthritic joint's
# flares up to two weeks (FLARE_SHARE of its transients), and it can ache too.
# Its ordinary level also wanders for weeks (SHIFT_SHARE of its transients never
# end within the test), so however long it stays raised proves little on its own:
# the persistence evidence tops out near log(1 / SHIFT_SHARE), and the rest must
# come from what TMO does and arthritis does not, marked swelling or very high pain.
# An ache now and then lingers for a week or more (a strain that is walked on), at
# moderate pain and without swelling: the tail past the usual few days keeps such
# an ache a transient, so that staying raised a week is not taken for a rise by
# itself; a TMO rise outlasts the tail, and its swelling and climbing pain add the
# level evidence that an ache lacks. The tail is an ache of its own kind, one that
# hardly swells: swollen readings while it would last are less likely under it
# than under a short ache (LINGERING_SWOLLEN, the ratio per swollen reading), so as
# the joint keeps swelling the transient left to explain it is the short one, and
# a swollen joint that stays raised past a few days is not held back by the tail.
# Swollen means above the swelling the joint's quiet days reach, on two readings
# running: a patient who rates loosely, or one slip of the scale, is not swelling.
FLARE_SHARE = 0.7
SHIFT_SHARE = 0.1
ACHE_DAYS = {
    **{1: 0.32, 2: 0.27, 3: 0.22, 4: 0.09},
    **{5: 0.03, 6: 0.025, 7: 0.02, 8: 0.01, 9: 0.008, 10: 0.007},
}
# The longest usual ache: a transient raised past it, with evidence, was a flare
# (the tail above is the exception, not the rule, so it does not move this). The
# lengths past it are the lingering, unswollen kind.
ACHE_USUAL_DAYS = 4
LINGERING_SWOLLEN = 0.5
# A joint not yet seen to flare may still be arthritic. What gives such a flare
# away is its start: from a quiet reading to this many points above baseline
# overnight, where TMO builds over weeks. A transient that starts so may be a
# flare (ABRUPT_FLARE_SHARE of them) as well as an ache.
ABRUPT_POINTS = 4
ABRUPT_FLARE_SHARE = 0.3
FLARE_DAYS = dict(
    enumerate((3, 3, 3, 2, 2, 2, 2, 2, 2, 1.5, 1, 0.5, 0.25, 0.1), start=1)
)
# Evidence from the latest two raised readings, by swelling grade above baseline
# (aches hardly swell; an arthritic flare may, by one grade) and by very high pain.
SWELLING_EVIDENCE = (-0.5, 2.5, 4.5, 5.5)
SWELLING_EVIDENCE_FLARING = (0.0, 0.0, 2.0, 3.5)
PAIN_EVIDENCE = ((8, 3.0), (6, 1.5))  # pain points above baseline -> evidence
SWOLLEN_PAIN = 2  # pain points above baseline for swelling to count in full
# A transient raised past the longest ache, whose persistence evidence reached
# this before it ended, was a flare (noise, in a patient who rates loosely, and
# a pre-filled score saved unchanged for a few days, are not).
FLARE_EVIDENCE = 1.0
# A transient is over once the joint has been back at baseline this long.
QUIET_DROP_DAYS = 14
# Already raised when the diary began: the course must show TMO itself over two
# weeks: swelling, pain at the level of TMO on exertion (VAS 7.5: BMC Musculoskelet
# Disord 2008), or a climb from where the diary found it (a rise caught in its
# first days; arthritic pain holds its level). A level that does none of these for
# four weeks is how this joint is.
CENSORED_PROOF_DAYS = 14
CENSORED_MAX_DAYS = 28
CENSORED_PAIN = 7
CENSORED_CLIMB = 3
# Taken for its own level, such a joint that later settles this many points below
# that level was an episode after all (an arthritic joint's level does not fall
# away): it is one from the day that is seen, healed, and can be a source.
CENSORED_HEAL_DROP = 3
# When the first raised reading comes after days without a diary, the rise began
# in that gap: at most a typical rise-time before it (four weeks: the earliest
# time to peak), at about four days per point of pain, not before the last quiet day.
RISE_DAYS = 28
DAYS_PER_POINT = 4
GAP_DAYS = 3

# Calendar days of near-baseline readings before an episode counts as healed.
RESOLVE_DAYS = 21
# Back near baseline this long (days, and readings) is settled, if not yet healed.
SETTLED_DAYS = 7
SETTLED_READINGS = 4
# TMO takes months to heal; an "episode" healed sooner than this was a flare.
MIN_COURSE_DAYS = 42
# Episodes starting this close together began together: not one migrating to the other.
TOGETHER_DAYS = 14
# A healed episode can be the source of a migration for four years: the next
# joint comes three months to four years after the last (8-patient series), and
# TMO recurs after quiet periods.
SOURCE_WINDOW_DAYS = 1461
# Candidate sources this close in onset to the latest one compete on anatomy.
SOURCE_TIE_DAYS = 21
# A joint the diary began in may be known for an episode only once it heals,
# weeks after the next joint was flagged: the migration from it is flagged then,
# up to this many days after the new joint's own detection.
LATE_DAYS = 120


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
    # Confirmed: first day the diary told the rise from an ache. Possible: the
    # latest day the joint read raised.
    detected_on: date
    tier: str = CONFIRMED  # "confirmed" | "possible"
    explanation: str = ""  # what the detector saw, in plain words
    # The same, as data, for wording in other languages: rise_facts / possible_facts.
    facts: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class MigrationFinding:
    from_joint: str
    to_joint: str
    relation: str  # "adjacent" | "contralateral" | "other", from anatomy.relation
    kind: str  # "overlap" (source still healing) | "sequential" (source had healed)
    to_onset: date  # estimated onset of the new joint, from data up to detected_on
    detected_on: date  # first day the diary up to then justified the flag
    explanation: str = ""  # what the detector saw, in plain words
    facts: Mapping[str, object] = field(default_factory=dict)  # migration facts


@dataclass(frozen=True)
class Detection:
    episodes: list[EpisodeFinding]  # confirmed episodes
    migrations: list[MigrationFinding]  # confirmed migrations: the contract output
    # Joints raised for days, not yet told apart from an ache or a flare.
    possible: list[EpisodeFinding] = field(default_factory=list)


@dataclass(slots=True)
class _Baseline:
    """What a joint reads like on a quiet day, from its readings so far."""

    pain: int = 0
    swelling: int = 0
    # Swelling grades its quiet days reach now and then (a patient who rates
    # loosely): a transient swollen no further than this has not swollen.
    swelling_swing: int = 0
    margin: int = 2  # raised: pain + swelling >= pain + swelling baselines + margin
    arthritic: bool = False
    own: bool = False  # from the joint's own quiet readings, not the patient's floor
    raised: int = 0  # readings in the pool at or above the raised level
    quiet: int = 0  # and below it
    # Days on which a transient of three raised readings or more ended, or an
    # "episode" healed too fast for TMO: a joint that flares.
    flares: list[int] = field(default_factory=list)
    arthritic_until: int = 0  # day (ordinal)
    pool_p: deque[int] = field(default_factory=lambda: deque(maxlen=POOL_SIZE))
    pool_s: deque[int] = field(default_factory=lambda: deque(maxlen=POOL_SIZE))
    # Pain plus swelling of the same readings, to count the raised ones.
    pool_scores: deque[int] = field(default_factory=lambda: deque(maxlen=POOL_SIZE))
    fresh: int = 0  # quiet readings since the last refresh

    @property
    def level(self) -> int:
        """Pain plus swelling at or above which a reading is raised."""
        return self.pain + self.swelling + self.margin

    @property
    def healed(self) -> int:
        """Smoothed pain at or below which an episode in this joint has healed: a
        point above baseline, or as far as its quiet days swing."""
        return self.pain + max(1, self.margin - 1)

    def add(self, r: _JointResult, lo: int, hi: int) -> None:
        """Take the joint's readings lo..hi-1 (indices) as quiet ones."""
        first = max(lo, hi - POOL_SIZE)
        self.pool_p.extend(r.pains[first:hi])
        self.pool_s.extend(r.swells[first:hi])
        self.pool_scores.extend(r.scores[first:hi])
        self.fresh += hi - lo

    def refresh(self, floor: float, day: int, level: float = 0.0) -> None:
        """Recompute from the pool; `floor` is the patient's quiet level on `day`
        (for a joint with no baseline of its own), `level` its mean."""
        self.fresh = 0
        size = len(self.pool_p)
        if size < POOL_MIN:
            # Nothing of its own yet (the diary began mid-episode): the floor.
            self.pain = math.floor(floor)
            self.swelling = self.swelling_swing = 0
            self.margin = math.ceil(RAISED)
            self.arthritic = False
            self.own = False
            self.raised = self.quiet = 0
            return
        pool_p = self.pool_p
        ordered = sorted(pool_p)
        self.pain = ordered[(size - 1) // 2]
        # Most joints never swell on a quiet day: no need to sort the zeros.
        if any(self.pool_s):
            swells = sorted(self.pool_s)
            self.swelling = swells[(size - 1) // 2]
            self.swelling_swing = swells[(size * 9) // 10]
        else:
            self.swelling = self.swelling_swing = 0
        swing = ordered[(size * 9) // 10] - self.pain + 0.5
        self.margin = math.ceil(swing if swing > RAISED else RAISED)
        recent = (
            sum(day - flare <= FLARE_MEMORY_DAYS for flare in self.flares)
            if self.flares
            else 0
        )
        mean = sum(pool_p) / size
        if (
            self.pain >= ARTHRITIC_PAIN
            or mean - level >= ARTHRITIC_LEVEL
            or recent >= ARTHRITIC_FLARES
        ):
            # Arthritis does not come and go with the baseline's wander: once
            # seen, the joint is taken as arthritic for a year.
            self.arthritic_until = day + FLARE_MEMORY_DAYS
        self.arthritic = day <= self.arthritic_until
        self.own = True
        level = self.level
        self.raised = bytes(self.pool_scores).translate(_RAISED_TABLES[level]).count(1)
        self.quiet = size - self.raised


@dataclass(slots=True)
class _Test:
    """The sequential test of one candidate: TMO rise against a transient.

    Under the transient hypothesis the joint is raised for D days from one of
    the candidate's first raised readings (the first one may have been noise),
    and otherwise reads raised at its own ordinary rate, unknown but drawn from
    Beta(alpha, beta) (the prior plus what the baseline pool has seen): the
    likelihood of those ordinary readings is the Beta-binomial one, built reading
    by reading from its predictive probabilities. A patient whose good days often
    read raised learns a high rate, and their everyday swings weigh little.
    Some of the D past the usual ache are a lingering ache's, which hardly swells:
    under it each swollen reading while it lasts has LINGERING_SWOLLEN times the
    likelihood it has under any other transient.
    """

    first: int  # day (ordinal) of the first raised reading
    durations: tuple[int, ...]  # finite transient lengths, shortest first
    # remaining[i]: the weight of the lengths from durations[i] on
    remaining: tuple[float, ...]
    weights: tuple[float, ...]
    # The same for the lingering aches, which do not swell (their own likelihood).
    remaining_dry: tuple[float, ...]
    weights_dry: tuple[float, ...]
    forever: float  # weight of a transient that never ends (a level that moved)
    alpha: float
    beta: float
    swelling_evidence: tuple[float, ...]
    tmo: float = 1.0  # P(readings | TMO)
    # P(readings | only ordinary readings), and how many of them were raised.
    ordinary: float = 1.0
    ordinary_raised: int = 0
    ordinary_seen: int = 0
    # Per possible start of the transient: [share, likelihood while it lasts,
    # likelihood if it never ends, start day, raised, seen, lengths ended,
    # likelihood while a lingering ache lasts]. While a transient lasts, every
    # length of a kind from that start reads alike, so they share one likelihood
    # until each ends (the test's cost is in this bookkeeping).
    starts: list[list] = field(default_factory=list)
    # Per transient that has ended: [weight, likelihood, raised, seen], raised and
    # seen counting its ordinary readings.
    ended: list[list] = field(default_factory=list)

    @classmethod
    def for_joint(cls, first: int, base: _Baseline, jump: bool = False) -> _Test:
        if base.arthritic:
            lengths, rate, swelling = (
                _FLARING_LENGTHS,
                P_RAISED_AFTER_FLARING,
                SWELLING_EVIDENCE_FLARING,
            )
        else:
            lengths, rate, swelling = (
                _JUMP_LENGTHS if jump else _ACHE_LENGTHS,
                P_RAISED_AFTER,
                SWELLING_EVIDENCE,
            )
        durations, weights, remaining, weights_dry, remaining_dry, forever = lengths
        return cls(
            first=first,
            durations=durations,
            remaining=remaining,
            weights=weights,
            remaining_dry=remaining_dry,
            weights_dry=weights_dry,
            forever=forever,
            alpha=rate * RATE_PRIOR_READINGS + base.raised,
            beta=(1 - rate) * RATE_PRIOR_READINGS + base.quiet,
            swelling_evidence=swelling,
        )

    def update(self, day: int, raised: bool, swollen: bool = False) -> float:
        """Take one reading, `swollen` if above the baseline's swelling; returns the
        persistence evidence so far (log odds)."""
        a, b = self.alpha, self.beta
        tmo_factor = P_RAISED_TMO if raised else 1 - P_RAISED_TMO
        self.tmo *= tmo_factor
        on = P_RAISED_BUMP if raised else 1 - P_RAISED_BUMP
        on_dry = on * LINGERING_SWOLLEN if swollen else on
        transient = 0.0
        ended = self.ended
        ab = a + b
        # The predictive probability of the next ordinary reading, per transient:
        # a loop per case, as this is where a long candidate spends its time.
        if raised:
            for bump in ended:
                k, m = bump[2], bump[3]
                bump[1] *= (a + k) / (ab + m)
                bump[2] = k + 1
                bump[3] = m + 1
                transient += bump[0] * bump[1]
        else:
            for bump in ended:
                k, m = bump[2], bump[3]
                bump[1] *= (b + m - k) / (ab + m)
                bump[3] = m + 1
                transient += bump[0] * bump[1]
        durations, weights, weights_dry = self.durations, self.weights, self.weights_dry
        remaining, remaining_dry = self.remaining, self.remaining_dry
        for st in self.starts:
            share, lasting, start, done, dry = st[0], st[1], st[3], st[6], st[7]
            while done < len(durations) and day >= start + durations[done]:
                # This length has ended: from now on its readings are ordinary.
                k, m = st[4], st[5]
                bump = [
                    share,
                    (weights[done] * lasting + weights_dry[done] * dry)
                    * ((a + k if raised else b + m - k) / (a + b + m)),
                    k + raised,
                    m + 1,
                ]
                ended.append(bump)
                transient += bump[0] * bump[1]
                done += 1
            st[6] = done
            st[1] = lasting = lasting * on
            st[7] = dry = dry * on_dry
            # A level that moved reads like a TMO rise, reading for reading.
            st[2] *= tmo_factor
            transient += share * (
                remaining[done] * lasting
                + remaining_dry[done] * dry
                + self.forever * st[2]
            )
        early = day - self.first < START_WINDOW_DAYS
        if raised and early and len(self.starts) < len(START_WEIGHTS):
            # This raised reading may be where the transient began: the readings
            # before it were ordinary ones.
            share = START_WEIGHTS[len(self.starts)]
            ordinary = self.ordinary
            st = [
                share,
                ordinary * on,
                ordinary * P_RAISED_TMO,
                day,
                self.ordinary_raised,
                self.ordinary_seen,
                0,
                ordinary * on_dry,
            ]
            self.starts.append(st)
            transient += share * (
                remaining[0] * st[1] + remaining_dry[0] * st[7] + self.forever * st[2]
            )
        k, m = self.ordinary_raised, self.ordinary_seen
        self.ordinary *= (a + k if raised else b + m - k) / (a + b + m)
        self.ordinary_raised = k + raised
        self.ordinary_seen = m + 1
        if early:
            # Starts still to come: so far, these readings were all ordinary.
            transient += _LATER_STARTS[len(self.starts)] * self.ordinary
        # Rescale now and then: long candidates would underflow a float.
        if self.tmo < 1e-200 or transient < 1e-200:
            scale = max(self.tmo, transient)
            self.tmo /= scale
            self.ordinary /= scale
            for bump in ended:
                bump[1] /= scale
            for st in self.starts:
                st[1] /= scale
                st[2] /= scale
                st[7] /= scale
            transient /= scale
        return math.log(self.tmo / transient) if transient > 0 else 50.0

    def level(self, pain: int, swelling: int) -> float:
        """Evidence from pain and swelling points above baseline (latest two readings)."""
        value = self.swelling_evidence[min(3, max(0, swelling))]
        if pain < 1:
            # Swelling with no pain is no rising TMO (its oedema hurts): a rating
            # slip, or a quiet joint the patient rates loosely.
            value = self.swelling_evidence[0]
        elif pain < SWOLLEN_PAIN:
            # With a point of pain it may be the oedema showing first, or a slip:
            # it counts, but for half.
            value /= 2
        for points, evidence in PAIN_EVIDENCE:
            if pain >= points:
                return value + evidence
        return value


@dataclass
class _Episode:
    """An episode while it is being tracked; day fields are ordinals."""

    joint: str
    onset: int
    detected: int  # the day the evidence reached CONFIRM
    censored: bool  # already active on the diary's first day: its true start is unknown
    start_index: int
    peak_day: int
    peak_pain: int
    base_pain: int
    base_swelling: int
    # The baseline's `healed` when the episode began (a patient who rates a good
    # day 0 or 2 heals at 2).
    healed_pain: int
    # Day the evidence reached CONFIRM + FAR_PRIOR: the flag day of a migration to
    # a joint that is no neighbour of its source (None: never, so far).
    strong: int | None = None
    gap: int = 0  # days without a diary just before the first raised reading
    level: int = 0  # median pain of the last three readings on the detection day
    swelling: int = 0  # and of swelling
    resolved_on: int | None = None
    resolved_known: int | None = None  # the day the healing was confirmed
    flare: bool = False  # healed too fast for TMO (known from resolved_known on)
    # The day it was seen back near baseline for a week, too soon after its onset
    # for TMO (None: not so far): a flare, even if the joint flares again.
    settled_early: int | None = None
    # (day known, peak day) each time the peak moved: the source test must see the
    # peak as it was on the new episode's detection day, not as it is now.
    peaks: list[tuple[int, int]] = field(default_factory=list)
    # (first day, day it ended) of each stretch back near baseline, open ones ending
    # at _OPEN: the kind test must see the joint as it was on the new detection day.
    quiet: list[tuple[int, int]] = field(default_factory=list)

    def too_fast(self, settled: int) -> bool:
        """Whether settling on day `settled` (ordinal) is faster than TMO heals.
        An episode the diary began in had run for who knows how long before: if
        it heals weeks later, it was in its healing then."""
        return not self.censored and settled - self.onset < MIN_COURSE_DAYS


@dataclass
class _Open:
    """A candidate still open when the diary ends: a possible new joint if leaning."""

    joint: str
    onset: int
    first: int  # day of the first raised reading
    last: int  # day of the latest raised reading
    evidence: float  # persistence + level, log odds
    pain: int  # highest pain so far
    swelling: int  # highest swelling so far
    arthritic: bool


@dataclass
class _JointResult:
    joint: str
    ords: list[int]
    pains: list[int]
    swells: list[int]
    scores: bytes  # pain plus swelling
    episodes: list[_Episode]
    open: _Open | None
    # Medians of three readings, computed for the few joints that have an episode.
    _mids: list[int] | None = None
    _mids_s: list[int] | None = None

    def smoothed(self, at: int) -> int:
        """Median pain of the three readings up to index `at`."""
        return self.mids()[at]

    def mids(self) -> list[int]:
        if self._mids is None:
            self._mids = _median3(self.pains)
        return self._mids

    def mids_swelling(self) -> list[int]:
        if self._mids_s is None:
            self._mids_s = _median3(self.swells)
        return self._mids_s


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
    days, joints, pains, swells, reported = grids
    ords = list(map(date.toordinal, days))
    floor = _Floor(pains, reported)
    results = [
        _walk_joint(joint, ords, pv, sv, floor)
        for joint, pv, sv in zip(joints, pains, swells, strict=True)
    ]
    by_joint = {r.joint: r for r in results}
    tracked = [ep for r in results for ep in r.episodes]
    episodes = [_finish(ep, by_joint[ep.joint]) for ep in tracked]
    episodes.sort(key=lambda e: (e.onset, _joint_sort_key(e.joint)))
    migrations = _link(tracked, by_joint)
    possible = [
        finding
        for r in results
        if r.open is not None
        and (finding := _possible(r.open, tracked, ords[-1])) is not None
    ]
    return Detection(episodes, migrations, possible)


def _grids(
    rows: list, days: list[date]
) -> tuple[list[date], list[str], list[list[int]], list[list[int]], list[bytes]]:
    """The logged days, the joints, per joint its pain and swelling on each day, and
    per joint and day 1 where a reading filled it.

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
            try:
                pain_row, swell_row = by_joint[joint]
            except KeyError:
                pain_row, swell_row = by_joint[joint] = _empty_rows(n)
            pain_row[at] = pain
            swell_row[at] = swelling
    else:
        for row in rows:
            at = index[row.day]
            try:
                pain_row, swell_row = by_joint[row.joint]
            except KeyError:
                pain_row, swell_row = by_joint[row.joint] = _empty_rows(n)
            pain_row[at] = row.pain
            swell_row[at] = row.swelling
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
    reported = [bytes(by_joint[j][0]).translate(_REPORTED) for j in joints]
    pains = [list(by_joint[j][0].replace(_UNSET, b"\x00")) for j in joints]
    swells = [list(by_joint[j][1]) for j in joints]
    if max(map(max, pains)) > 10 or max(map(max, swells)) > 3:
        raise ValueError("score out of range")
    return days, joints, pains, swells, reported


def _empty_rows(n: int) -> tuple[bytearray, bytearray]:
    """A joint's pain row (no reading yet) and swelling row over n logged days."""
    return bytearray(_UNSET) * n, bytearray(n)


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


def _label(joint: str) -> str:
    info = JOINTS.get(joint)
    return info.label.lower() if info else joint.replace("_", " ")


# Marks a grid cell no reading has filled; scores never reach 255.
_UNSET = b"\xff"
# Per grid cell of pain, 1 if a reading filled it.
_REPORTED = bytes(int(v != _UNSET[0]) for v in range(256))
# The median of each triple of scores, (a, b, c) -> median.
_MEDIAN3 = {
    (a, b, c): sorted((a, b, c))[1]
    for a in range(11)
    for b in range(11)
    for c in range(11)
}.__getitem__
# End of a stretch that had not ended when the diary did.
_OPEN = 10**9
# A transient that outlasts any test: an arthritic joint's level moving.
_FOREVER = 10**6


def _lengths(days: dict[int, float], dry: dict[int, float]) -> tuple:
    """Transient lengths -> probability, of any transient (`days`) and of a lingering
    ache that does not swell (`dry`), as the test takes them: the finite lengths
    shortest first; per kind their weights and the weight left from each on; and
    the weight of a transient that never ends."""
    finite = sorted({d for d in (*days, *dry) if d != _FOREVER})
    weights = tuple(days.get(d, 0.0) for d in finite)
    weights_dry = tuple(dry.get(d, 0.0) for d in finite)
    remaining = tuple(sum(weights[i:]) for i in range(len(weights) + 1))
    remaining_dry = tuple(sum(weights_dry[i:]) for i in range(len(weights) + 1))
    forever = days.get(_FOREVER, 0.0)
    return tuple(finite), weights, remaining, weights_dry, remaining_dry, forever


def _split_lingering(days: dict[int, float], ache: float) -> tuple[dict, dict]:
    """Transient lengths -> probability split into any transient and the lingering
    aches (`ache`: the aches' share of the transients)."""
    dry = {d: ache * w for d, w in ACHE_DAYS.items() if d > ACHE_USUAL_DAYS}
    return {d: w - dry.get(d, 0.0) for d, w in days.items()}, dry


def _flaring_days() -> dict[int, float]:
    """How long an arthritic joint's transients last: days -> probability."""
    share = 1 - SHIFT_SHARE
    days = {d: share * (1 - FLARE_SHARE) * ACHE_DAYS.get(d, 0.0) for d in FLARE_DAYS}
    total = sum(FLARE_DAYS.values())
    for d, w in FLARE_DAYS.items():
        days[d] += share * FLARE_SHARE * w / total
    days[_FOREVER] = SHIFT_SHARE
    return days


_ACHE_LENGTHS = _lengths(*_split_lingering(ACHE_DAYS, 1.0))


def _jump_days() -> dict[int, float]:
    """How long a transient that started abruptly lasts: days -> probability."""
    total = sum(FLARE_DAYS.values())
    days = {d: (1 - ABRUPT_FLARE_SHARE) * ACHE_DAYS.get(d, 0.0) for d in FLARE_DAYS}
    for d, w in FLARE_DAYS.items():
        days[d] += ABRUPT_FLARE_SHARE * w / total
    return days


_JUMP_LENGTHS = _lengths(*_split_lingering(_jump_days(), 1 - ABRUPT_FLARE_SHARE))
_FLARING_LENGTHS = _lengths(
    *_split_lingering(_flaring_days(), (1 - SHIFT_SHARE) * (1 - FLARE_SHARE))
)
# Weight of the transient starts still to come, after the first k: sum(START_WEIGHTS[k:]).
_LATER_STARTS = [sum(START_WEIGHTS[k:]) for k in range(len(START_WEIGHTS) + 1)]
# Per raised level, a byte table marking each score 1 if it is at least that level
# (built once: making one per joint and level cost more than the scan it serves).
_RAISED_TABLES = [bytes(int(v >= level) for v in range(256)) for level in range(256)]


def _median3(values: list[int]) -> list[int]:
    """Per index, the median of the value and the two before it (fewer at the start)."""
    if len(values) < 3:
        return values[:1] + [min(values)] * (len(values) - 1)
    # A table lookup per triple: scores are 0-10 here (the grids make sure), and
    # sorting each triple was a sixth of a whole recompute.
    triples = zip(values, values[1:], values[2:], strict=False)
    return [values[0], min(values[0], values[1]), *map(_MEDIAN3, triples)]


class _Floor:
    """Per logged day, the pain this patient reports for a joint that does not hurt.

    Some patients rate every joint 1-2 on a good day. A joint with no history of its
    own borrows this level, so the habit is not mistaken for an episode. It is the
    lower quartile across joints, its median over the last 15 logged days (causal),
    computed in 7-day blocks and only for the blocks a joint asks about.
    """

    def __init__(self, pains: list[list[int]], reported: list[bytes]) -> None:
        self.pains = pains
        # Per joint and logged day, 1 where the patient rated it. A joint counts
        # over the days it was rated: a sore hand logged once reads 0 on every
        # later day, and those zeros are no rating of the patient's.
        self.reported = reported
        self.blocks: dict[int, float] = {}
        self.means: dict[int, float] = {}
        self.start: float | None = None
        # Computed once per diary, not per block: per joint the running sum of its
        # pain, and per set of joints counted the lower quartile on each day.
        self.sums: list[list[int]] | None = None
        self.quartiles: dict[tuple[int, ...], list[int]] = {}

    def mean_at(self, i: int) -> float:
        """The patient's quiet level as a mean: the lower quartile of the joints'
        mean pain over the days the floor on day i is read from."""
        hi = i + 1 if i < 7 else i - i % 7 + 1
        level = self.means.get(hi)
        if level is None:
            lo = max(0, hi - 15)
            if self.sums is None:
                self.sums = [list(accumulate(pv, initial=0)) for pv in self.pains]
            means = sorted(
                self.sums[k][hi] - self.sums[k][lo] for k in self._counted(lo, hi)
            )
            level = means[len(means) // 4] / (hi - lo) if means else 0.0
            self.means[hi] = level
        return level

    def at(self, i: int) -> float:
        """Floor for logged-day index i (0-10 pain points).

        Read from the 15 logged days up to the start of i's 7-day block, so one
        computation serves the block; in the first block, from every day so far
        (its first day alone is no floor: a patient who rates every joint 2 may
        have begun on a day they rated 0).
        """
        hi = i + 1 if i < 7 else i - i % 7 + 1
        level = self.blocks.get(hi)
        if level is None:
            level = self.blocks[hi] = self._level(max(0, hi - 15), hi)
        return level

    def first_week(self, i: int) -> float:
        """Floor over the first i logged days (the blocks would see only the first)."""
        if self.start is None:
            self.start = self._level(0, i)
        return self.start

    def _counted(self, lo: int, hi: int) -> tuple[int, ...]:
        """The joints rated on at least one of days lo..hi-1."""
        return tuple(
            k for k, row in enumerate(self.reported) if row.find(1, lo, hi) >= 0
        )

    def _level(self, lo: int, hi: int) -> float:
        """Median over days lo..hi-1 of the lower quartile across the joints counted."""
        counted = self._counted(lo, hi)
        if len(counted) < 2:
            # A patient who logs only the joint that hurts: nothing to tell how a
            # joint reads when well but the scale's own zero.
            return 0.0
        quartiles = self.quartiles.get(counted)
        if quartiles is None:
            rows = [self.pains[k] for k in counted]
            q = len(rows) // 4
            quartiles = self.quartiles[counted] = list(
                map(itemgetter(q), map(sorted, zip(*rows, strict=True)))
            )
        daily = sorted(quartiles[lo:hi])
        return float(daily[len(daily) // 2])


def _walk_joint(
    joint: str, ords: list[int], pv: list[int], sv: list[int], floor: _Floor
) -> _JointResult:
    """Walk one joint's logged days: quiet stretches, candidates, episodes."""
    n = len(ords)
    # Pain plus swelling per reading, as bytes: a quiet stretch is skipped at C
    # speed by finding the next reading at or above the baseline's raised level.
    scores = bytes(map(int.__add__, pv, sv))
    result = _JointResult(joint, ords, pv, sv, scores, [], None)
    raised_at: dict[int, bytes] = {}
    base = _Baseline()
    # The first week teaches the joint's baseline, unless the joint reads raised
    # against the patient's floor from the start: then it was already hurting
    # when the diary began, and that is a candidate of its own. So is a first week
    # that would make the joint arthritic while it reads above the floor: it may
    # be an episode's first days, and a week is too little to tell arthritis from
    # them, so its course decides.
    i = min(n, POOL_MIN)
    start = floor.first_week(i)
    mid = (i - 1) // 2
    pain, swelling = sorted(pv[:i])[mid], sorted(sv[:i])[mid]
    # Pain of a censored stretch taken for the joint's level, and where it ended.
    held: int | None = None
    held_until = 0
    if pain + swelling >= start + RAISED or (
        pain >= ARTHRITIC_PAIN and pain + swelling >= start + SLIGHT
    ):
        base.refresh(start, ords[i - 1])
        i = _candidate(result, base, 0, censored=True)
        if not result.episodes and i < n:
            # Its lower quartile: the level it held, not the flares of a joint
            # that comes and goes.
            held, held_until = sorted(pv[:i])[(i - 1) // 4], i
    else:
        base.add(result, 0, i)
    if i < n:
        base.refresh(floor.at(i - 1), ords[i - 1], floor.mean_at(i - 1))
    while i < n:
        if _settled(held, base):
            result.episodes.append(_healed_since_start(result, base, held_until, i))
            held = None
        level = base.level
        flags = raised_at.get(level)
        if flags is None:
            flags = raised_at[level] = scores.translate(_RAISED_TABLES[level])
        # Quiet readings update the baseline every four weeks of them, and every
        # week while it is still the patient's floor.
        stop = min(
            n, i + (max(1, REFRESH_EVERY - base.fresh) if base.own else POOL_MIN)
        )
        j = flags.find(1, i, stop)
        end = stop if j < 0 else j
        if end > i:
            base.add(result, i, end)
        if j < 0:
            i = stop
            if base.fresh >= REFRESH_EVERY or not base.own:
                base.refresh(floor.at(i - 1), ords[i - 1], floor.mean_at(i - 1))
            continue
        i = _candidate(result, base, j, censored=False)
        if i < n:
            base.refresh(floor.at(i - 1), ords[i - 1], floor.mean_at(i - 1))
    if _settled(held, base):
        # Seen on the diary's last refresh: a diary cut there must see it too.
        result.episodes.append(_healed_since_start(result, base, held_until, n))
    return result


def _settled(held: int | None, base: _Baseline) -> bool:
    """Whether a joint taken for its own level `held` since the diary began now
    has a baseline of its own far below it."""
    return held is not None and base.own and held - base.pain >= CENSORED_HEAL_DROP


def _healed_since_start(
    result: _JointResult, base: _Baseline, held_until: int, i: int
) -> _Episode:
    """The episode of a joint raised since the diary began that was taken for its
    own level (up to index held_until) and has since settled far below it, as
    known at reading i - 1: healed from the first day its readings settled."""
    ords, mids = result.ords, result.mids()
    healed = base.healed
    level = sorted(result.pains[:held_until])[(held_until - 1) // 2]
    # Settled: at the healed level, and well below the level it was held at (the
    # baseline's swing still counts the held readings).
    settled = min(healed, level - CENSORED_HEAL_DROP)
    k = i - 1
    while k > held_until and mids[k - 1] <= settled:
        k -= 1
    peak = max(range(k), key=mids.__getitem__)
    ep = _Episode(
        joint=result.joint,
        onset=ords[0],
        detected=ords[i - 1],
        censored=True,
        start_index=0,
        peak_day=ords[peak],
        peak_pain=mids[peak],
        base_pain=base.pain,
        base_swelling=base.swelling,
        healed_pain=healed,
        level=level,
        swelling=result.mids_swelling()[peak],
    )
    ep.peaks.append((ords[i - 1], ords[peak]))
    ep.resolved_on, ep.resolved_known = ords[k], ords[i - 1]
    ep.quiet.append((ords[k], _OPEN))
    return ep


def _candidate(result: _JointResult, base: _Baseline, j: int, *, censored: bool) -> int:
    """Test the candidate whose first raised reading is j; returns where to go on.

    Confirmed, it is followed as an episode until healed; dismissed, its readings
    join the baseline; still open at the end of the diary, it is kept. A censored
    candidate (raised since the diary began) is judged by its course instead.
    """
    ords, pv, sv = result.ords, result.pains, result.swells
    n = len(ords)
    onset, gap = (ords[0], 0) if censored else _onset(ords, pv, sv, base, j)
    bp, bs, level = base.pain, base.swelling, base.level
    # From quiet to far above baseline overnight (not across days unlogged).
    jump = (
        not censored
        and j > 0
        and ords[j] - ords[j - 1] <= 2
        and pv[j - 1] + sv[j - 1] < bp + bs + SLIGHT
        and pv[j] - bp >= ABRUPT_POINTS
    )
    test = _Test.for_joint(ords[j], base, jump)
    # Swelling above what the joint's quiet days reach (at least its baseline).
    swing = max(bs, base.swelling_swing)
    prev: tuple[int, int] | None = None  # (pain, swelling) of the last raised reading
    last_raised = j
    top_pain = top_swell = 0
    persistence = evidence = longest = 0.0
    raised_days = 0
    was_swelled = False
    for i in range(j, n):
        p, s = pv[i], sv[i]
        raised = p + s >= level
        if raised and not censored and ords[i] - ords[last_raised] > QUIET_DROP_DAYS:
            # Raised again after more days without a diary than any transient
            # lasts: whatever began before the gap is over, and the joint started
            # something new in it, a candidate of its own with its onset there.
            # What came before the gap may have been that rise's first days, so it
            # does not join the baseline.
            return i
        # Swollen: raised and swollen past the quiet days' swing on this reading and
        # the one before it (one swollen reading alone may be a rating slip).
        swelled = raised and s > swing
        persistence = test.update(ords[i], raised, swelled and was_swelled)
        was_swelled = swelled
        if persistence > longest:
            longest = persistence
        if raised:
            last_raised = i
            raised_days += 1
            if p > top_pain:
                top_pain = p
            if s > top_swell:
                top_swell = s
            if prev is not None:
                evidence = persistence + test.level(
                    min(p, prev[0]) - bp, min(s, prev[1]) - bs
                )
            else:
                evidence = persistence
            prev = (p, s)
        else:
            evidence = persistence
        if censored:
            verdict = _censored_verdict(ords, pv, sv, j, i, bp, bs)
            if verdict is None:
                continue
            if not verdict:
                # Raised from the first day and never like TMO: this joint's own level.
                base.add(result, j, i + 1)
                return i + 1
        elif raised and raised_days >= 2 and evidence >= CONFIRM:
            pass
        elif not raised and (
            persistence <= DISMISS or ords[i] - ords[last_raised] > QUIET_DROP_DAYS
        ):
            # A transient, over: part of how this joint reads on ordinary days, so
            # the baseline's swing sees it (or a patient's habit of rating a good
            # day 4 would open candidate after candidate).
            base.add(result, j, i + 1)
            if (
                raised_days >= 3
                and ords[last_raised] - ords[j] >= ACHE_USUAL_DAYS
                and longest >= FLARE_EVIDENCE
            ):
                base.flares.append(ords[i])
            return i + 1
        else:
            continue
        ep = _Episode(
            joint=result.joint,
            onset=onset,
            detected=ords[i],
            censored=censored,
            start_index=j,
            peak_day=ords[i],
            peak_pain=result.smoothed(i),
            base_pain=bp,
            base_swelling=bs,
            healed_pain=base.healed,
            gap=gap,
            level=result.smoothed(i),
            swelling=result.mids_swelling()[i],
        )
        ep.peaks.append((ords[i], ords[i]))
        if evidence >= CONFIRM + FAR_PRIOR:
            ep.strong = ords[i]
        else:
            ep.strong = _strong_day(test, result, i, level, bp, bs, swing, prev)
        result.episodes.append(ep)
        after = _follow(ep, result, i + 1)
        if ep.flare:
            base.flares.append(ep.resolved_known)
        elif ep.resolved_on is not None:
            # The weeks that showed it healed are how the joint reads now, the
            # tail of its healing included: its baseline learns them.
            base.add(result, bisect_left(ords, ep.resolved_on), after)
        return after
    result.open = _Open(
        joint=result.joint,
        onset=onset,
        first=ords[j],
        last=ords[last_raised],
        evidence=-math.inf if censored else evidence,
        pain=top_pain,
        swelling=top_swell,
        arthritic=base.arthritic,
    )
    return n


def _strong_day(
    test: _Test,
    result: _JointResult,
    i: int,
    level: int,
    bp: int,
    bs: int,
    swing: int,
    prev: tuple[int, int] | None,
) -> int | None:
    """Carry the test on past confirmation: the day evidence reaches CONFIRM + FAR_PRIOR."""
    ords, pv, sv = result.ords, result.pains, result.swells
    was_swelled = sv[i] > swing  # reading i, raised: the one that confirmed
    for k in range(i + 1, min(len(ords), i + 60)):
        p, s = pv[k], sv[k]
        raised = p + s >= level
        swelled = raised and s > swing
        persistence = test.update(ords[k], raised, swelled and was_swelled)
        was_swelled = swelled
        if not raised:
            continue
        evidence = persistence
        if prev is not None:
            evidence += test.level(min(p, prev[0]) - bp, min(s, prev[1]) - bs)
        prev = (p, s)
        if evidence >= CONFIRM + FAR_PRIOR:
            return ords[k]
    return None


def _censored_verdict(
    ords: list[int], pv: list[int], sv: list[int], j: int, i: int, bp: int, bs: int
) -> bool | None:
    """A joint raised since the diary began: True TMO, False its own level, None wait."""
    span = ords[i] - ords[j]
    if span < CENSORED_PROOF_DAYS or i - j < 6:
        return None
    mid = (i - j) // 2
    pain = sorted(pv[j : i + 1])[mid] - bp
    swell = sorted(sv[j : i + 1])[mid] - bs
    recent = sorted(pv[max(j, i - 4) : i + 1])
    now = recent[len(recent) // 2]
    # Still raised, and at the level of the course so far: TMO does not fall
    # back within weeks, an arthritic joint's flare does. Nor does it climb from
    # where the diary found it and drop straight back there, as a flare ends.
    found = sorted(pv[j : j + 3])[1]
    back = pain + bp >= found + CENSORED_CLIMB and pv[i] <= found + 1
    still = now - bp >= RAISED and now >= pain + bp - 1 and not back
    climbed = span >= CENSORED_MAX_DAYS and _climbs(pv[j : i + 1])
    # Found well below that level, the joint went up in the diary: high pain
    # alone proves TMO only once it has outlasted a flare.
    high = pain >= CENSORED_PAIN and (
        span >= CENSORED_MAX_DAYS or pain + bp < found + CENSORED_CLIMB
    )
    if still and (swell >= 1 and pain >= 1 or high or climbed):
        return True
    if span >= CENSORED_MAX_DAYS:
        return False
    return None


def _climbs(pains: list[int]) -> bool:
    """Whether pain climbs as a TMO rise does: up from the first quarter to the
    second and on to the third, never back, and CENSORED_CLIMB points up by the
    last. An arthritic joint's level wanders and its flares jump: a jump leaves
    two quarters level, and a flare that has passed falls back."""
    n = len(pains)
    q1, q2, q3, q4 = (
        statistics.median_low(pains[k * n // 4 : (k + 1) * n // 4]) for k in range(4)
    )
    return q1 < q2 < q3 <= q4 and q4 - q1 >= CENSORED_CLIMB


def _onset(
    ords: list[int], pv: list[int], sv: list[int], base: _Baseline, j: int
) -> tuple[int, int]:
    """Estimated onset (ordinal) of the rise first raised at j, and the gap before it.

    Walks back over readings a little above baseline; if the last quiet reading is
    days earlier, the rise began in that gap: at most RISE_DAYS before the first
    raised reading, about DAYS_PER_POINT per pain point it had reached, and never
    before the last quiet logged day.
    """
    quiet = base.pain + base.swelling + SLIGHT
    k = j - 1
    while k >= 0 and pv[k] + sv[k] >= quiet and ords[k + 1] - ords[k] <= GAP_DAYS:
        k -= 1
    first = k + 1
    if k < 0:
        return ords[0], 0
    gap = ords[first] - ords[k]
    if gap <= GAP_DAYS:
        return ords[k] + 1, 0
    # A little above baseline on the last readings before the gap, several running:
    # the rise was already under way when the diary stopped.
    run = k
    while (
        run >= 0
        and pv[run] + sv[run] >= quiet
        and (run == k or ords[run + 1] - ords[run] <= GAP_DAYS)
    ):
        run -= 1
    if k - run >= SLIGHT_RUN:
        return (ords[run] + 1 if run >= 0 else ords[0]), gap - 1
    points = pv[first] - base.pain + sv[first] - base.swelling
    lead = min(RISE_DAYS, max(1, round(points * DAYS_PER_POINT)))
    return max(ords[k] + 1, ords[first] - lead), gap - 1


def _follow(ep: _Episode, result: _JointResult, i: int) -> int:
    """Follow an open episode from reading i until it has healed; returns the index after."""
    ords = result.ords
    n = len(ords)
    mids, mids_s = result.mids(), result.mids_swelling()
    # Healed: the median of three readings back at the healed level and no
    # swelling above baseline, for three weeks.
    quiet_pain = ep.healed_pain
    quiet_swell = ep.base_swelling
    peak = ep.peak_pain
    streak = -1
    count = 0
    for k in range(i, n):
        m = mids[k]
        if m > peak:
            peak = ep.peak_pain = m
            ep.peak_day = ords[k]
            ep.peaks.append((ords[k], ords[k]))
        if m <= quiet_pain and mids_s[k] <= quiet_swell:
            if streak < 0:
                streak = k
                count = 0
            count += 1
            if (
                ep.settled_early is None
                and count >= SETTLED_READINGS
                and ords[k] - ords[streak] >= SETTLED_DAYS
                and ep.too_fast(ords[streak])
            ):
                ep.settled_early = ords[k]
            if count >= 3 and ords[k] - ords[streak] >= RESOLVE_DAYS:
                ep.resolved_on = ords[streak]
                ep.resolved_known = ords[k]
                ep.quiet.append((ords[streak], _OPEN))
                # Healed within weeks: that was a flare, not TMO, and no source.
                ep.flare = ep.too_fast(ep.resolved_on)
                return k + 1
        elif streak >= 0:
            ep.quiet.append((ords[streak], ords[k]))
            streak = -1
    if streak >= 0:
        ep.quiet.append((ords[streak], _OPEN))
    return n


def _finish(ep: _Episode, r: _JointResult) -> EpisodeFinding:
    """The public view of an episode, its phase judged on all the data."""
    ords, pv = r.ords, r.pains
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
        excess = ep.peak_pain - ep.base_pain
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
        explanation=_rise_words(facts := _rise_facts(ep)),
        facts=facts,
    )


def _peak_as_of(ep: _Episode, day: int) -> int:
    """The episode's peak day as it was known on `day` (ordinal)."""
    peak = ep.peaks[0][1]
    for known, peak_day in ep.peaks:
        if known > day:
            break
        peak = peak_day
    return peak


def _height_as_of(ep: _Episode, r: _JointResult, day: int) -> int:
    """How far the episode's peak, as known on `day`, stood above its baseline."""
    peak = bisect_left(r.ords, _peak_as_of(ep, day))
    return r.smoothed(peak) - ep.base_pain


def _sources(
    new: _Episode, episodes: list[_Episode], day: int
) -> list[tuple[_Episode, bool]]:
    """Episodes that could have moved to `new`, as known on `day`, with healed."""
    candidates = []
    for old in episodes:
        if old is new or old.joint == new.joint or old.detected > day:
            continue
        # A censored source began at least on the first day, maybe long before.
        gap = TOGETHER_DAYS // 2 if old.censored else TOGETHER_DAYS
        if old.onset > new.onset - gap:
            continue
        healed = old.resolved_known is not None and old.resolved_known <= day
        if healed and old.flare:
            continue
        if not healed and any(
            start <= day < end and old.too_fast(start) for start, end in old.quiet
        ):
            # Back near its baseline within weeks of its onset, and still there:
            # healing too fast for TMO, a flare unless it comes back.
            continue
        if not healed and old.settled_early is not None and old.settled_early <= day:
            # Back near its baseline for a week within weeks of its onset, and up
            # again since: an arthritic joint flaring, as TMO does not.
            continue
        if healed and old.resolved_on < new.onset - SOURCE_WINDOW_DAYS:
            continue
        # TMO moves on once a joint has peaked; a joint still climbing when the
        # new one began is a joint that started with it.
        if not healed and _peak_as_of(old, day) >= new.onset:
            continue
        candidates.append((old, healed))
    return candidates


def _link(
    episodes: list[_Episode], joints: dict[str, _JointResult]
) -> list[MigrationFinding]:
    """Migrations, deciding each new episode's source with what was known on its detection day."""
    order = sorted(episodes, key=lambda e: (e.detected, _joint_sort_key(e.joint)))
    migrations: list[MigrationFinding] = []
    for new in order:
        if new.censored:
            # Already active when the diary began: no way to tell what came first.
            continue
        day = new.detected
        candidates = _sources(new, order, day)
        if not candidates:
            # No source known yet: one of the joints the diary began in may still
            # turn out to have been an episode. Causal, as the flag waits for it.
            later = sorted(
                {
                    old.detected
                    for old in order
                    if old.censored and day < old.detected <= day + LATE_DAYS
                }
            )
            for known in later:
                candidates = [
                    c for c in _sources(new, order, known) if c[0].detected == known
                ]
                if candidates:
                    day = known
                    break
        if not candidates:
            continue
        latest = max(old.onset for old, _ in candidates)
        close = [c for c in candidates if c[0].onset >= latest - SOURCE_TIE_DAYS]
        # Of neighbours alike, the one whose episode rose highest is the TMO
        # joint: an arthritic knee flaring beside a hip at its worst is not the
        # hip's equal as the source.
        source, healed = max(
            close,
            key=lambda c: (
                _relation(c[0].joint, new.joint) != OTHER,
                not c[1],
                _height_as_of(c[0], joints[c[0].joint], day),
                c[0].onset,
                c[0].joint,
            ),
        )
        rel = _relation(source.joint, new.joint)
        flagged = new.detected if rel != OTHER else new.strong
        if flagged is None:
            continue
        flagged = max(flagged, day)
        # Sequential when the source was already back near its baseline at the new
        # onset and stayed there up to the detection day: a joint that has settled
        # but not yet been quiet the three weeks that confirm healing counts too.
        settled = any(start <= new.onset and end > day for start, end in source.quiet)
        facts = {
            **_rise_facts(new),
            **_source_facts(source, joints[source.joint], day),
            "far": rel == OTHER,
        }
        migrations.append(
            MigrationFinding(
                from_joint=source.joint,
                to_joint=new.joint,
                relation=rel,
                kind=SEQUENTIAL if settled else OVERLAP,
                to_onset=date.fromordinal(new.onset),
                detected_on=date.fromordinal(flagged),
                explanation=_migration_words(facts),
                facts=facts,
            )
        )
    migrations.sort(key=lambda m: (m.detected_on, _joint_sort_key(m.to_joint)))
    return migrations


_SWELLING_WORDS = (
    "no swelling yet",
    "mild swelling",
    "moderate swelling",
    "marked swelling",
)
# How the source joint stood when the new one was flagged (migration facts).
SOURCE_SETTLED = "settled"  # healed `weeks` weeks before, two or more
SOURCE_JUST_SETTLED = "just_settled"
SOURCE_SETTLING = "settling"
SOURCE_IMPROVING = "improving"
SOURCE_AT_WORST = "at_worst"


def _rise_facts(ep: _Episode) -> dict[str, object]:
    """The new joint's rise as data; `_rise_words` says it in English."""
    swelling = min(3, max(0, ep.swelling - ep.base_swelling))
    if ep.censored:
        return {
            "joint": ep.joint,
            "censored": True,
            "to_pain": ep.level,
            "swelling": swelling,
        }
    facts: dict[str, object] = {
        "joint": ep.joint,
        "censored": False,
        "from_pain": ep.base_pain,
        "to_pain": ep.level,
        "days": ep.detected - ep.onset,
        "swelling": swelling,
    }
    if ep.gap:
        facts["gap"] = ep.gap
    return facts


def _rise_words(facts: Mapping) -> str:
    """'right hip: pain up from 0 to 5 over 9 days with moderate swelling'."""
    label = _label(facts["joint"])
    swelling = _SWELLING_WORDS[facts["swelling"]]
    if facts["censored"]:
        return f"{label}: pain {facts['to_pain']} with {swelling} since the diary began"
    days = facts["days"]
    text = (
        f"{label}: pain up from {facts['from_pain']} to {facts['to_pain']} over "
        f"{days} day{'s' if days != 1 else ''} with {swelling}"
    )
    if facts.get("gap"):
        text += f" (first logged after {facts['gap']} days without a diary)"
    return text


def _source_facts(source: _Episode, r: _JointResult, day: int) -> dict[str, object]:
    """How the source joint stood on `day` (ordinal): its code, state and weeks settled."""
    facts: dict[str, object] = {"source": source.joint}
    if source.resolved_known is not None and source.resolved_known <= day:
        weeks = (day - source.resolved_on) // 7
        if weeks >= 2:
            return {**facts, "source_state": SOURCE_SETTLED, "weeks": weeks}
        return {**facts, "source_state": SOURCE_JUST_SETTLED}
    if any(start <= day < end for start, end in source.quiet):
        return {**facts, "source_state": SOURCE_SETTLING}
    at = bisect_left(r.ords, day + 1) - 1
    peak = max(
        (r.smoothed(k) for k in range(source.start_index, at + 1) if r.ords[k] <= day),
        default=source.peak_pain,
    )
    now = r.smoothed(at) if at >= 0 else peak
    if now <= peak - max(1.5, 0.25 * (peak - source.base_pain)):
        return {**facts, "source_state": SOURCE_IMPROVING}
    return {**facts, "source_state": SOURCE_AT_WORST}


_SOURCE_WORDS = {
    SOURCE_JUST_SETTLED: "just after the {} settled",
    SOURCE_SETTLING: "as the {} settles",
    SOURCE_IMPROVING: "while the {} improves",
    SOURCE_AT_WORST: "while the {} is still at its worst",
}


def _migration_words(facts: Mapping) -> str:
    """'right hip: pain up … with moderate swelling, while the left hip improves'."""
    label = _label(facts["source"])
    if facts["source_state"] == SOURCE_SETTLED:
        source = f"{facts['weeks']} weeks after the {label} settled"
    else:
        source = _SOURCE_WORDS[facts["source_state"]].format(label)
    text = f"{_rise_words(facts)}, {source}"
    if facts["far"]:
        text += (
            f"; not a neighbour of the {label}, so flagged only once the rise was"
            " beyond doubt"
        )
    return text


def _possible(
    open_: _Open, episodes: list[_Episode], today: int
) -> EpisodeFinding | None:
    """A possible new joint, if the open candidate's evidence leans to TMO."""
    days = open_.last - open_.first + 1
    if open_.evidence == -math.inf or open_.last == open_.first:
        return None
    active = [
        ep
        for ep in episodes
        if ep.joint != open_.joint
        and ep.detected <= today
        and not ep.flare
        and (
            ep.resolved_on is None or ep.resolved_on >= open_.onset - SOURCE_WINDOW_DAYS
        )
    ]
    near = [ep for ep in active if _relation(ep.joint, open_.joint) != OTHER]
    prior = 0.0 if near or not active else -FAR_PRIOR
    if open_.evidence + prior < LEANING:
        return None
    facts = {
        "joint": open_.joint,
        "days": days,
        "pain": open_.pain,
        "swelling": min(3, open_.swelling),
        "beside": max(near, key=lambda e: e.onset).joint if near else None,
        "confounder": "flare" if open_.arthritic else "ache",
    }
    return EpisodeFinding(
        joint=open_.joint,
        onset=date.fromordinal(open_.onset),
        peak=date.fromordinal(open_.last),
        peak_pain=open_.pain,
        phase=RISING,
        resolved_on=None,
        detected_on=date.fromordinal(open_.last),
        tier=POSSIBLE,
        explanation=_possible_words(facts),
        facts=facts,
    )


def _possible_words(facts: Mapping) -> str:
    """'left ankle: sore for 3 days, pain up to 4 with no swelling yet; not yet told apart from a short ache'."""
    days = facts["days"]
    text = (
        f"{_label(facts['joint'])}: sore for {days} day{'s' if days != 1 else ''}, "
        f"pain up to {facts['pain']} with {_SWELLING_WORDS[facts['swelling']]}"
    )
    if facts["beside"]:
        text += f", beside the {_label(facts['beside'])}"
    kind = "a flare" if facts["confounder"] == "flare" else "a short ache"
    return text + f"; not yet told apart from {kind}"
