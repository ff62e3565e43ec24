"""The detector's shortcuts for speed give what the plain definitions give."""

from __future__ import annotations

import math
from operator import itemgetter

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.detector import detect as d


def _plain_persistence(
    test: d._Test,
    readings: list[tuple[int, bool, bool]],
    lengths: dict[int, float],
    dry: dict[int, float],
) -> list[float]:
    """The sequential test as its docstring states it, one entry per (start, length,
    kind): `lengths` any transient's, `dry` a lingering ache's (which hardly swells)."""
    a, b = test.alpha, test.beta
    first = readings[0][0]
    tmo = ordinary = 1.0
    ordinary_k = starts = 0
    # [weight, likelihood, start, length, raised, seen, lingering]
    bumps: list[list] = []
    out = []
    kinds = [(length, w, False) for length, w in lengths.items()]
    kinds += [(length, w, True) for length, w in dry.items()]
    for ordinary_m, (day, raised, swollen) in enumerate(readings):
        tmo *= d.P_RAISED_TMO if raised else 1 - d.P_RAISED_TMO
        on = d.P_RAISED_BUMP if raised else 1 - d.P_RAISED_BUMP
        on_dry = on * d.LINGERING_SWOLLEN if swollen else on
        for bump in bumps:
            start, length, k, m = bump[2], bump[3], bump[4], bump[5]
            if length == d._FOREVER:
                bump[1] *= d.P_RAISED_TMO if raised else 1 - d.P_RAISED_TMO
            elif day < start + length:
                bump[1] *= on_dry if bump[6] else on
            else:
                bump[1] *= (a + k if raised else b + m - k) / (a + b + m)
                bump[4], bump[5] = k + raised, m + 1
        early = day - first < d.START_WINDOW_DAYS
        if raised and early and starts < len(d.START_WEIGHTS):
            share = d.START_WEIGHTS[starts]
            starts += 1
            for length, w, lingering in kinds:
                if length == d._FOREVER:
                    like = d.P_RAISED_TMO
                else:
                    like = on_dry if lingering else on
                bumps.append(
                    [
                        share * w,
                        ordinary * like,
                        day,
                        length,
                        ordinary_k,
                        ordinary_m,
                        lingering,
                    ]
                )
        ordinary *= (a + ordinary_k if raised else b + ordinary_m - ordinary_k) / (
            a + b + ordinary_m
        )
        ordinary_k += raised
        transient = sum(w * like for w, like, *_ in bumps)
        if early:
            transient += sum(d.START_WEIGHTS[starts:]) * ordinary
        out.append(math.log(tmo / transient))
    return out


def _plain_lengths(arthritic: bool) -> tuple[dict[int, float], dict[int, float]]:
    """Transient lengths -> probability, split into every other transient and the
    lingering aches (past the usual ache), straight from the module's figures."""
    if arthritic:
        days, aches = d._flaring_days(), (1 - d.SHIFT_SHARE) * (1 - d.FLARE_SHARE)
    else:
        days, aches = d.ACHE_DAYS, 1.0
    dry = {n: aches * w for n, w in d.ACHE_DAYS.items() if n > d.ACHE_USUAL_DAYS}
    return {n: w - dry.get(n, 0.0) for n, w in days.items()}, dry


readings_strategy = st.lists(
    st.tuples(st.integers(1, 4), st.booleans(), st.booleans()), min_size=1, max_size=30
).map(
    # (days since the previous reading, raised, swollen): the first reading is
    # raised, and only a raised reading counts as swollen.
    lambda steps: [
        (
            sum(gap for gap, _, _ in steps[: i + 1]),
            raised or i == 0,
            swollen and (raised or i == 0),
        )
        for i, (_, raised, swollen) in enumerate(steps)
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    readings=readings_strategy,
    arthritic=st.booleans(),
    raised=st.integers(0, 8),
    quiet=st.integers(0, 42),
    lingering_swollen=st.sampled_from([None, 0.0, 0.3, 1.0]),
)
def test_lengths_sharing_a_likelihood_give_the_plain_test(
    readings: list[tuple[int, bool, bool]],
    arthritic: bool,
    raised: int,
    quiet: int,
    lingering_swollen: float | None,
) -> None:
    # The module's own ratio (None), and the extremes: a lingering ache that never
    # swells, and one that swells as often as any other transient.
    saved = d.LINGERING_SWOLLEN
    if lingering_swollen is not None:
        d.LINGERING_SWOLLEN = lingering_swollen
    try:
        base = d._Baseline(arthritic=arthritic, raised=raised, quiet=quiet)
        test = d._Test.for_joint(readings[0][0], base)
        fast = [test.update(day, r, sw) for day, r, sw in readings]
        plain = _plain_persistence(test, readings, *_plain_lengths(arthritic))
    finally:
        d.LINGERING_SWOLLEN = saved
    for x, y in zip(fast, plain, strict=True):
        assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)


def test_a_lingering_ache_no_longer_explains_a_joint_that_swells() -> None:
    # Raised every day for a week: swollen, the tail of aches past the usual few
    # days cannot hold it back, so the evidence for TMO is the greater.
    base = d._Baseline(raised=0, quiet=42)
    dry, swollen = (d._Test.for_joint(0, base) for _ in range(2))
    for day in range(8):
        plain = dry.update(day, True)
        swelled = swollen.update(day, True, day > 0)
    assert swelled > plain


@settings(max_examples=100, deadline=None)
@given(
    pains=st.lists(
        st.lists(st.integers(0, 10), min_size=30, max_size=30), min_size=1, max_size=6
    ),
    rated=st.lists(
        st.lists(st.booleans(), min_size=30, max_size=30), min_size=6, max_size=6
    ),
    at=st.integers(0, 29),
)
def test_floor_computed_once_per_diary_gives_each_block_its_own(
    pains: list[list[int]], rated: list[list[bool]], at: int
) -> None:
    reported = [bytes(row) for row in rated[: len(pains)]]
    floor = d._Floor(pains, reported)
    # The 15 logged days up to the start of the block; in the first block, the
    # days so far. A joint counts if the patient rated it on one of them.
    start = at - at % 7
    lo, hi = (0, at + 1) if at < 7 else (max(0, start - 14), start + 1)
    rows = [pv[lo:hi] for pv, row in zip(pains, rated, strict=False) if any(row[lo:hi])]
    level = mean = 0.0
    if len(rows) >= 2:  # one joint alone is no floor for itself
        q = len(rows) // 4
        daily = sorted(map(itemgetter(q), map(sorted, zip(*rows, strict=True))))
        level = float(daily[len(daily) // 2])
    if rows:
        means = sorted(sum(row) for row in rows)
        mean = means[len(means) // 4] / (hi - lo)
    assert floor.at(at) == level
    assert floor.mean_at(at) == mean


def test_a_pools_raised_count_is_its_readings_at_or_above_the_level() -> None:
    base = d._Baseline()
    pains = [0, 1, 2, 3, 4, 0, 1, 2, 5, 0]
    swells = [0, 0, 1, 0, 1, 0, 0, 0, 2, 0]
    scores = bytes(p + s for p, s in zip(pains, swells, strict=True))
    r = d._JointResult("left_knee", list(range(10)), pains, swells, scores, [], None)
    base.add(r, 0, 10)
    base.refresh(0.0, 10)
    level = base.level
    assert base.raised == sum(
        p + s >= level for p, s in zip(pains, swells, strict=True)
    )
    assert base.quiet == 10 - base.raised


@given(values=st.lists(st.integers(0, 10), min_size=1, max_size=40))
def test_median_of_three_by_table_is_the_median(values: list[int]) -> None:
    expected = [
        sorted(values[max(0, i - 2) : i + 1])[0 if i < 2 else 1]
        for i in range(len(values))
    ]
    assert d._median3(values) == expected
