"""Seeded synthetic TMO diaries with ground truth, for tests and the detector bench.

Pure (no Django). Each course is one patient's diary: clinically shaped episodes
(rise over 3-8 weeks, plateau, healing over months), chains of joints that migrate
to an adjacent or contralateral joint (sometimes further), and the messiness of real
diaries: rating habits, noise, missed days, gaps, logging only joints that hurt,
an arthritic knee with short flares, one-off bad days.

On top of that come the four confounders an outside evaluation found the detector
falling for (see `Confounders`): short aches, an arthritic neighbour flaring as an
episode begins, a patient who stops logging while well and returns a few days into
the next episode, and a holiday at a new joint's onset. Each has its own
probability, so the bench can score them one at a time.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from apps.detector.detect import Reading
from apps.diary.anatomy import ADJACENT, CONTRALATERAL, JOINTS, LIMBS, OTHER, relation

START = date(2025, 1, 6)
# Pain points above baseline at which a rise starts to stand out of ±1 noise.
SIGNAL_EXCESS = 1.5


@dataclass(frozen=True)
class TrueEpisode:
    joint: str
    shape: str  # of the rise: "concave" | "linear" | "sigmoid"
    rise_days: int
    onset: date  # first day the true curve is above the patient's baseline
    peak_pain: int  # in the patient's own rating scale, before noise
    end: date  # last day with symptoms above baseline
    # First day the true pain excess reaches 1.5 points: with ±1 rating noise no
    # diary can tell the rise from an ordinary day much before this.
    signal: date


@dataclass(frozen=True)
class TrueMigration:
    from_joint: str
    to_joint: str
    relation: str
    kind: str  # "overlap" | "sequential"
    onset: date  # true onset of the new joint's episode
    # The confounder placed at this migration's onset ("chronic_flare",
    # "gap_return", "holiday_onset"), so the bench can score each class apart.
    confounder: str = ""


@dataclass(frozen=True)
class Confounders:
    """Probability per course of each thing that is not a migration yet looks like one.

    ache: one to three short aches (1-3 days at pain 2-5, little or no swelling,
        then back to 0), often in a joint the patient does not usually track.
    chronic_flare: an arthritic joint beside a new episode's joint flares as that
        episode begins.
    gap_return: the patient stops logging while well, 5-8 weeks before the next
        joint starts, and comes back a few days after the pain returned.
    holiday_onset: three to four unlogged weeks starting at a new joint's onset;
        the joint is clearly raised when the patient is back.
    """

    ache: float = 0.0
    chronic_flare: float = 0.0
    gap_return: float = 0.0
    holiday_onset: float = 0.0

    @property
    def any(self) -> bool:
        return bool(
            self.ache or self.chronic_flare or self.gap_return or self.holiday_onset
        )


NO_CONFOUNDERS = Confounders()
# Holidays belong to messy diaries; the other three happen to careful patients too.
CLEAN_CONFOUNDERS = Confounders(ache=0.5, chronic_flare=0.15, gap_return=0.15)
MESSY_CONFOUNDERS = Confounders(
    ache=0.5, chronic_flare=0.3, gap_return=0.25, holiday_onset=0.15
)
CONFOUNDER_CLASSES = ("ache", "chronic_flare", "gap_return", "holiday_onset")


def default_confounders(messy: bool) -> Confounders:
    return MESSY_CONFOUNDERS if messy else CLEAN_CONFOUNDERS


@dataclass
class Course:
    patient: str
    readings: list[Reading]
    logged_days: list[date]
    migrations: list[TrueMigration]
    episodes: list[TrueEpisode]
    tags: set[str] = field(default_factory=set)


@dataclass
class _Ep:
    joint: str
    onset: int  # day index from START
    rise: int
    plateau: int
    decay: int
    peak: float  # excess pain at the peak, patient scale
    swell_max: int  # 0-3
    shape: str  # "concave" | "linear" | "sigmoid"

    @property
    def end(self) -> int:
        return self.onset + self.rise + self.plateau + self.decay

    def signal_day(self, excess: float) -> int:
        """First day index on which the true pain excess reaches `excess` points."""
        t = self.onset + 1
        while t < self.end and self.peak * self.frac(t) < excess:
            t += 1
        return t

    def frac(self, t: int) -> float:
        """Fraction of the peak excess on day index t (0 outside the episode)."""
        x = t - self.onset
        if x <= 0 or t >= self.end:
            return 0.0
        if x < self.rise:
            u = x / self.rise
            if self.shape == "concave":
                # Fast early build-up that saturates: reaches ~95 % at the end of the rise.
                return (1 - math.exp(-3 * u)) / (1 - math.exp(-3))
            if self.shape == "sigmoid":
                return u * u * (3 - 2 * u)
            return u
        x -= self.rise
        if x < self.plateau:
            return 1.0
        x -= self.plateau
        # Healing is slow at first and tails off: a convex decay to zero.
        return (1 - x / self.decay) ** 1.5


def _pick_next(rng: random.Random, joint: str, avoid: set[str]) -> str:
    """Next joint in a chain: mostly adjacent, then contralateral, occasionally other."""
    roll = rng.random()
    options = [j for j in JOINTS if j != joint and j not in avoid]
    if roll < 0.6:
        wanted = "adjacent"
    elif roll < 0.9:
        wanted = "contralateral"
    else:
        wanted = OTHER
    pool = [j for j in options if relation(joint, j) == wanted]
    if wanted == OTHER:
        # "Skipping" a joint on the same limb is the clinically usual kind of "other".
        same_limb = [j for j in pool if JOINTS[j].limb == JOINTS[joint].limb]
        pool = same_limb or pool
    if not pool:
        pool = options
    return rng.choice(pool)


def _first_joint(rng: random.Random) -> str:
    """Lower limbs are by far the most common site of TMO."""
    limb = "lower" if rng.random() < 0.85 else "upper"
    kind = rng.choice(LIMBS[limb][:3] if limb == "lower" else LIMBS[limb])
    return f"{rng.choice(('left', 'right'))}_{kind}"


def _episode(
    rng: random.Random, joint: str, onset: int, scale: float, mild: bool
) -> _Ep:
    """One episode with a clinically shaped course; mild = partial joint (pain 3-4 + swelling)."""
    rise = rng.randint(21, 56)
    plateau = rng.randint(3, 21)
    total = rng.randint(90, 270)
    decay = max(45, total - rise - plateau)
    shape = rng.choices(("concave", "linear", "sigmoid"), weights=(5, 4, 1))[0]
    if mild:
        return _Ep(
            joint,
            onset,
            rise,
            plateau,
            decay,
            rng.choice((3.0, 3.5, 4.0)),
            rng.choice((1, 2)),
            shape,
        )
    peak = scale * rng.uniform(0.8, 1.0)
    return _Ep(
        joint, onset, rise, plateau, decay, peak, rng.choice((1, 2, 2, 3, 3)), shape
    )


def generate_course(
    rng: random.Random,
    *,
    messy: bool = True,
    name: str = "p",
    confounders: Confounders | None = None,
) -> Course:
    """One patient's diary with ground truth; messy adds the habits of real patients.

    confounders defaults to CLEAN_CONFOUNDERS or MESSY_CONFOUNDERS.
    """
    if confounders is None:
        confounders = default_confounders(messy)
    tags: set[str] = set()
    scenario = rng.choices(
        ("chain", "single", "control", "together", "recurrence"),
        weights=(55, 10, 12, 10, 13),
    )[0]
    tags.add(scenario)
    scale = rng.uniform(5, 9.5) if messy else rng.uniform(6, 9)
    baseline = 0.0
    if messy and rng.random() < 0.3:
        baseline = rng.choice((1.0, 1.5, 2.0))
        tags.add("baseline")
    lead_in = rng.randint(14, 90)
    censored_start = rng.random() < 0.35
    eps: list[_Ep] = []
    truths: list[TrueMigration] = []
    n_joints = {
        "chain": rng.randint(2, 4),
        "single": 1,
        "control": 0,
        "together": rng.randint(2, 3),
        "recurrence": 2,
    }[scenario]
    mild_allowed = messy and rng.random() < 0.35

    if n_joints:
        joint = _first_joint(rng)
        used = {joint}
        first = _episode(rng, joint, lead_in, scale, mild=False)
        if censored_start and scenario != "control":
            # The diary starts because the first joint already hurts.
            first.onset = rng.randint(-first.rise + 3, 20)
            tags.add("censored")
        eps.append(first)
        prev = first
        if scenario == "together":
            other = _pick_next(rng, joint, used)
            used.add(other)
            twin = _episode(
                rng, other, prev.onset + rng.randint(0, 4), scale, mild=False
            )
            eps.append(twin)
            tags.add("together")
            # The next joint migrates from whichever of the pair it neighbours.
            n_joints -= 1
        for _ in range(n_joints - 1):
            candidates = [e for e in eps[-2:] if e.onset >= eps[-1].onset - 4]
            source = rng.choice(candidates) if scenario == "together" else prev
            nxt_joint = _pick_next(rng, source.joint, used)
            if scenario == "together":
                # Keep the truth unambiguous: the next joint neighbours exactly one of the pair.
                twin = next(e for e in eps if e is not source)
                for _attempt in range(20):
                    if (
                        relation(source.joint, nxt_joint) != OTHER
                        and relation(twin.joint, nxt_joint) == OTHER
                    ):
                        break
                    nxt_joint = _pick_next(rng, source.joint, used)
            used.add(nxt_joint)
            peak_start = source.onset + source.rise + source.plateau
            if rng.random() < 0.5:
                onset = peak_start + int(rng.uniform(0.1, 0.6) * source.decay)
                kind = "overlap"
            else:
                onset = source.end + rng.randint(21, 150)
                kind = "sequential"
            mild = mild_allowed and rng.random() < 0.4
            if mild:
                tags.add("mild")
            ep = _episode(rng, nxt_joint, onset, scale, mild)
            if scenario == "together":
                # From the pair, the migration comes from the neighbour of the new joint.
                pair = [
                    e
                    for e in eps
                    if e.onset >= eps[-1].onset - 4 and e.joint != nxt_joint
                ]
                near = [e for e in pair if relation(e.joint, nxt_joint) != OTHER]
                source = near[0] if near else max(pair, key=lambda e: e.onset)
                kind = "overlap" if onset < source.end else "sequential"
            truths.append(
                TrueMigration(
                    source.joint,
                    nxt_joint,
                    relation(source.joint, nxt_joint),
                    kind,
                    START + timedelta(onset),
                )
            )
            eps.append(ep)
            prev = ep
        if scenario == "recurrence":
            # The first joint comes back after a quiet period; it migrates from the
            # joint that was active last.
            last = max((e for e in eps if e.joint != first.joint), key=lambda e: e.end)
            again = last.end + rng.randint(40, 200)
            rec = _episode(rng, first.joint, again, scale, mild=False)
            truths.append(
                TrueMigration(
                    last.joint,
                    first.joint,
                    relation(last.joint, first.joint),
                    "sequential",
                    START + timedelta(again),
                )
            )
            eps.append(rec)

    end_day = max([e.end for e in eps], default=0) + rng.randint(20, 120)
    end_day = max(end_day, 365)
    start_day = 0
    tracked = {e.joint for e in eps}
    chronic = None
    if rng.random() < (0.35 if messy else 0.15):
        candidates = [j for j in ("left_knee", "right_knee") if j not in tracked]
        if candidates:
            chronic = rng.choice(candidates)
            tracked.add(chronic)
            tags.add("chronic")
    while len(tracked) < 4:
        tracked.add(
            rng.choice(
                (
                    "left_hip",
                    "right_hip",
                    "left_knee",
                    "right_knee",
                    "left_ankle",
                    "right_ankle",
                )
            )
        )

    compliance = rng.uniform(0.5, 1.0) if messy else rng.uniform(0.9, 1.0)
    if compliance < 0.7:
        tags.add("poor_compliance")
    gaps: list[tuple[int, int]] = []
    if messy:
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            g0 = rng.randint(start_day, end_day)
            gaps.append((g0, g0 + rng.randint(7, 21)))
        if gaps:
            tags.add("gaps")
    only_painful = messy and rng.random() < 0.3
    if only_painful:
        tags.add("only_painful")

    chronic_level = rng.uniform(2, 4)
    flare_until = -1
    flare_add = 0.0
    spikes: dict[tuple[str, int], float] = {}
    if messy:
        for _ in range(rng.randint(0, 3)):
            j = rng.choice(sorted(tracked))
            d0 = rng.randint(start_day, end_day)
            for k in range(rng.choice((1, 1, 2))):
                spikes[(j, d0 + k)] = rng.uniform(2, 4)
    swell_noise = 0.08 if messy else 0.03

    readings: list[Reading] = []
    logged: list[date] = []
    for t in range(start_day, end_day):
        if chronic is not None:
            chronic_level = min(4.0, max(2.0, chronic_level + rng.uniform(-0.3, 0.3)))
            # Flares are separate events: a few days, then at least two settled weeks.
            if t > flare_until + 14 and rng.random() < 1 / 30:
                flare_until = t + rng.randint(2, 6)
                flare_add = rng.uniform(2, 4)
        if any(a <= t < b for a, b in gaps) or rng.random() > compliance:
            continue
        day = START + timedelta(t)
        logged.append(day)
        for joint in sorted(tracked):
            pain = baseline
            swell = 0.0
            for e in eps:
                if e.joint == joint:
                    f = e.frac(t)
                    if f > 0:
                        pain += e.peak * f
                        swell = max(swell, e.swell_max * min(1.0, 1.4 * f))
            if joint == chronic:
                pain = max(pain, chronic_level)
                if t <= flare_until:
                    pain += flare_add
                    swell = max(swell, rng.choice((0.0, 1.0)))
            pain += spikes.get((joint, t), 0.0)
            p = int(round(pain + rng.choice((-1, 0, 0, 1))))
            s = int(round(swell))
            if rng.random() < swell_noise:
                s += rng.choice((-1, 1))
            p = min(10, max(0, p))
            s = min(3, max(0, s))
            if only_painful and p < 2 and s == 0:
                continue
            if messy and rng.random() < 0.02:
                continue  # forgot one joint that day
            readings.append(Reading(day, joint, p, s))

    true_eps = [
        TrueEpisode(
            e.joint,
            e.shape,
            e.rise,
            START + timedelta(e.onset),
            int(round(e.peak)),
            START + timedelta(e.end),
            START + timedelta(e.signal_day(SIGNAL_EXCESS)),
        )
        for e in eps
    ]
    course = Course(name, readings, logged, truths, true_eps, tags)
    if confounders.any:
        # A stream of its own: the course underneath is the one drawn without them.
        _confound(
            random.Random(rng.getrandbits(64)),
            course,
            confounders,
            eps=eps,
            baseline=baseline,
            tracked=tracked,
            chronic=chronic,
            end_day=end_day,
            swell_noise=swell_noise,
        )
    return course


def _confound(
    rng: random.Random,
    course: Course,
    c: Confounders,
    *,
    eps: list[_Ep],
    baseline: float,
    tracked: set[str],
    chronic: str | None,
    end_day: int,
    swell_noise: float,
) -> None:
    """Add the confounders of `c` to a finished course, in place."""
    episode_joints = {e.joint for e in eps}
    arthritic = {chronic} - {None}

    def rating(level: float) -> int:
        return min(10, max(0, int(round(level + rng.choice((-1, 0, 0, 1))))))

    def target(kinds: tuple[str, ...]) -> tuple[int, TrueMigration] | None:
        options = [
            (i, t)
            for i, t in enumerate(course.migrations)
            if t.kind in kinds and not t.confounder
        ]
        return rng.choice(options) if options else None

    def episode_of(t: TrueMigration) -> _Ep:
        return next(
            e
            for e in eps
            if e.joint == t.to_joint and START + timedelta(e.onset) == t.onset
        )

    if c.holiday_onset and rng.random() < c.holiday_onset:
        # Overlap first: the case where the healing joint beside it is the source.
        picked = target(("overlap",)) or target(("sequential",))
        if picked:
            i, t = picked
            ep = episode_of(t)
            h0 = ep.onset + rng.randint(-7, 0)
            length = rng.randint(21, 28)
            # The joint comes back clearly raised: a slow rise keeps them away longer.
            while length < 35 and ep.peak * ep.frac(h0 + length) < 4.0:
                length += 1
            drop_days(course, h0, h0 + length)
            course.migrations[i] = replace(t, confounder="holiday_onset")
            course.tags.add("holiday_onset")
    if c.gap_return and rng.random() < c.gap_return:
        picked = target(("sequential",))
        if picked:
            i, t = picked
            ep = episode_of(t)
            earlier = [e.end for e in eps if e is not ep and e.onset < ep.onset]
            # Stopped 5-8 weeks before the onset, but only once every joint was well.
            g0 = max(ep.onset - rng.randint(35, 56), max(earlier, default=0) + 7)
            back = ep.signal_day(SIGNAL_EXCESS) + rng.randint(1, 5)
            if ep.onset - g0 >= 14:
                drop_days(course, g0, back)
                course.migrations[i] = replace(t, confounder="gap_return")
                course.tags.add("gap_return")
    if c.chronic_flare and rng.random() < c.chronic_flare and eps:
        picked = target(("overlap", "sequential"))
        ep = episode_of(picked[1]) if picked else eps[0]
        beside = [
            j
            for j in JOINTS
            if j not in episode_joints | arthritic and relation(ep.joint, j) == ADJACENT
        ] or [
            j
            for j in JOINTS
            if j not in episode_joints | arthritic
            and relation(ep.joint, j) == CONTRALATERAL
        ]
        if beside:
            joint = rng.choice(beside)
            flare0 = ep.onset + rng.randint(-2, 5)
            flares = [(flare0, flare0 + rng.randint(3, 8), rng.uniform(2, 4))]
            t = 0
            while t < end_day:
                t += rng.randint(20, 50)
                if abs(t - flare0) > 14:
                    flares.append((t, t + rng.randint(2, 6), rng.uniform(2, 4)))
            level = rng.uniform(2, 4)
            readings = [r for r in course.readings if r.joint != joint]
            for day in course.logged_days:
                at = (day - START).days
                level = min(4.0, max(2.0, level + rng.uniform(-0.3, 0.3)))
                add = max((a for f0, f1, a in flares if f0 <= at <= f1), default=0.0)
                swell = int(add > 0 and rng.random() < 0.5)
                if rng.random() < swell_noise:
                    swell = max(0, swell + rng.choice((-1, 1)))
                readings.append(
                    Reading(day, joint, rating(baseline + level + add), swell)
                )
            course.readings = readings
            tracked.add(joint)
            arthritic.add(joint)
            if picked:
                i, t_m = picked
                course.migrations[i] = replace(t_m, confounder="chronic_flare")
            course.tags.add("chronic_flare")
    if c.ache and rng.random() < c.ache:
        logged = set(course.logged_days)
        have = {(r.day, r.joint): k for k, r in enumerate(course.readings)}
        first = min((e.onset for e in eps), default=0)
        for _ in range(rng.randint(1, 3)):
            t0 = rng.randint(max(0, first), max(0, end_day - 4))
            quiet = [
                j
                for j in JOINTS
                if j not in arthritic
                and not any(e.joint == j and e.onset - 7 <= t0 <= e.end for e in eps)
            ]
            untracked = [j for j in quiet if j not in tracked]
            joint = rng.choice(untracked if untracked and rng.random() < 0.5 else quiet)
            level = rng.uniform(2, 5)
            for day_at in range(t0, t0 + rng.randint(1, 3)):
                day = START + timedelta(day_at)
                if day not in logged:
                    continue
                put_reading(
                    course,
                    have,
                    Reading(
                        day, joint, rating(baseline + level), int(rng.random() < 0.1)
                    ),
                )
        course.tags.add("ache")


def drop_days(course: Course, start: int, end: int) -> None:
    """The patient logged nothing from day index start up to (not including) end."""
    lo, hi = START + timedelta(start), START + timedelta(end)
    course.logged_days = [d for d in course.logged_days if not lo <= d < hi]
    course.readings = [r for r in course.readings if not lo <= r.day < hi]


def put_reading(
    course: Course, index: dict[tuple[date, str], int], reading: Reading
) -> None:
    """Replace the course's reading of that joint and day, or add it; index maps
    (day, joint) to its position in course.readings and is kept up to date."""
    at = index.get((reading.day, reading.joint))
    if at is None:
        index[(reading.day, reading.joint)] = len(course.readings)
        course.readings.append(reading)
    else:
        course.readings[at] = reading


def generate_cohort(
    n: int,
    seed: int = 0,
    *,
    messy_share: float = 0.7,
    confounders: Confounders | None = None,
) -> list[Course]:
    """n seeded courses; messy_share of them with real-world diary habits.

    confounders: one setting for every course; None gives clean and messy courses
    their own defaults.
    """
    rng = random.Random(seed)
    return [
        generate_course(
            rng,
            messy=rng.random() < messy_share,
            name=f"p{seed}-{i}",
            confounders=confounders,
        )
        for i in range(n)
    ]
