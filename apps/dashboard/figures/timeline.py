"""The course timeline as a Plotly figure dict: one row per joint on one date axis."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

import plotly.graph_objects as go

from apps.dashboard.figures.course import (
    PHASE_COLOURS,
    Course,
    phase_spans,
    recovery_window,
)
from apps.dashboard.figures.text import ENGLISH, FigureText
from apps.diary.anatomy import JOINT_ORDER, JOINTS

# Trace types the vendored plotly.js bundle (static/vendor/plotly) contains;
# tests/dashboard checks both this list against the bundle and every figure against it.
BUNDLE_TRACE_TYPES = frozenset({"scatter", "bar", "pie"})

PAIN_COLOUR = "#24507a"
SWELLING_COLOUR = "#7b4fa0"
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


def timeline_figure(
    course: Course, *, initial_days: int = 91, text: FigureText = ENGLISH
) -> dict:
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
        label = text.joints[row.joint]
        # Hover templates are HTML to Plotly: the words go in escaped.
        hover_label = escape(label)
        pain_hover = escape(text.pain_hover % {"value": "%{y}"})
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
                hovertemplate=f"%{{x|%a %d %b %Y}}<br>{pain_hover}<extra>{hover_label}</extra>",
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
            swelling_hover = escape(
                text.swelling_hover % {"level": text.swelling[level]}
            )
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
                    name=text.swelling_trace % {"level": text.swelling[level]},
                    legendgroup=f"swelling-{level}",
                    showlegend=False,
                    xaxis="x",
                    yaxis=f"y{axis}",
                    hovertemplate=f"%{{x|%a %d %b}}<br>{swelling_hover}<extra>{hover_label}</extra>",
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
                    text.lower_limbs if info.limb == "lower" else text.upper_limbs,
                    y=row.top + (ROW_GAP_PX - 6) / plot_px,
                    bold=True,
                )
            )
            previous_limb = info.limb
        annotations.append(_text(text.joints[row.joint], y=row.top + 2 / plot_px))

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
                "text": escape(text.moved % {"date": text.day_month(m.detected_on)}),
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
        annotations.append(_text(text.nothing_logged, y=0.5))
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
                        "label": text.ranges[0],
                        "step": "month",
                        "stepmode": "backward",
                    },
                    {
                        "count": 3,
                        "label": text.ranges[1],
                        "step": "month",
                        "stepmode": "backward",
                    },
                    {
                        "count": 6,
                        "label": text.ranges[2],
                        "step": "month",
                        "stepmode": "backward",
                    },
                    {
                        "count": 1,
                        "label": text.ranges[3],
                        "step": "year",
                        "stepmode": "backward",
                    },
                    {"step": "all", "label": text.ranges[4]},
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
        # Month and day names on the date axis and in the hovers.
        "locale": text.locale,
        "locales": {text.locale: text.plotly_locale()},
    }
    return figure


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
