"""A second, independently written generator of synthetic TMO diaries.

`synthetic.py` is the one the detector was tuned on; a detector tuned on one
generator can learn its quirks instead of the clinical pattern. This one is built
from other assumptions, so the bench can check that the detector still holds up:

- rating habits that are the patient's own: a stoic who never rates above 5, a
  dramatic rater, one who never says 0, one who only uses even numbers, and the
  habit our own log page invites: the form is pre-filled from the last day, so a
  patient often saves yesterday's values unchanged until a joint clearly differs;
- Gaussian rating noise of a patient-specific size instead of a fixed ±1;
- episode curves with a smooth or a stepwise rise of 2-6 weeks, and an exponential
  healing tail, 3-9 months in all;
- diaries kept on weekdays only, in bursts, with holidays of up to a month;
- arthritic pain in the joint next to the migrating one, flaring for days;
- the four confounders of `synthetic.Confounders`, drawn this generator's own way:
  aches that favour hands, shoulders and feet and come more often while the
  patient is on crutches, an arthritic hip or knee beside a new joint flaring
  within its first week, a patient who stops logging while well and returns
  once the pain is plain, and a holiday starting in a new joint's first days.

Ground truth uses the same dataclasses as `synthetic.py`, so the bench scores both
the same way. Pure (no Django).
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import timedelta

from apps.detector.detect import Reading
from apps.diary.anatomy import JOINTS, LIMBS, OTHER, neighbours, relation
from testkit.synthetic import (
    SIGNAL_EXCESS,
    START,
    Confounders,
    Course,
    TrueEpisode,
    TrueMigration,
    default_confounders,
    drop_days,
    put_reading,
)


class _Curve:
    """One episode's true pain excess (patient-neutral 0-10 points) by day index."""

    def __init__(self, rng: random.Random, onset: int, mild: bool) -> None:
        self.onset = onset
        self.rise = rng.randint(14, 42)
        self.plateau = rng.randint(0, 30)
        self.tau = rng.uniform(25, 60)  # healing time constant, days
        self.stepwise = rng.random() < 0.3
        self.peak = rng.uniform(3, 4) if mild else rng.uniform(5, 9)
        self.swell = rng.choice((1, 2)) if mild else rng.choice((1, 2, 2, 3))
        # Healed when the tail is under a quarter point: 3-9 months in all.
        tail = int(self.tau * math.log(self.peak / 0.25))
        self.length = min(270, max(90, self.rise + self.plateau + tail))
        self.shape = "stepwise" if self.stepwise else "smooth"

    @property
    def end(self) -> int:
        return self.onset + self.length

    def excess(self, t: int) -> float:
        x = t - self.onset
        if x <= 0 or t >= self.end:
            return 0.0
        if x < self.rise:
            u = x / self.rise
            # Stepwise: bad weeks and better weeks, the rise comes in three steps.
            u = math.ceil(u * 3) / 3 if self.stepwise else 1 - (1 - u) ** 2
            return self.peak * u
        x -= self.rise
        if x < self.plateau:
            return self.peak
        return self.peak * math.exp(-(x - self.plateau) / self.tau)

    def signal_day(self) -> int:
        t = self.onset + 1
        while t < self.end and self.excess(t) < SIGNAL_EXCESS:
            t += 1
        return t


def _next_joint(rng: random.Random, joint: str, used: set[str]) -> str:
    near = [j for j in neighbours(joint) if j not in used]
    roll = rng.random()
    if near and roll < 0.9:
        adjacent = [j for j in near if relation(joint, j) != "contralateral"]
        contra = [j for j in near if relation(joint, j) == "contralateral"]
        if adjacent and (roll < 0.55 or not contra):
            return rng.choice(adjacent)
        if contra:
            return contra[0]
    # A skip along the limb, or any joint if the limb is used up.
    limb = JOINTS[joint].limb
    far = [
        j
        for j in JOINTS
        if j not in used and j != joint and relation(joint, j) == OTHER
    ]
    same_limb = [j for j in far if JOINTS[j].limb == limb]
    return rng.choice(same_limb or far or [j for j in JOINTS if j not in used])


def _rater(rng: random.Random, messy: bool):
    """The patient's own way of turning a felt level into a 0-10 score."""
    gain = rng.choice((1.0, 1.0, 1.0, 0.6, 1.2)) if messy else 1.0  # stoic, dramatic
    offset = rng.choice((0, 0, 0, 1, 2)) if messy else 0  # some never say 0
    even = messy and rng.random() < 0.1
    sd = rng.uniform(0.4, 1.1) if messy else rng.uniform(0.4, 0.8)

    def rate(felt: float, rnd: random.Random = rng) -> int:
        score = offset + gain * felt + rnd.gauss(0, sd)
        if even:
            score = 2 * round(score / 2)
        return min(10, max(0, round(score)))

    tags = set()
    if gain < 1:
        tags.add("stoic")
    if gain > 1:
        tags.add("dramatic")
    if offset:
        tags.add("never_zero")
    if even:
        tags.add("even")
    return rate, tags


def generate_habits_course(
    rng: random.Random,
    *,
    messy: bool = True,
    name: str = "h",
    confounders: Confounders | None = None,
) -> Course:
    """One patient's diary with ground truth; messy: kept with a real patient's habits.

    confounders defaults to synthetic's CLEAN_CONFOUNDERS or MESSY_CONFOUNDERS.
    """
    if confounders is None:
        confounders = default_confounders(messy)
    tags: set[str] = set()
    scenario = rng.choices(
        ("chain", "single", "control", "recurrence"), weights=(60, 12, 13, 15)
    )[0]
    tags.add(scenario)
    n_eps = {"chain": rng.randint(2, 4), "single": 1, "control": 0, "recurrence": 2}[
        scenario
    ]
    lower = rng.random() < 0.85
    limb = LIMBS["lower" if lower else "upper"]
    joint = f"{rng.choice(('left', 'right'))}_{rng.choice(limb[:3])}"
    curves: list[tuple[str, _Curve]] = []
    truths: list[TrueMigration] = []
    mild_ok = rng.random() < 0.3
    onset = rng.randint(20, 80)
    used = {joint}
    for k in range(n_eps):
        curve = _Curve(rng, onset, mild=k > 0 and mild_ok and rng.random() < 0.5)
        if curve.peak < 5:
            tags.add("mild")
        if curves:
            src_joint, src = curves[-1]
            kind = "overlap" if onset < src.end else "sequential"
            truths.append(
                TrueMigration(
                    src_joint,
                    joint,
                    relation(src_joint, joint),
                    kind,
                    START + timedelta(onset),
                )
            )
        curves.append((joint, curve))
        if rng.random() < 0.5:
            # The next joint starts while this one heals.
            onset = curve.onset + curve.rise + curve.plateau + rng.randint(20, 80)
        else:
            onset = curve.end + rng.randint(14, 120)
        joint = _next_joint(rng, joint, used)
        used.add(joint)
    if scenario == "recurrence":
        # The first joint again, about a year after it healed.
        first_joint, first = curves[0]
        last_joint, last = curves[-1]
        again = max(first.end + rng.randint(300, 420), last.end + rng.randint(30, 90))
        curve = _Curve(rng, again, mild=False)
        truths.append(
            TrueMigration(
                last_joint,
                first_joint,
                relation(last_joint, first_joint),
                "sequential",
                START + timedelta(again),
            )
        )
        curves.append((first_joint, curve))

    tracked = {j for j, _ in curves}
    chronic: str | None = None
    if rng.random() < (0.3 if messy else 0.15):
        # Arthritic pain beside the migrating joints: a knee or a hip.
        options = [
            j
            for j in ("left_knee", "right_knee", "left_hip", "right_hip")
            if j not in tracked
        ]
        if options:
            chronic = rng.choice(options)
            tracked.add(chronic)
            tags.add("chronic")
    while len(tracked) < 4:
        tracked.add(rng.choice(("left_hip", "right_hip", "left_knee", "right_knee")))

    end = max([c.end for _, c in curves], default=0) + rng.randint(10, 90)
    end = max(end, 300)
    rate, habit_tags = _rater(rng, messy)
    tags |= habit_tags
    sticky = messy and rng.random() < 0.35
    if sticky:
        tags.add("sticky")
    weekdays_only = messy and rng.random() < 0.15
    compliance = rng.uniform(0.55, 1.0) if messy else rng.uniform(0.9, 1.0)
    holidays = []
    for _ in range(rng.choice((0, 0, 1, 2)) if messy else 0):
        h0 = rng.randint(0, end)
        holidays.append((h0, h0 + rng.randint(7, 30)))
    if weekdays_only:
        tags.add("weekdays")
    if compliance < 0.7:
        tags.add("poor_compliance")
    if holidays:
        tags.add("holidays")
    only_painful = messy and rng.random() < 0.25
    if only_painful:
        tags.add("only_painful")

    chronic_level = rng.uniform(2, 4)
    flare: tuple[int, float] = (-1, 0.0)
    shown: dict[str, tuple[int, int]] = {}
    readings: list[Reading] = []
    logged = []
    for t in range(end):
        if chronic is not None and t > flare[0] + 10 and rng.random() < 1 / 40:
            flare = (t + rng.randint(3, 10), rng.uniform(2, 4))
        day = START + timedelta(t)
        if (
            (weekdays_only and day.weekday() >= 5)
            or any(a <= t < b for a, b in holidays)
            or rng.random() > compliance
        ):
            continue
        logged.append(day)
        for joint in sorted(tracked):
            active = [c for j, c in curves if j == joint]
            felt = sum(c.excess(t) for c in active)
            # Swelling comes with the oedema, a grade per third of the peak.
            swell = max(
                (
                    min(c.swell, round(c.swell * c.excess(t) / c.peak + 0.2))
                    for c in active
                ),
                default=0,
            )
            if joint == chronic:
                felt = max(felt, chronic_level)
                if t <= flare[0]:
                    felt += flare[1]
                    swell = max(swell, rng.choice((0, 1)))
            pain = rate(felt)
            if sticky and joint in shown and rng.random() < 0.6:
                # Saved the pre-filled values: unchanged unless it clearly differs.
                old_pain, old_swell = shown[joint]
                if abs(old_pain - pain) < 2 and old_swell == swell:
                    pain = old_pain
            shown[joint] = (pain, swell)
            if only_painful and pain < 2 and swell == 0:
                continue
            readings.append(Reading(day, joint, pain, swell))

    episodes = [
        TrueEpisode(
            joint,
            c.shape,
            c.rise,
            START + timedelta(c.onset),
            round(c.peak),
            START + timedelta(c.end),
            START + timedelta(c.signal_day()),
        )
        for joint, c in curves
    ]
    course = Course(name, readings, logged, truths, episodes, tags)
    if confounders.any:
        # Its own stream, so the diary underneath is the one drawn without them.
        _confound(
            random.Random(rng.getrandbits(64)),
            course,
            confounders,
            curves=curves,
            rate=rate,
            chronic=chronic,
            end=end,
        )
    return course


def _confound(
    rng: random.Random,
    course: Course,
    c: Confounders,
    *,
    curves: list[tuple[str, _Curve]],
    rate,
    chronic: str | None,
    end: int,
) -> None:
    """Add the confounders of `c` to a finished course, in place, rated by `rate`."""
    chain = {j for j, _ in curves}
    arthritic = {chronic} - {None}

    def curve_of(t: TrueMigration) -> _Curve:
        return next(
            cv
            for j, cv in curves
            if j == t.to_joint and START + timedelta(cv.onset) == t.onset
        )

    def pick(kinds: tuple[str, ...]) -> int | None:
        options = [
            i
            for i, t in enumerate(course.migrations)
            if t.kind in kinds and not t.confounder
        ]
        return rng.choice(options) if options else None

    def mark(i: int, name: str) -> None:
        course.migrations[i] = replace(course.migrations[i], confounder=name)
        course.tags.add(name)

    if c.holiday_onset and rng.random() < c.holiday_onset:
        i = pick(("overlap", "sequential"))
        if i is not None:
            cv = curve_of(course.migrations[i])
            h0 = cv.onset + rng.randint(0, 5)
            drop_days(course, h0, h0 + rng.randint(21, 28))
            mark(i, "holiday_onset")
    if c.gap_return and rng.random() < c.gap_return:
        i = pick(("sequential",))
        if i is not None:
            cv = curve_of(course.migrations[i])
            before = [o.end for _, o in curves if o.onset < cv.onset]
            stop = max(cv.onset - rng.randint(35, 56), max(before, default=0) + 5)
            felt = cv.onset + 1
            while felt < cv.end and cv.excess(felt) < 2:
                felt += 1
            # Back once the pain is plain to the patient, a few days after it is felt.
            if cv.onset - stop >= 14:
                drop_days(course, stop, felt + rng.randint(2, 7))
                mark(i, "gap_return")
    if c.chronic_flare and rng.random() < c.chronic_flare and curves:
        i = pick(("overlap", "sequential"))
        cv = curve_of(course.migrations[i]) if i is not None else curves[0][1]
        joint = course.migrations[i].to_joint if i is not None else curves[0][0]
        beside = [
            j
            for j in neighbours(joint)
            if j not in chain | arthritic and JOINTS[j].kind in ("hip", "knee")
        ] or [j for j in neighbours(joint) if j not in chain | arthritic]
        if beside:
            knee = rng.choice(beside)
            level = rng.uniform(2, 4)
            start = cv.onset + rng.randint(0, 7)
            flares = [(start, start + rng.randint(4, 10), rng.uniform(2, 4))]
            for t in range(end):
                if (
                    t > flares[-1][1] + 10
                    and abs(t - start) > 10
                    and rng.random() < 1 / 40
                ):
                    flares.append((t, t + rng.randint(3, 10), rng.uniform(2, 4)))
            readings = [r for r in course.readings if r.joint != knee]
            for day in course.logged_days:
                t = (day - START).days
                add = max((a for f0, f1, a in flares if f0 <= t <= f1), default=0.0)
                swell = int(add > 0 and rng.random() < 0.5)
                readings.append(Reading(day, knee, rate(level + add, rng), swell))
            course.readings = readings
            arthritic.add(knee)
            if i is not None:
                mark(i, "chronic_flare")
            course.tags.add("chronic_flare")
    if c.ache and rng.random() < c.ache:
        logged = set(course.logged_days)
        by_day = {(r.day, r.joint): k for k, r in enumerate(course.readings)}
        tracked = {r.joint for r in course.readings}
        # A bumped hand, a shoulder strained on crutches, a sore foot.
        likely = [
            j for j in JOINTS if JOINTS[j].kind in ("hand", "shoulder", "foot", "wrist")
        ]
        for _ in range(rng.randint(1, 4)):
            active = [
                cv for _, cv in curves if cv.onset < cv.end and cv.onset + 14 < end
            ]
            if active and rng.random() < 0.5:
                cv = rng.choice(active)
                t0 = rng.randint(cv.onset + 14, min(end, cv.end) - 1)
            else:
                t0 = rng.randrange(end)
            busy = {j for j, cv in curves if cv.onset - 7 <= t0 <= cv.end}
            pool = likely if rng.random() < 0.6 else sorted(tracked)
            options = [j for j in pool if j not in busy | arthritic]
            if not options:
                continue
            joint = rng.choice(options)
            felt = rng.uniform(2, 5)
            days = 1
            while days < 3 and rng.random() < 0.5:
                days += 1
            for t in range(t0, t0 + days):
                day = START + timedelta(t)
                if day not in logged:
                    continue
                put_reading(course, by_day, Reading(day, joint, rate(felt, rng), 0))
        course.tags.add("ache")


def generate_habits_cohort(
    n: int,
    seed: int = 0,
    *,
    messy_share: float = 1.0,
    confounders: Confounders | None = None,
) -> list[Course]:
    """n seeded courses from this generator; messy_share of them with habits."""
    rng = random.Random(seed)
    return [
        generate_habits_course(
            rng,
            messy=rng.random() < messy_share,
            name=f"h{seed}-{i}",
            confounders=confounders,
        )
        for i in range(n)
    ]
