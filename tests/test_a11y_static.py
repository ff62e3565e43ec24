"""Colour contrast of our CSS, read from static/css/app.css itself, and the vendored axe.

axe cannot judge the selected pain scores (a transparent radio lies over each
digit, so it only asks for a review), so the ratios are checked here, for the
light and the dark scheme.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import a11y
from tests.browser.a11y import contrast

CSS = (Path(__file__).resolve().parents[1] / "static" / "css" / "app.css").read_text()


def _variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", block))


def _schemes() -> dict[str, dict[str, str]]:
    light = _variables(re.search(r":root \{(.*?)\n\}", CSS, re.S).group(1))
    dark_block = re.search(
        r"@media \(prefers-color-scheme: dark\) \{\s*:root \{(.*?)\}", CSS, re.S
    ).group(1)
    return {"light": light, "dark": {**light, **_variables(dark_block)}}


SCHEMES = _schemes()
TEXT_PAIRS = [
    ("ink", "bg"),
    ("ink", "card"),
    ("ink", "seg"),
    ("ink", "btn"),
    ("ink", "field"),
    ("muted", "bg"),
    ("muted", "card"),
    ("link", "bg"),
    ("link", "card"),
    ("ok", "ok-bg"),
    ("ok", "bg"),
    ("err", "err-bg"),
    ("err", "card"),
    ("warn", "warn-bg"),
]
# Non-text contrast (WCAG 1.4.11): the focus ring against what it is drawn on.
RING_PAIRS = [("focus", "bg"), ("focus", "card"), ("focus", "field")]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS)
def test_text_colours_reach_4_5_to_1(scheme, fg, bg):
    colours = SCHEMES[scheme]
    ratio = contrast(colours[fg], colours[bg])
    assert ratio >= 4.5, f"{scheme}: --{fg} on --{bg} is {ratio:.2f}:1"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("fg", "bg"), RING_PAIRS)
def test_focus_ring_reaches_3_to_1(scheme, fg, bg):
    colours = SCHEMES[scheme]
    ratio = contrast(colours[fg], colours[bg])
    assert ratio >= 3, f"{scheme}: --{fg} on --{bg} is {ratio:.2f}:1"


def test_white_on_brand_and_danger_buttons_reach_4_5_to_1():
    for name in ("brand", "danger-bg"):
        ratio = contrast("#ffffff", SCHEMES["light"][name])
        assert ratio >= 4.5, f"white on --{name} is {ratio:.2f}:1"


def test_white_digits_on_every_selected_pain_score_reach_4_5_to_1():
    found = {}
    for selectors, colour in re.findall(
        r"((?:\.seg\.pain \.p\d+ input:checked \+ span,?\s*)+)\{ background: (#[0-9a-f]{6}); \}",
        CSS,
    ):
        for score in re.findall(r"\.p(\d+) ", selectors):
            found[int(score)] = colour
    assert sorted(found) == list(range(11))
    for score, colour in found.items():
        ratio = contrast("#ffffff", colour)
        assert ratio >= 4.5, f"pain {score}: white on {colour} is {ratio:.2f}:1"


def test_vendored_axe_is_the_recorded_version():
    recorded = (a11y.VENDOR / "VERSION").read_text()
    assert "axe-core 4.14.1" in recorded
    assert a11y.axe_sha256() in recorded
