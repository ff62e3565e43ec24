"""The printable course: the geometry of a static SVG (pain lines, phase shading,
event ticks, month labels) for templates/dashboard/course_svg.html to draw, so
every text in it is escaped by the template engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.dashboard.figures.course import (
    PHASE_COLOURS,
    Course,
    add_months,
    phase_spans,
)
from apps.dashboard.figures.text import ENGLISH, FigureText
from apps.dashboard.figures.timeline import PAIN_COLOUR
from apps.diary.anatomy import JOINT_ORDER


@dataclass(frozen=True)
class Shade:
    x: float
    width: float
    fill: str


@dataclass(frozen=True)
class PrintRow:
    label: str
    label_y: float
    base_y: float  # the row's 0-pain line
    shade_y: float
    shade_height: float
    shades: list[Shade]
    lines: list[str]  # polyline "points", one per logged stretch


@dataclass(frozen=True)
class Tick:
    x: float
    label: str

    @property
    def text_x(self) -> float:
        return round(self.x + 2, 1)  # an event's label starts just right of its line


@dataclass(frozen=True)
class PrintCourse:
    width: int
    height: int
    label_width: int
    top: float
    bottom: float
    line_end: int  # where the rows' base lines stop
    event_label_y: float
    month_label_y: float
    title: str  # the SVG's accessible name
    pain_colour: str
    rows: list[PrintRow]
    events: list[Tick]  # vertical dashed lines with their labels
    months: list[Tick]  # month labels under the plot


def print_course(
    course: Course,
    *,
    width: int = 720,
    row_height: int = 46,
    text: FigureText = ENGLISH,
) -> PrintCourse:
    """Where everything of the printable course goes, in SVG user units."""
    joints = [j for j in JOINT_ORDER if j in course.joints]
    days = course.days
    label_w, top = 92, 18
    plot_w = width - label_w - 8
    bottom = top + row_height * max(len(joints), 1)
    n = max(len(days) - 1, 1)

    def x_of(day: dt.date) -> float:
        return round(label_w + plot_w * (day - course.start).days / n, 1)

    rows = []
    for i, code in enumerate(joints):
        y0 = top + i * row_height
        base = y0 + row_height - 6
        scale = (row_height - 10) / 10
        shades = []
        for e in course.episodes:
            if e.joint != code:
                continue
            for phase, first, after in phase_spans(e, course.today):
                x1, x2 = x_of(max(first, course.start)), x_of(min(after, course.today))
                if x2 > x1:
                    shades.append(Shade(x1, round(x2 - x1, 1), PHASE_COLOURS[phase]))
        lines, run = [], []
        for d, p in [*zip(days, course.pain(code), strict=True), (None, None)]:
            if p is not None and d is not None:
                run.append(f"{x_of(d)},{round(base - p * scale, 1)}")
                continue
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
        rows.append(
            PrintRow(
                label=text.joints[code],
                label_y=base - 12,
                base_y=base,
                shade_y=y0 + 2,
                shade_height=row_height - 8,
                shades=shades,
                lines=lines,
            )
        )
    events = [
        Tick(x_of(e.day), e.label)
        for e in course.events
        if course.start <= e.day <= course.today
    ]
    months = []
    month = dt.date(course.start.year, course.start.month, 1)
    while month <= course.today:
        if month >= course.start:
            months.append(
                Tick(x_of(month), f"{text.short_months[month.month - 1]} {month:%y}")
            )
        month = add_months(month, 1)
    return PrintCourse(
        width=width,
        height=bottom + 22,
        label_width=label_w,
        top=top,
        bottom=bottom,
        line_end=width - 8,
        event_label_y=top - 4,
        month_label_y=bottom + 14,
        title=text.svg_title
        % {
            "start": text.day_month_year(course.start),
            "end": text.day_month_year(course.today),
        },
        pain_colour=PAIN_COLOUR,
        rows=rows,
        events=events,
        months=months,
    )
