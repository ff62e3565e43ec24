"""Plain course data in, drawings out: Plotly figure dicts, the body map, SVG snippets.

Pure module: no Django, no clock (`today` is part of the data). Everything the
patient page, the physician detail page and the printable summary draw is built
here, so tests check the drawings as data.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import plotly.graph_objects as go

from apps.diary.anatomy import JOINT_ORDER, JOINTS, neighbours

# Trace types the vendored plotly.js bundle (static/vendor/plotly) contains;
# tests/dashboard checks both this list against the bundle and every figure against it.
BUNDLE_TRACE_TYPES = frozenset({"scatter", "bar", "pie"})

PHASE_COLOURS = {
    "rising": "rgba(201, 98, 43, 0.22)",
    "peak": "rgba(179, 38, 30, 0.26)",
    "improving": "rgba(176, 138, 30, 0.18)",
    "resolved": "rgba(47, 125, 79, 0.18)",
}
PHASE_LABELS = {
    "rising": "Rising",
    "peak": "At its peak",
    "improving": "Improving",
    "resolved": "Resolved",
}
# The plateau after the peak day is not stored, so a finished peak is drawn this long.
PEAK_SHADE_DAYS = 14
# The detector needs this many near-baseline days to call an episode healed
# (detect.RESOLVE_DAYS); that healed stretch is what the "resolved" shade shows.
HEALED_STRETCH_DAYS = 21
# Typical recovery window of one episode (CLINICAL.md): 3 to 9 months after onset.
RECOVERY_MONTHS = (3, 9)

PAIN_COLOUR = "#24507a"
SWELLING_COLOUR = "#7b4fa0"
SWELLING_NAMES = ("none", "mild", "moderate", "severe")
ROW_PX = (
    88  # fixed height per joint row: readable on a 390 px phone, scrolls with the page
)
ROW_GAP_PX = 22  # room for the row's label
LIMB_GAP_PX = 24  # extra space before the next limb's group heading
TOP_PX = 80  # range buttons and the date axis
BOTTOM_PX = 16
SWELLING_Y = -1.4  # swelling markers sit in a strip under the 0-10 pain scale
DAY_MS = 86_400_000
# The date axis ends this far past today: room for today's point without making
# "1 month" half empty. Recovery windows further ahead are given in words.
FUTURE_DAYS = 4


@dataclass(frozen=True)
class EpisodeSpan:
    joint: str
    onset: dt.date
    peak: dt.date
    phase: str  # "rising" | "peak" | "improving" | "resolved"
    resolved_on: dt.date | None = None
    peak_pain: int = 0


@dataclass(frozen=True)
class MigrationMark:
    from_joint: str
    to_joint: str
    to_onset: dt.date
    detected_on: dt.date


@dataclass(frozen=True)
class EventMark:
    day: dt.date
    label: str  # short text on the marker, e.g. "MRI L hip"
    title: str = ""  # longer hover text
    joint: str | None = None


@dataclass(frozen=True)
class Course:
    """One patient's diary and findings from `start` to `today`, both inclusive."""

    start: dt.date
    today: dt.date
    joints: tuple[str, ...]  # anatomy codes, in JOINT_ORDER
    logged: frozenset[dt.date]
    # (day, joint) → (pain 0-10, swelling 0-3); a logged day without a key is 0/0.
    readings: dict[tuple[dt.date, str], tuple[int, int]] = field(default_factory=dict)
    episodes: tuple[EpisodeSpan, ...] = ()
    migrations: tuple[MigrationMark, ...] = ()
    events: tuple[EventMark, ...] = ()

    @property
    def days(self) -> list[dt.date]:
        n = (self.today - self.start).days + 1
        return [self.start + dt.timedelta(days=i) for i in range(max(n, 0))]

    def pain(self, joint: str) -> list[int | None]:
        """Daily pain from start to today; None on days the patient did not log."""
        return [
            self.readings.get((d, joint), (0, 0))[0] if d in self.logged else None
            for d in self.days
        ]

    def swelling(self, joint: str) -> list[int | None]:
        return [
            self.readings.get((d, joint), (0, 0))[1] if d in self.logged else None
            for d in self.days
        ]

    @property
    def active_episodes(self) -> list[EpisodeSpan]:
        return [e for e in self.episodes if e.phase != "resolved"]


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later; 31 Jan + 1 month is the last day of February."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from start to end (0 in the first month)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (end.day < start.day)


def recovery_window(onset: dt.date) -> tuple[dt.date, dt.date]:
    """When an episode starting on onset usually heals: onset+3 to onset+9 months."""
    return add_months(onset, RECOVERY_MONTHS[0]), add_months(onset, RECOVERY_MONTHS[1])


def phase_spans(
    episode: EpisodeSpan, today: dt.date
) -> list[tuple[str, dt.date, dt.date]]:
    """(phase, first day, day after last) of the stretches one episode went through."""
    spans: list[tuple[str, dt.date, dt.date]] = []
    end_of_episode = episode.resolved_on or today + dt.timedelta(days=1)
    peak = min(episode.peak, end_of_episode)
    if episode.phase == "rising":
        return [("rising", episode.onset, end_of_episode)]
    if peak > episode.onset:
        spans.append(("rising", episode.onset, peak))
    if episode.phase == "peak":
        spans.append(("peak", peak, end_of_episode))
        return spans
    peak_end = min(peak + dt.timedelta(days=PEAK_SHADE_DAYS), end_of_episode)
    spans.append(("peak", peak, peak_end))
    if end_of_episode > peak_end:
        spans.append(("improving", peak_end, end_of_episode))
    if episode.phase == "resolved" and episode.resolved_on is not None:
        healed_end = min(
            episode.resolved_on + dt.timedelta(days=HEALED_STRETCH_DAYS),
            today + dt.timedelta(days=1),
        )
        spans.append(("resolved", episode.resolved_on, healed_end))
    return [s for s in spans if s[2] > s[1]]


@dataclass(frozen=True)
class _Row:
    joint: str
    index: int  # 1-based plotly axis number
    bottom: float  # paper coordinates
    top: float


def _rows(joints: Sequence[str]) -> tuple[list[_Row], int]:
    """Stack the rows top to bottom, grouped by limb; returns rows and plot height (px)."""
    heights: list[tuple[str, int, int]] = []  # joint, px above the row, row px
    previous_limb = None
    for code in joints:
        limb = JOINTS[code].limb
        # Every limb group, the first included, gets room for its heading.
        gap = ROW_GAP_PX + (LIMB_GAP_PX if limb != previous_limb else 0)
        heights.append((code, gap, ROW_PX))
        previous_limb = limb
    total = sum(g + h for _, g, h in heights)
    if not total:  # nothing tracked or logged yet: an empty chart of one row's height
        return [], ROW_PX
    rows, y = [], total
    for i, (code, gap, height) in enumerate(heights, start=1):
        y -= gap
        top = y / total
        y -= height
        rows.append(_Row(code, i, round(y / total, 4), round(top, 4)))
    return rows, total


def timeline_figure(course: Course, *, initial_days: int = 91) -> dict:
    """The course timeline as a Plotly figure dict ({"data", "layout", "config"}).

    One row per joint on one shared date axis; pain is a line broken on unlogged
    days (never drawn as 0), swelling markers sit under it, episode phases and the
    3-9 month recovery window are shaded, migrations are arrows between rows and
    clinical events are vertical lines.
    """
    joints = [j for j in JOINT_ORDER if j in course.joints]
    rows, plot_px = _rows(joints)
    by_joint = {r.joint: r for r in rows}
    fig = go.Figure()
    x0 = course.start.isoformat()
    for row in rows:
        axis = "" if row.index == 1 else str(row.index)
        label = JOINTS[row.joint].label
        # x0/dx instead of a date per point: the JSON carries one date per trace.
        fig.add_trace(
            go.Scatter(
                x0=x0,
                dx=DAY_MS,
                y=course.pain(row.joint),
                # Markers too, so a logged day between two unlogged ones still shows.
                mode="lines+markers",
                connectgaps=False,
                line={"color": PAIN_COLOUR, "width": 2},
                marker={"color": PAIN_COLOUR, "size": 3},
                name=label,
                showlegend=False,
                xaxis="x",
                yaxis=f"y{axis}",
                hovertemplate=f"%{{x|%a %d %b %Y}}<br>Pain %{{y}}/10<extra>{label}</extra>",
            )
        )
        swelling = course.swelling(row.joint)
        days = course.days
        for level in (1, 2, 3):
            hits = [
                d.isoformat() for d, s in zip(days, swelling, strict=True) if s == level
            ]
            if not hits:
                continue
            fig.add_trace(
                go.Scatter(
                    x=hits,
                    y=[SWELLING_Y] * len(hits),
                    mode="markers",
                    marker={
                        "color": SWELLING_COLOUR,
                        "size": 3 + 3 * level,
                        "opacity": 0.35 + 0.2 * level,
                    },
                    name=f"Swelling: {SWELLING_NAMES[level]}",
                    legendgroup=f"swelling-{level}",
                    showlegend=False,
                    xaxis="x",
                    yaxis=f"y{axis}",
                    hovertemplate=f"%{{x|%a %d %b}}<br>Swelling {SWELLING_NAMES[level]}<extra>{label}</extra>",
                )
            )

    shapes: list[dict] = []
    annotations: list[dict] = []
    previous_limb = None
    for row in rows:
        axis = "" if row.index == 1 else str(row.index)
        info = JOINTS[row.joint]
        if info.limb != previous_limb:
            annotations.append(
                _text(
                    "Lower limbs" if info.limb == "lower" else "Upper limbs",
                    y=row.top + (ROW_GAP_PX - 6) / plot_px,
                    bold=True,
                )
            )
            previous_limb = info.limb
        annotations.append(_text(info.label, y=row.top + 2 / plot_px))

    for episode in course.episodes:
        row = by_joint.get(episode.joint)
        if row is None:
            continue
        yref = f"y{'' if row.index == 1 else row.index} domain"
        for phase, first, after in phase_spans(episode, course.today):
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": yref,
                    "x0": first.isoformat(),
                    "x1": after.isoformat(),
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": PHASE_COLOURS[phase],
                    "line": {"width": 0},
                    "layer": "below",
                    "name": f"{phase}:{episode.joint}",
                }
            )
        if episode.phase != "resolved":
            start, end = recovery_window(episode.onset)
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": yref,
                    "x0": start.isoformat(),
                    "x1": end.isoformat(),
                    "y0": 0.9,
                    "y1": 1,
                    "fillcolor": "rgba(47, 125, 79, 0.35)",
                    "line": {"width": 0},
                    "layer": "below",
                    "name": f"recovery:{episode.joint}",
                }
            )

    for m in course.migrations:
        src, dst = by_joint.get(m.from_joint), by_joint.get(m.to_joint)
        if src is None or dst is None:
            continue
        axis = "" if dst.index == 1 else str(dst.index)
        height = dst.top - dst.bottom
        tail = ((src.bottom + src.top) / 2 - dst.bottom) / height
        annotations.append(
            {
                "xref": "x",
                "yref": f"y{axis} domain",
                "axref": "x",
                "ayref": f"y{axis} domain",
                "x": m.to_onset.isoformat(),
                "y": 0.55,
                "ax": m.to_onset.isoformat(),
                "ay": round(tail, 4),
                "text": f"moved {m.detected_on:%-d %b}",
                "showarrow": True,
                "arrowhead": 2,
                "arrowsize": 1.2,
                "arrowwidth": 2,
                "arrowcolor": "#b3261e",
                "font": {"size": 10, "color": "#b3261e"},
                "bgcolor": "rgba(255,255,255,0.85)",
                "name": f"migration:{m.from_joint}>{m.to_joint}",
            }
        )

    for event in course.events:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": event.day.isoformat(),
                "x1": event.day.isoformat(),
                "y0": 0,
                "y1": 1,
                "line": {"color": "#3d4a57", "width": 1.5, "dash": "dot"},
                "name": f"event:{event.label}",
            }
        )
        annotations.append(
            {
                "xref": "x",
                "yref": "paper",
                "x": event.day.isoformat(),
                "y": 1,
                "yanchor": "bottom",
                "xanchor": "left",
                "text": escape(event.label),
                "hovertext": escape(event.title or event.label),
                "showarrow": False,
                "textangle": -45,
                "font": {"size": 10, "color": "#3d4a57"},
                "name": f"event:{event.label}",
            }
        )

    if not rows:
        annotations.append(
            _text("Nothing logged yet: your days will appear here.", y=0.5)
        )
    end = course.today + dt.timedelta(days=FUTURE_DAYS)
    begin = max(course.start, course.today - dt.timedelta(days=initial_days))
    layout: dict = {
        "template": "none",
        "height": plot_px + TOP_PX + BOTTOM_PX,
        "margin": {"l": 30, "r": 10, "t": TOP_PX, "b": BOTTOM_PX},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#ffffff",
        "font": {"family": "system-ui, sans-serif", "size": 11, "color": "#1d2733"},
        "dragmode": False,
        "hovermode": "closest",
        "showlegend": False,
        "shapes": shapes,
        "annotations": annotations,
        "xaxis": {
            "type": "date",
            "side": "top",
            # Drawn along the top of the whole plot, above the first limb heading.
            "anchor": "free",
            "position": 1,
            "range": [begin.isoformat(), end.isoformat()],
            # Range buttons step back from the axis end; clipping "all" at the same
            # end keeps "1 month" meaning the last month, not a future window.
            "autorangeoptions": {"clipmax": end.isoformat()},
            "fixedrange": True,
            "showgrid": True,
            "gridcolor": "#eef1f5",
            "tickformat": "%-d %b<br>%Y",
            "rangeselector": {
                "buttons": [
                    {
                        "count": 1,
                        "label": "1m",
                        "step": "month",
                        "stepmode": "backward",
                    },
                    {
                        "count": 3,
                        "label": "3m",
                        "step": "month",
                        "stepmode": "backward",
                    },
                    {
                        "count": 6,
                        "label": "6m",
                        "step": "month",
                        "stepmode": "backward",
                    },
                    {"count": 1, "label": "1y", "step": "year", "stepmode": "backward"},
                    {"step": "all", "label": "All"},
                ],
                "x": 0,
                # Paper units: near the top of the margin, above the date labels.
                "y": round(1 + (TOP_PX - 2) / plot_px, 4),
                "yanchor": "top",
                "bgcolor": "#eef1f5",
                "activecolor": "#c9d8e8",
                "font": {"size": 13},
            },
        },
    }
    for row in rows:
        key = "yaxis" if row.index == 1 else f"yaxis{row.index}"
        layout[key] = {
            "domain": [row.bottom, row.top],
            "range": [-2.4, 10.6],
            "tickvals": [0, 5, 10],
            "fixedrange": True,
            "zeroline": False,
            "gridcolor": "#eef1f5",
            "anchor": "x",
        }
    fig.update_layout(layout)
    figure = json.loads(fig.to_json())
    figure["config"] = {
        "responsive": True,
        "displayModeBar": False,
        "scrollZoom": False,
        "doubleClick": False,
    }
    return figure


# Static first screen of the timeline ------------------------------------------

SVG_WIDTH = 360  # a phone's card; the SVG scales to the card on wider screens
_MARGIN_L, _MARGIN_R = 30, 10  # as the figure's layout margin
_Y_RANGE = (-2.4, 10.6)  # as each row's y axis
RANGE_BUTTONS = ("1m", "3m", "6m", "1y", "All")


def timeline_svg(
    course: Course, *, initial_days: int = 91, width: int = SVG_WIDTH
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
        f"<title>Daily pain and swelling per joint, {begin:%-d %b %Y} to "
        f"{course.today:%-d %b %Y}</title>"
    ]
    # Range buttons where the chart has its range selector; a tap opens the chart there.
    bx = _MARGIN_L
    for label in RANGE_BUTTONS:
        w = 16 + 8 * len(label)
        out.append(
            f'<g class="range-button" data-range="{label}"><rect x="{bx}" y="4" '
            f'width="{w}" height="22" rx="3" fill="{"#c9d8e8" if label == "3m" else "#eef1f5"}"/>'
            f'<text x="{bx + w / 2}" y="19.5" text-anchor="middle" font-size="13">{label}</text></g>'
        )
        bx += w + 5
    # Month ticks along the top, as the figure's date axis.
    month = dt.date(begin.year, begin.month, 1)
    while month <= end:
        if month >= begin:
            mx = x(month)
            out.append(
                f'<line x1="{mx}" y1="{TOP_PX}" x2="{mx}" y2="{TOP_PX + plot_px}" stroke="#eef1f5"/>'
                f'<text x="{mx}" y="{TOP_PX - 22}" text-anchor="middle">{month:%-d %b}</text>'
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
            heading = "Lower limbs" if info.limb == "lower" else "Upper limbs"
            out.append(
                f'<text x="{_MARGIN_L}" y="{paper_y(row.top + (ROW_GAP_PX - 6) / plot_px)}" '
                f'font-size="13" font-weight="bold">{heading}</text>'
            )
            previous_limb = info.limb
        out.append(
            f'<text x="{_MARGIN_L}" y="{round(top - 4, 1)}" font-size="12" fill="#5d6b7a">'
            f"{escape(info.label)}</text>"
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
            f"moved {m.detected_on:%-d %b}</text>"
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
            "Nothing logged yet: your days will appear here.</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _text(text: str, *, y: float, bold: bool = False) -> dict:
    return {
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": round(y, 4),
        "xanchor": "left",
        "yanchor": "bottom",
        "text": f"<b>{escape(text)}</b>" if bold else escape(text),
        "showarrow": False,
        "font": {"size": 13 if bold else 12, "color": "#1d2733" if bold else "#5d6b7a"},
    }


def trace_types(figure: dict) -> set[str]:
    """The trace types a figure dict needs from plotly.js (scatter when unset)."""
    return {trace.get("type", "scatter") for trace in figure.get("data", [])}


# Body map -------------------------------------------------------------------

# Front view, viewBox 0 0 200 400: the patient's left is on the viewer's right.
JOINT_XY: dict[str, tuple[int, int]] = {
    "right_shoulder": (68, 86),
    "left_shoulder": (132, 86),
    "right_elbow": (56, 146),
    "left_elbow": (144, 146),
    "right_wrist": (48, 198),
    "left_wrist": (152, 198),
    "right_hand": (44, 220),
    "left_hand": (156, 220),
    "right_hip": (85, 200),
    "left_hip": (115, 200),
    "right_knee": (83, 284),
    "left_knee": (117, 284),
    "right_ankle": (81, 358),
    "left_ankle": (119, 358),
    "right_foot": (76, 380),
    "left_foot": (124, 380),
}


def pain_colour(pain: int | None) -> str:
    """Fill for a pain score: grey when unknown, then green → yellow → orange → red."""
    if pain is None:
        return "#d8dee6"
    if pain == 0:
        return "#9cc5a8"
    if pain <= 3:
        return "#e3c15a"
    if pain <= 6:
        return "#e08a3c"
    return "#c0392b"


@dataclass(frozen=True)
class BodyJoint:
    code: str
    label: str
    x: int
    y: int
    pain: int | None
    fill: str
    active: bool  # part of an active episode
    likely_next: bool  # adjacent/contralateral of an active episode, itself quiet
    order: int | None  # 1-based position in the path the trouble took


@dataclass(frozen=True)
class BodyMap:
    joints: list[BodyJoint]
    path: str  # SVG polyline points through the episodes in onset order
    as_of: dt.date | None  # the logged day whose pain is shown
    likely_labels: list[str]


def body_map(course: Course) -> BodyMap:
    """Joints coloured by the latest logged day's pain, the migration path, and likely next joints."""
    as_of = max((d for d in course.logged if d <= course.today), default=None)
    order: dict[str, int] = {}
    path_points = []
    for episode in sorted(course.episodes, key=lambda e: e.onset):
        if episode.joint not in order:
            order[episode.joint] = len(order) + 1
        x, y = JOINT_XY[episode.joint]
        if not path_points or path_points[-1] != (x, y):
            path_points.append((x, y))
    active = {e.joint for e in course.active_episodes}
    likely = {n for j in active for n in neighbours(j)} - active
    shown = set(course.joints) | set(order)
    joints = []
    for code in JOINT_ORDER:
        pain = None
        if as_of is not None and code in shown:
            pain = course.readings.get((as_of, code), (0, 0))[0]
        x, y = JOINT_XY[code]
        joints.append(
            BodyJoint(
                code=code,
                label=JOINTS[code].label,
                x=x,
                y=y,
                pain=pain,
                fill=pain_colour(pain),
                active=code in active,
                likely_next=code in likely,
                order=order.get(code),
            )
        )
    return BodyMap(
        joints=joints,
        path=" ".join(f"{x},{y}" for x, y in path_points),
        as_of=as_of,
        likely_labels=[JOINTS[c].label for c in JOINT_ORDER if c in likely],
    )


# Sparkline ------------------------------------------------------------------


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


# Printable course (static SVG) ----------------------------------------------


def course_svg(course: Course, *, width: int = 720, row_height: int = 46) -> str:
    """A static SVG of the course for print: pain lines, phase shading, event ticks."""
    joints = [j for j in JOINT_ORDER if j in course.joints]
    days = course.days
    label_w, top = 92, 18
    plot_w = width - label_w - 8
    height = top + row_height * max(len(joints), 1) + 22
    n = max(len(days) - 1, 1)

    def x_of(day: dt.date) -> float:
        return round(label_w + plot_w * (day - course.start).days / n, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="Pain per joint from {course.start:%d %b %Y} '
        f'to {course.today:%d %b %Y}" font-family="sans-serif" font-size="11">'
    ]
    for i, code in enumerate(joints):
        y0 = top + i * row_height
        base = y0 + row_height - 6
        scale = (row_height - 10) / 10
        parts.append(
            f'<text x="0" y="{base - 12}" fill="#1d2733">{escape(JOINTS[code].label)}</text>'
            f'<line x1="{label_w}" y1="{base}" x2="{width - 8}" y2="{base}" stroke="#d8dee6"/>'
        )
        for e in course.episodes:
            if e.joint != code:
                continue
            for phase, first, after in phase_spans(e, course.today):
                x1, x2 = x_of(max(first, course.start)), x_of(min(after, course.today))
                if x2 > x1:
                    parts.append(
                        f'<rect x="{x1}" y="{y0 + 2}" width="{round(x2 - x1, 1)}" '
                        f'height="{row_height - 8}" fill="{PHASE_COLOURS[phase]}"/>'
                    )
        run: list[str] = []
        for d, p in [*zip(days, course.pain(code), strict=True), (None, None)]:
            if p is not None and d is not None:
                run.append(f"{x_of(d)},{round(base - p * scale, 1)}")
                continue
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" '
                    f'stroke="{PAIN_COLOUR}" stroke-width="1.4"/>'
                )
            run = []
    bottom = top + row_height * max(len(joints), 1)
    for event in course.events:
        if course.start <= event.day <= course.today:
            x = x_of(event.day)
            parts.append(
                f'<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="#3d4a57" '
                f'stroke-dasharray="2 2"/><text x="{x + 2}" y="{top - 4}" font-size="9">'
                f"{escape(event.label)}</text>"
            )
    month = dt.date(course.start.year, course.start.month, 1)
    while month <= course.today:
        if month >= course.start:
            x = x_of(month)
            parts.append(
                f'<text x="{x}" y="{bottom + 14}" fill="#5d6b7a" font-size="9">{month:%b %y}</text>'
            )
        month = add_months(month, 1)
    parts.append("</svg>")
    return "".join(parts)
