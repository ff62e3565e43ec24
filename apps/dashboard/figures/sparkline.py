"""The triage table's pain sparklines: a small SVG polyline per patient."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    lines: list[str]  # polyline "points" attributes, one per logged stretch
    dots: list[tuple[float, float]]  # logged days with no logged neighbour
    last: tuple[float, float] | None


def sparkline(
    values: Sequence[int | None], *, width: int = 84, height: int = 24
) -> Sparkline:
    """Pain 0-10 per day as SVG polylines, broken where a day was not logged."""
    n = len(values)
    step = width / max(n - 1, 1)
    pad = 2

    def point(i: int, v: int) -> tuple[float, float]:
        return round(i * step, 1), round(pad + (height - 2 * pad) * (1 - v / 10), 1)

    lines, dots, run = [], [], []
    for i, v in enumerate([*values, None]):
        if v is not None:
            run.append(point(i, v))
            continue
        if len(run) > 1:
            lines.append(" ".join(f"{x},{y}" for x, y in run))
        elif run:
            dots.append(run[0])
        run = []
    last = next(
        (point(i, v) for i, v in reversed(list(enumerate(values))) if v is not None),
        None,
    )
    return Sparkline(width=width, height=height, lines=lines, dots=dots, last=last)


def shift_series(
    values: Sequence[int | None], *, ends_on: dt.date, today: dt.date
) -> list[int | None]:
    """A stored daily series ending on ends_on, re-aligned to end today (new days missing)."""
    lag = (today - ends_on).days
    if lag <= 0:
        return list(values)
    return [*list(values)[lag:], *([None] * min(lag, len(values)))]
