"""figures.py as data: traces, shapes and annotations, no browser, no DB."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from apps.dashboard import figures
from apps.dashboard.figures import (
    Course,
    EpisodeSpan,
    EventMark,
    MigrationMark,
)
from testkit.courses import year_of_four_joints

TODAY = dt.date(2026, 6, 30)
VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor" / "plotly"


def _course(days: int = 10, **kwargs) -> Course:
    start = TODAY - dt.timedelta(days=days - 1)
    defaults = {
        "start": start,
        "today": TODAY,
        "joints": ("left_hip", "right_hip"),
        "logged": frozenset(start + dt.timedelta(days=i) for i in range(days)),
    }
    return Course(**(defaults | kwargs))


def _pain_traces(fig: dict) -> list[dict]:
    return [t for t in fig["data"] if t.get("mode", "").startswith("lines")]


def test_unlogged_days_are_gaps_not_zero():
    course = _course(
        days=3,
        logged=frozenset({TODAY - dt.timedelta(days=2), TODAY}),
        readings={(TODAY, "left_hip"): (6, 2)},
    )
    fig = figures.timeline_figure(course)
    left = _pain_traces(fig)[0]
    # A logged day without an entry is 0; the unlogged middle day is None.
    assert left["y"] == [0, None, 6]
    assert left["connectgaps"] is False
    assert left["x0"] == (TODAY - dt.timedelta(days=2)).isoformat()
    assert left["dx"] == figures.DAY_MS


def test_one_row_per_joint_in_anatomical_order_left_next_to_right():
    course = _course(joints=("left_knee", "right_hip", "left_hip", "right_knee"))
    fig = figures.timeline_figure(course)
    names = [t["name"] for t in _pain_traces(fig)]
    assert names == ["Left hip", "Right hip", "Left knee", "Right knee"]
    yaxes = [t["yaxis"] for t in _pain_traces(fig)]
    assert yaxes == ["y", "y2", "y3", "y4"]
    # Rows stack top to bottom without overlapping, all on the one date axis.
    domains = [
        fig["layout"][k]["domain"] for k in ("yaxis", "yaxis2", "yaxis3", "yaxis4")
    ]
    assert all(a[0] > b[1] for a, b in zip(domains, domains[1:], strict=False))
    assert {t["xaxis"] for t in fig["data"]} == {"x"}


def test_upper_and_lower_limbs_get_their_own_group_heading():
    fig = figures.timeline_figure(_course(joints=("left_hip", "right_shoulder")))
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert "<b>Lower limbs</b>" in texts
    assert "<b>Upper limbs</b>" in texts


def test_swelling_is_drawn_as_markers_on_swollen_days_only():
    course = _course(
        days=3,
        readings={
            (TODAY, "left_hip"): (5, 2),
            (TODAY - dt.timedelta(days=1), "left_hip"): (4, 0),
        },
    )
    fig = figures.timeline_figure(course)
    swelling = [t for t in fig["data"] if t.get("mode") == "markers"]
    assert len(swelling) == 1
    assert swelling[0]["x"] == [TODAY.isoformat()]
    assert swelling[0]["name"] == "Swelling: moderate"


def test_episode_phases_are_shaded_on_the_joints_row():
    episode = EpisodeSpan(
        "right_hip",
        onset=dt.date(2026, 3, 1),
        peak=dt.date(2026, 4, 1),
        phase="resolved",
        resolved_on=dt.date(2026, 6, 1),
    )
    fig = figures.timeline_figure(_course(days=200, episodes=(episode,)))
    shaded = {
        s["name"].split(":")[0]: (s["x0"], s["x1"], s["yref"])
        for s in fig["layout"]["shapes"]
        if s["name"].endswith("right_hip")
    }
    assert shaded["rising"] == ("2026-03-01", "2026-04-01", "y2 domain")
    assert shaded["peak"] == ("2026-04-01", "2026-04-15", "y2 domain")
    assert shaded["improving"] == ("2026-04-15", "2026-06-01", "y2 domain")
    assert shaded["resolved"] == ("2026-06-01", "2026-06-22", "y2 domain")
    # A healed episode has no recovery window left to show.
    assert "recovery" not in shaded


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        ("rising", ["rising"]),
        ("peak", ["rising", "peak"]),
        ("improving", ["rising", "peak", "improving"]),
    ],
)
def test_active_episode_phases_run_to_today(phase, expected):
    episode = EpisodeSpan(
        "left_hip", TODAY - dt.timedelta(days=90), TODAY - dt.timedelta(days=50), phase
    )
    spans = figures.phase_spans(episode, TODAY)
    assert [s[0] for s in spans] == expected
    assert spans[-1][2] == TODAY + dt.timedelta(days=1)


def test_active_episode_gets_a_3_to_9_month_recovery_band():
    onset = dt.date(2026, 1, 31)
    episode = EpisodeSpan("left_hip", onset, onset + dt.timedelta(days=30), "improving")
    fig = figures.timeline_figure(_course(days=200, episodes=(episode,)))
    band = next(s for s in fig["layout"]["shapes"] if s["name"] == "recovery:left_hip")
    assert (band["x0"], band["x1"]) == ("2026-04-30", "2026-10-31")


def test_migration_is_an_arrow_from_the_old_joints_row_to_the_new_one():
    m = MigrationMark(
        "left_hip",
        "right_knee",
        to_onset=dt.date(2026, 6, 1),
        detected_on=dt.date(2026, 6, 12),
    )
    fig = figures.timeline_figure(
        _course(joints=("left_hip", "right_knee"), migrations=(m,))
    )
    arrow = next(
        a
        for a in fig["layout"]["annotations"]
        if a.get("name", "").startswith("migration")
    )
    assert arrow["showarrow"] is True
    assert arrow["x"] == arrow["ax"] == "2026-06-01"
    assert arrow["yref"] == arrow["ayref"] == "y2 domain"
    # The tail sits above the head's row: the left hip row is higher on the page.
    assert arrow["ay"] > 1 > arrow["y"]
    assert arrow["text"] == "moved 12 Jun"


def test_clinical_events_are_vertical_lines_with_a_label():
    event = EventMark(dt.date(2026, 6, 20), "MRI L hip", "MRI oedema")
    fig = figures.timeline_figure(_course(events=(event,)))
    line = next(s for s in fig["layout"]["shapes"] if s["name"].startswith("event"))
    assert line["type"] == "line"
    assert line["x0"] == line["x1"] == "2026-06-20"
    assert (line["yref"], line["y0"], line["y1"]) == ("paper", 0, 1)
    assert any(a.get("text") == "MRI L hip" for a in fig["layout"]["annotations"])


def test_range_buttons_and_phone_friendly_config():
    fig = figures.timeline_figure(_course())
    buttons = fig["layout"]["xaxis"]["rangeselector"]["buttons"]
    assert [b["label"] for b in buttons] == ["1m", "3m", "6m", "1y", "All"]
    assert buttons[-1]["step"] == "all"
    assert fig["config"]["responsive"] is True
    assert fig["config"]["displayModeBar"] is False
    # Fixed height per row, so more joints make a taller (scrolling) chart.
    two = fig["layout"]["height"]
    four = figures.timeline_figure(
        _course(joints=("left_hip", "right_hip", "left_knee", "right_knee"))
    )["layout"]["height"]
    assert four - two == 2 * (figures.ROW_PX + figures.ROW_GAP_PX)


def test_labels_are_escaped():
    event = EventMark(TODAY, "<img src=x>")
    fig = figures.timeline_figure(_course(events=(event,)))
    assert all("<img" not in a.get("text", "") for a in fig["layout"]["annotations"])


def test_figures_only_use_trace_types_in_the_vendored_bundle():
    fig = figures.timeline_figure(year_of_four_joints(TODAY))
    assert figures.trace_types(fig) <= figures.BUNDLE_TRACE_TYPES


def test_vendored_bundle_contains_exactly_the_declared_trace_types():
    bundle = (VENDOR / "plotly-basic.min.js").read_text()
    registered = set(re.findall(r'moduleType:"trace",name:"(\w+)"', bundle))
    assert registered == figures.BUNDLE_TRACE_TYPES
    version = (VENDOR / "VERSION").read_text()
    assert re.search(r"plotly\.js-basic-dist-min@\d+\.\d+\.\d+", version)
    assert version.split("@")[1].split()[0] in bundle[:200]


def test_timeline_json_for_a_year_of_four_joints_is_small():
    fig = figures.timeline_figure(year_of_four_joints(TODAY))
    size = len(json.dumps(fig).encode())
    assert size <= 150 * 1024, size


def test_body_map_colours_by_latest_logged_day_and_outlines_likely_next():
    course = _course(
        days=3,
        logged=frozenset({TODAY - dt.timedelta(days=2), TODAY - dt.timedelta(days=1)}),
        readings={(TODAY - dt.timedelta(days=1), "left_hip"): (8, 2)},
        episodes=(
            EpisodeSpan(
                "left_knee",
                TODAY - dt.timedelta(days=300),
                TODAY - dt.timedelta(days=250),
                "resolved",
            ),
            EpisodeSpan(
                "left_hip",
                TODAY - dt.timedelta(days=60),
                TODAY - dt.timedelta(days=20),
                "improving",
            ),
        ),
    )
    body = figures.body_map(course)
    joints = {j.code: j for j in body.joints}
    assert body.as_of == TODAY - dt.timedelta(days=1)
    assert joints["left_hip"].pain == 8
    assert joints["left_hip"].fill == figures.pain_colour(8)
    assert joints["right_hip"].pain == 0  # shown joint, logged day without an entry
    assert joints["left_shoulder"].pain is None  # never tracked
    assert joints["left_hip"].active
    # Adjacent (left knee) and contralateral (right hip) of the active hip.
    assert {c for c, j in joints.items() if j.likely_next} == {"left_knee", "right_hip"}
    # The path follows the episodes in onset order: knee first, then hip.
    assert joints["left_knee"].order == 1
    assert joints["left_hip"].order == 2
    assert body.path == "117,284 115,200"


def test_sparkline_breaks_at_unlogged_days():
    spark = figures.sparkline([0, 10, None, 5, None, None, 2, 2], width=70, height=24)
    assert spark.lines == ["0.0,22.0 10.0,2.0", "60.0,18.0 70.0,18.0"]
    assert spark.dots == [(30.0, 12.0)]  # a logged day alone between gaps
    assert spark.last == (70.0, 18.0)


def test_stored_sparkline_is_shifted_to_today_with_new_days_missing():
    values = [1, 2, 3, 4]
    day = dt.date(2026, 6, 1)
    assert figures.shift_series(values, ends_on=day, today=day) == [1, 2, 3, 4]
    assert figures.shift_series(
        values, ends_on=day, today=day + dt.timedelta(days=2)
    ) == [3, 4, None, None]
    assert (
        figures.shift_series(values, ends_on=day, today=day + dt.timedelta(days=9))
        == [None] * 4
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 11, 15), 3, dt.date(2027, 2, 15)),
        (dt.date(2026, 3, 31), -9, dt.date(2025, 6, 30)),
    ],
)
def test_add_months_clamps_to_the_end_of_short_months(day, months, expected):
    assert figures.add_months(day, months) == expected


def test_print_course_lays_out_rows_lines_and_events():
    course = _course(
        days=5,
        readings={
            (TODAY, "left_hip"): (7, 1),
            (TODAY - dt.timedelta(days=1), "left_hip"): (6, 1),
        },
        events=(EventMark(TODAY, "<b>X</b>"),),
    )
    layout = figures.print_course(course)
    assert [r.label for r in layout.rows] == ["Left hip", "Right hip"]
    assert len(layout.rows[0].lines) == 1  # two logged days in a row: one stretch
    assert [e.label for e in layout.events] == ["<b>X</b>"]  # the template escapes it
    assert layout.height > layout.bottom > layout.top


# The static first screen (timeline_svg) -------------------------------------


def _timeline_svg(course: Course) -> str:
    # figures stays pure: it lays the marks out, the template draws and escapes them.
    from django.template.loader import render_to_string

    return render_to_string(
        "components/timeline_svg.html", {"timeline": figures.timeline_static(course)}
    )


def _svg_root(course: Course):
    import xml.etree.ElementTree as ET

    return ET.fromstring(_timeline_svg(course))


SVG = "{http://www.w3.org/2000/svg}"


def test_static_timeline_has_a_labelled_row_per_joint_and_limb_headings():
    root = _svg_root(year_of_four_joints(TODAY))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for label in ("Left hip", "Right hip", "Left knee", "Left ankle", "Lower limbs"):
        assert label in texts
    assert [t for t in texts if t in figures.RANGE_BUTTONS] == list(
        figures.RANGE_BUTTONS
    )
    # One white plot area per row, as the chart's subplots.
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#fff"]) == 4


def test_static_timeline_breaks_the_pain_line_on_unlogged_days():
    logged = frozenset(TODAY - dt.timedelta(days=i) for i in range(10) if i != 4)
    root = _svg_root(_course(days=10, joints=("left_hip",), logged=logged))
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 2  # before and after the gap, never drawn through it as 0
    assert sum(len(p.get("points").split()) for p in lines) == 9


def test_static_timeline_shows_the_initial_range_only():
    course = year_of_four_joints(TODAY)
    root = _svg_root(course)
    ticks = [
        t.text
        for t in root.iter(f"{SVG}text")
        if t.text and re.fullmatch(r"1 [A-Z][a-z]{2}", t.text)
    ]
    # 3 months and 4 days shown, as the chart's initial range: four month ticks.
    assert ticks == ["1 Apr", "1 May", "1 Jun", "1 Jul"]
    fig = figures.timeline_figure(course)
    assert fig["layout"]["xaxis"]["range"][0] == f"{TODAY - dt.timedelta(days=91)}"


def test_static_timeline_draws_phases_swelling_migrations_and_events():
    course = _course(
        days=60,
        joints=("left_hip", "right_hip"),
        readings={
            (TODAY - dt.timedelta(days=2), "left_hip"): (6, 2),
            (TODAY - dt.timedelta(days=1), "left_hip"): (7, 3),
        },
        episodes=(
            EpisodeSpan(
                "left_hip",
                TODAY - dt.timedelta(days=100),
                TODAY - dt.timedelta(days=5),
                "peak",
            ),
        ),
        migrations=(
            MigrationMark(
                "left_hip",
                "right_hip",
                TODAY - dt.timedelta(days=5),
                TODAY - dt.timedelta(days=3),
            ),
        ),
        events=(EventMark(TODAY - dt.timedelta(days=10), "<MRI>"),),
    )
    svg = _timeline_svg(course)
    root = _svg_root(course)
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert figures.PHASE_COLOURS["rising"] in fills
    assert figures.PHASE_COLOURS["peak"] in fills
    assert "rgba(47, 125, 79, 0.35)" in fills  # the recovery window still ahead
    swelling = [
        p for p in root.iter(f"{SVG}path") if p.get("stroke") == figures.SWELLING_COLOUR
    ]
    assert {p.get("stroke-width") for p in swelling} == {"9", "12"}
    assert f"moved {TODAY - dt.timedelta(days=3):%-d %b}" in svg
    assert "&lt;MRI&gt;" in svg
    assert "<MRI>" not in svg


def test_static_timeline_numbers_stay_svg_numbers_in_every_language():
    # German writes 12,5: a localised coordinate would break the drawing.
    from django.utils import translation

    course = year_of_four_joints(TODAY)
    with translation.override("de"):
        root = _svg_root(course)
    assert "," not in root.get("viewBox")
    assert all("," not in r.get("y") for r in root.iter(f"{SVG}rect"))
    assert _svg_root(course).get("viewBox") == root.get("viewBox")


def test_printable_course_numbers_stay_svg_numbers_in_every_language():
    import xml.etree.ElementTree as ET

    from django.template.loader import render_to_string
    from django.utils import translation

    layout = figures.print_course(year_of_four_joints(TODAY))
    with translation.override("de"):
        svg = render_to_string("dashboard/course_svg.html", {"print": layout})
    root = ET.fromstring(svg)
    assert all("," not in t.get("y") for t in root.iter(f"{SVG}text"))
    assert all("," not in r.get("x") for r in root.iter(f"{SVG}rect"))
