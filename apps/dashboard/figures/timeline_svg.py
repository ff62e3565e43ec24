"""The timeline's first screen as static SVG, so the course page paints before
plotly.js loads; every text in it goes through escape()."""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

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


def timeline_svg(
    course: Course,
    *,
    initial_days: int = 91,
    width: int = SVG_WIDTH,
    text: FigureText = ENGLISH,
) -> str:
    """The timeline as it first appears, drawn as static SVG (no plotly.js needed).

    Same rows, range and marks as timeline_figure (pain line broken on unlogged
    days, swelling dots, phase shading, recovery windows, migration arrows,
    events), so the course page paints at once; the interactive chart replaces
    it when the patient touches it.
    """
    joints = [j for j in JOINT_ORDER if j in course.joints]
    rows, plot_px = _rows(joints)
    height = plot_px + TOP_PX + BOTTOM_PX
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

    def dots(points: list[tuple[float, float]], size: float, colour: str, opacity=1.0):
        if not points:
            return ""
        # One path of zero-length strokes with round caps: one element per row, not per day.
        d = "".join(f"M{px} {py}h0" for px, py in points)
        return (
            f'<path d="{d}" stroke="{colour}" stroke-width="{size}" '
            f'stroke-linecap="round" stroke-opacity="{opacity}" fill="none"/>'
        )

    out = [
        # Its own size at most: on a wide screen it stays a phone-sized drawing
        # rather than blowing its text up; the interactive chart fills the width.
        f'<svg class="timeline-static" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="100%" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" '
        f'font-family="system-ui, sans-serif" font-size="11" fill="#1d2733">'
        f"<title>{escape(text.svg_title % {'start': text.day_month_year(begin), 'end': text.day_month_year(course.today)})}</title>"
    ]
    # Range buttons where the chart has its range selector; a tap opens the chart there.
    bx = _MARGIN_L
    for key, label in zip(RANGE_BUTTONS, text.ranges, strict=True):
        w = 16 + 8 * len(label)
        out.append(
            f'<g class="range-button" data-range="{key}"><rect x="{bx}" y="4" '
            f'width="{w}" height="22" rx="3" fill="{"#c9d8e8" if key == "3m" else "#eef1f5"}"/>'
            f'<text x="{bx + w / 2}" y="19.5" text-anchor="middle" font-size="13">{escape(label)}</text></g>'
        )
        bx += w + 5
    # Month ticks along the top, as the figure's date axis.
    month = dt.date(begin.year, begin.month, 1)
    while month <= end:
        if month >= begin:
            mx = x(month)
            out.append(
                f'<line x1="{mx}" y1="{TOP_PX}" x2="{mx}" y2="{TOP_PX + plot_px}" stroke="#eef1f5"/>'
                f'<text x="{mx}" y="{TOP_PX - 22}" text-anchor="middle">{escape(text.day_month(month))}</text>'
                f'<text x="{mx}" y="{TOP_PX - 8}" text-anchor="middle">{month:%Y}</text>'
            )
        month = add_months(month, 1)

    by_joint = {r.joint: r for r in rows}
    days = course.days
    previous_limb = None
    for row in rows:
        info = JOINTS[row.joint]
        top, bottom = paper_y(row.top), paper_y(row.bottom)
        out.append(
            f'<rect x="{_MARGIN_L}" y="{top}" width="{plot_w}" height="{round(bottom - top, 1)}" fill="#fff"/>'
        )
        if info.limb != previous_limb:
            heading = text.lower_limbs if info.limb == "lower" else text.upper_limbs
            out.append(
                f'<text x="{_MARGIN_L}" y="{paper_y(row.top + (ROW_GAP_PX - 6) / plot_px)}" '
                f'font-size="13" font-weight="bold">{escape(heading)}</text>'
            )
            previous_limb = info.limb
        out.append(
            f'<text x="{_MARGIN_L}" y="{round(top - 4, 1)}" font-size="12" fill="#5d6b7a">'
            f"{escape(text.joints[row.joint])}</text>"
        )
        for tick in (0, 5, 10):
            ty = value_y(row, tick)
            out.append(
                f'<line x1="{_MARGIN_L}" y1="{ty}" x2="{_MARGIN_L + plot_w}" y2="{ty}" stroke="#eef1f5"/>'
                f'<text x="{_MARGIN_L - 4}" y="{ty + 4}" text-anchor="end">{tick}</text>'
            )
        for episode in course.episodes:
            if episode.joint != row.joint:
                continue
            for phase, first, after in phase_spans(episode, course.today):
                if after <= begin or first > end:
                    continue
                out.append(
                    f'<rect x="{x(first)}" y="{top}" width="{round(x(after) - x(first), 1)}" '
                    f'height="{round(bottom - top, 1)}" fill="{PHASE_COLOURS[phase]}"/>'
                )
            if episode.phase != "resolved":
                start, finish = recovery_window(episode.onset)
                if start <= end:
                    out.append(
                        f'<rect x="{x(start)}" y="{top}" width="{round(x(finish) - x(start), 1)}" '
                        f'height="{round((bottom - top) * 0.1, 1)}" fill="rgba(47, 125, 79, 0.35)"/>'
                    )
        pain = course.pain(row.joint)
        swelling = course.swelling(row.joint)
        run: list[str] = []
        points: list[tuple[float, float]] = []
        by_level: dict[int, list[tuple[float, float]]] = {1: [], 2: [], 3: []}
        for day, p, sw in [*zip(days, pain, swelling, strict=True), (None, None, None)]:
            if day is not None and p is not None and begin <= day <= end:
                point = (x(day), value_y(row, p))
                run.append(f"{point[0]},{point[1]}")
                points.append(point)
                if sw:
                    by_level[sw].append((point[0], value_y(row, SWELLING_Y)))
                continue
            if len(run) > 1:
                out.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{PAIN_COLOUR}" stroke-width="2"/>'
                )
            run = []
        out.append(dots(points, 3, PAIN_COLOUR))
        for level, hits in by_level.items():
            out.append(dots(hits, 3 + 3 * level, SWELLING_COLOUR, 0.35 + 0.2 * level))

    for m in course.migrations:
        src, dst = by_joint.get(m.from_joint), by_joint.get(m.to_joint)
        if src is None or dst is None or not begin <= m.to_onset <= end:
            continue
        mx = x(m.to_onset)
        tail = paper_y((src.bottom + src.top) / 2)
        head = paper_y(dst.bottom + 0.55 * (dst.top - dst.bottom))
        tip = 6 if head > tail else -6
        out.append(
            f'<line x1="{mx}" y1="{tail}" x2="{mx}" y2="{round(head - tip, 1)}" stroke="#b3261e" stroke-width="2"/>'
            f'<path d="M{mx - 4} {round(head - tip, 1)}L{mx + 4} {round(head - tip, 1)}L{mx} {head}Z" fill="#b3261e"/>'
            f'<text x="{mx}" y="{tail}" text-anchor="middle" font-size="10" fill="#b3261e" '
            f'stroke="rgba(255,255,255,0.85)" stroke-width="3" paint-order="stroke">'
            f"{escape(text.moved % {'date': text.day_month(m.detected_on)})}</text>"
        )
    for event in course.events:
        if not begin <= event.day <= end:
            continue
        ex = x(event.day)
        out.append(
            f'<line x1="{ex}" y1="{TOP_PX}" x2="{ex}" y2="{TOP_PX + plot_px}" stroke="#3d4a57" '
            f'stroke-width="1.5" stroke-dasharray="2 3"/>'
            f'<text transform="translate({ex + 2} {TOP_PX - 2}) rotate(-45)" font-size="10" '
            f'fill="#3d4a57"><title>{escape(event.title or event.label)}</title>{escape(event.label)}</text>'
        )
    if not rows:
        out.append(
            f'<text x="{_MARGIN_L}" y="{TOP_PX + plot_px / 2}" font-size="12" fill="#5d6b7a">'
            f"{escape(text.nothing_logged)}</text>"
        )
    out.append("</svg>")
    return "".join(out)
