"""The timeline's first screen as static SVG, so the course page paints before
plotly.js loads: the geometry of every mark, for
templates/components/timeline_svg.html to draw, so every text in it is escaped
by the template engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.dashboard.figures.course import (
    PHASE_COLOURS,
    Course,
    add_months,
    phase_spans,
    recovery_window,
)
from apps.dashboard.figures.text import ENGLISH, FigureText
from apps.dashboard.figures.timeline import (
    BOTTOM_PX,
    FUTURE_DAYS,
    PAIN_COLOUR,
    ROW_GAP_PX,
    SWELLING_COLOUR,
    SWELLING_Y,
    TOP_PX,
    _Row,
    _rows,
)
from apps.diary.anatomy import JOINT_ORDER, JOINTS

SVG_WIDTH = 360  # a phone's card; the SVG scales to the card on wider screens
_MARGIN_L, _MARGIN_R = 30, 10  # as the figure's layout margin
_Y_RANGE = (-2.4, 10.6)  # as each row's y axis
RANGE_BUTTONS = ("1m", "3m", "6m", "1y", "All")


@dataclass(frozen=True)
class RangeButton:
    key: str  # data-range: the chart's range a tap opens
    label: str
    x: float
    width: float
    fill: str

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class MonthTick:
    x: float
    label: str  # day and month, e.g. "1 Apr"
    year: str


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float
    fill: str


@dataclass(frozen=True)
class GridLine:
    y: float
    value: int  # the pain value it marks, labelled left of the plot

    @property
    def label_y(self) -> float:
        return self.y + 4


@dataclass(frozen=True)
class Dots:
    d: str  # one path of zero-length strokes with round caps, one per row and kind
    size: float
    colour: str
    opacity: float


@dataclass(frozen=True)
class SvgRow:
    plot: Box  # the row's white plot area
    heading: str | None  # "Lower limbs" above the first row of a limb
    heading_y: float
    label: str
    label_y: float
    grid: list[GridLine]
    shades: list[Box]  # phase shading, then recovery windows
    lines: list[str]  # pain polyline "points", one per logged stretch
    dots: list[Dots]  # pain dots, then swelling dots by level


@dataclass(frozen=True)
class Arrow:
    x: float
    tail: float  # y where it starts (the source row's middle), and its label
    shaft_end: float
    head: float
    label: str

    @property
    def head_path(self) -> str:
        return (
            f"M{self.x - 4} {self.shaft_end}L{self.x + 4} {self.shaft_end}"
            f"L{self.x} {self.head}Z"
        )


@dataclass(frozen=True)
class EventLine:
    x: float
    label: str
    title: str  # the full title, shown on hover

    @property
    def label_x(self) -> float:
        return self.x + 2


@dataclass(frozen=True)
class StaticTimeline:
    width: int
    height: int
    title: str  # the SVG's accessible name
    margin_left: int
    plot_right: int
    top: int  # the plot's top edge
    plot_bottom: int
    month_label_y: int
    year_label_y: int
    event_label_y: int
    buttons: list[RangeButton]
    months: list[MonthTick]
    rows: list[SvgRow]
    arrows: list[Arrow]
    events: list[EventLine]
    nothing_logged: str | None  # shown when no joint is tracked
    nothing_logged_y: float
    pain_colour: str = PAIN_COLOUR
    grid_colour: str = "#eef1f5"


def timeline_static(
    course: Course,
    *,
    initial_days: int = 91,
    width: int = SVG_WIDTH,
    text: FigureText = ENGLISH,
) -> StaticTimeline:
    """The timeline as it first appears, as geometry for a static SVG (no plotly.js).

    Same rows, range and marks as timeline_figure (pain line broken on unlogged
    days, swelling dots, phase shading, recovery windows, migration arrows,
    events), so the course page paints at once; the interactive chart replaces
    it when the patient touches it. Positions are SVG user units, `width` wide.
    """
    joints = [j for j in JOINT_ORDER if j in course.joints]
    rows, plot_px = _rows(joints)
    end = course.today + dt.timedelta(days=FUTURE_DAYS)
    begin = max(course.start, course.today - dt.timedelta(days=initial_days))
    span = max((end - begin).days, 1)
    plot_w = width - _MARGIN_L - _MARGIN_R

    def x(day: dt.date) -> float:
        day = min(max(day, begin), end)
        return round(_MARGIN_L + plot_w * (day - begin).days / span, 1)

    def paper_y(fraction: float) -> float:
        return round(TOP_PX + (1 - fraction) * plot_px, 1)

    def value_y(row: _Row, value: float) -> float:
        low, high = _Y_RANGE
        share = row.bottom + (value - low) / (high - low) * (row.top - row.bottom)
        return paper_y(share)

    by_joint = {r.joint: r for r in rows}
    svg_rows = []
    previous_limb = None
    for row in rows:
        limb = JOINTS[row.joint].limb
        heading = None
        if limb != previous_limb:
            heading = text.lower_limbs if limb == "lower" else text.upper_limbs
            previous_limb = limb
        top, bottom = paper_y(row.top), paper_y(row.bottom)
        svg_rows.append(
            SvgRow(
                plot=Box(_MARGIN_L, top, plot_w, round(bottom - top, 1), "#fff"),
                heading=heading,
                heading_y=paper_y(row.top + (ROW_GAP_PX - 6) / plot_px),
                label=text.joints[row.joint],
                label_y=round(top - 4, 1),
                grid=[GridLine(value_y(row, tick), tick) for tick in (0, 5, 10)],
                shades=_shades(course, row.joint, begin, end, x, top, bottom),
                **_marks(course, row, begin, end, x, value_y),
            )
        )
    arrows = []
    for m in course.migrations:
        src, dst = by_joint.get(m.from_joint), by_joint.get(m.to_joint)
        if src is None or dst is None or not begin <= m.to_onset <= end:
            continue
        tail = paper_y((src.bottom + src.top) / 2)
        head = paper_y(dst.bottom + 0.55 * (dst.top - dst.bottom))
        tip = 6 if head > tail else -6
        arrows.append(
            Arrow(
                x=x(m.to_onset),
                tail=tail,
                shaft_end=round(head - tip, 1),
                head=head,
                label=text.moved % {"date": text.day_month(m.detected_on)},
            )
        )
    return StaticTimeline(
        width=width,
        height=plot_px + TOP_PX + BOTTOM_PX,
        title=text.svg_title
        % {
            "start": text.day_month_year(begin),
            "end": text.day_month_year(course.today),
        },
        margin_left=_MARGIN_L,
        plot_right=_MARGIN_L + plot_w,
        top=TOP_PX,
        plot_bottom=TOP_PX + plot_px,
        month_label_y=TOP_PX - 22,
        year_label_y=TOP_PX - 8,
        event_label_y=TOP_PX - 2,
        buttons=_buttons(text),
        months=_months(begin, end, x, text),
        rows=svg_rows,
        arrows=arrows,
        events=[
            EventLine(x(e.day), e.label, e.title or e.label)
            for e in course.events
            if begin <= e.day <= end
        ],
        nothing_logged=None if rows else text.nothing_logged,
        nothing_logged_y=TOP_PX + plot_px / 2,
    )


def _buttons(text: FigureText) -> list[RangeButton]:
    """Range buttons where the chart has its range selector; a tap opens the chart there."""
    buttons, bx = [], _MARGIN_L
    for key, label in zip(RANGE_BUTTONS, text.ranges, strict=True):
        w = 16 + 8 * len(label)
        fill = "#c9d8e8" if key == "3m" else "#eef1f5"
        buttons.append(RangeButton(key, label, bx, w, fill))
        bx += w + 5
    return buttons


def _months(begin: dt.date, end: dt.date, x, text: FigureText) -> list[MonthTick]:
    """Month ticks along the top, as the figure's date axis."""
    ticks = []
    month = dt.date(begin.year, begin.month, 1)
    while month <= end:
        if month >= begin:
            ticks.append(MonthTick(x(month), text.day_month(month), f"{month:%Y}"))
        month = add_months(month, 1)
    return ticks


def _shades(course: Course, joint: str, begin, end, x, top, bottom) -> list[Box]:
    """A joint's phase shading and, under an unresolved episode, its recovery window."""
    shades = []
    for episode in course.episodes:
        if episode.joint != joint:
            continue
        for phase, first, after in phase_spans(episode, course.today):
            if after <= begin or first > end:
                continue
            shades.append(
                Box(
                    x(first),
                    top,
                    round(x(after) - x(first), 1),
                    round(bottom - top, 1),
                    PHASE_COLOURS[phase],
                )
            )
        if episode.phase != "resolved":
            start, finish = recovery_window(episode.onset)
            if start <= end:
                shades.append(
                    Box(
                        x(start),
                        top,
                        round(x(finish) - x(start), 1),
                        round((bottom - top) * 0.1, 1),
                        "rgba(47, 125, 79, 0.35)",
                    )
                )
    return shades


def _marks(course: Course, row: _Row, begin, end, x, value_y) -> dict:
    """A row's pain lines (broken on unlogged days) and its pain and swelling dots."""
    lines: list[str] = []
    run: list[str] = []
    points: list[tuple[float, float]] = []
    by_level: dict[int, list[tuple[float, float]]] = {1: [], 2: [], 3: []}
    pain, swelling = course.pain(row.joint), course.swelling(row.joint)
    for day, p, sw in [*zip(course.days, pain, swelling, strict=True), (None,) * 3]:
        if day is not None and p is not None and begin <= day <= end:
            point = (x(day), value_y(row, p))
            run.append(f"{point[0]},{point[1]}")
            points.append(point)
            if sw:
                by_level[sw].append((point[0], value_y(row, SWELLING_Y)))
            continue
        if len(run) > 1:
            lines.append(" ".join(run))
        run = []
    dots = [_dots(points, 3, PAIN_COLOUR)]
    for level, hits in by_level.items():
        dots.append(_dots(hits, 3 + 3 * level, SWELLING_COLOUR, 0.35 + 0.2 * level))
    return {"lines": lines, "dots": [d for d in dots if d is not None]}


def _dots(points, size: float, colour: str, opacity: float = 1.0) -> Dots | None:
    if not points:
        return None
    # One path of zero-length strokes with round caps: one element per row, not per day.
    return Dots("".join(f"M{px} {py}h0" for px, py in points), size, colour, opacity)
