"""axe-core and layout checks the accessibility tests run on every page.

axe comes from npm, vendored under vendor/axe-core/ (version and checksum in
its VERSION file), so the suite needs neither network nor npm. It is injected
with page.evaluate, which the page's Content-Security-Policy does not govern:
the page under test stays exactly as served.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "vendor" / "axe-core"
AXE_SOURCE = (VENDOR / "axe.min.js").read_text()
# WCAG 2.0, 2.1 and 2.2, levels A and AA: what the issue asks us to meet.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

_RUN = """tags => axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']
}).then(r => r.violations.map(v => ({
    id: v.id, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)
})))"""

# What axe cannot see: ids that aria-describedby/labelledby and label[for]
# point at must exist (axe only asks for a review when one is missing).
_DANGLING_IDS = """() => {
    const missing = [];
    for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby]')) {
        for (const attr of ['aria-describedby', 'aria-labelledby']) {
            for (const id of (el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)) {
                if (!document.getElementById(id)) missing.push(`${attr}=${id}`);
            }
        }
    }
    for (const label of document.querySelectorAll('label[for]')) {
        if (!document.getElementById(label.htmlFor)) missing.push(`label for=${label.htmlFor}`);
    }
    return missing;
}"""

# Layout at large text or narrow screens: no sideways scrolling, no clipped
# text inside the tap targets, sticky bars well under a third of the screen.
_LAYOUT = """() => {
    const problems = [];
    const width = document.documentElement.clientWidth;
    const scroll = document.documentElement.scrollWidth;
    if (scroll > width) problems.push(`page is ${scroll}px wide in a ${width}px viewport`);
    for (const el of document.querySelectorAll('.seg span, .chip, .btn, .btn-primary, .topbar a, .topbar button')) {
        if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
            problems.push(`clipped: "${el.textContent.trim()}"`);
        }
        const r = el.getBoundingClientRect();
        // Inside a region that scrolls on its own (a wide table) is fine (WCAG 1.4.10).
        if (el.closest('.table-wrap')) continue;
        if (r.width && (r.right > width + 1 || r.left < -1)) {
            problems.push(`off screen: "${el.textContent.trim()}"`);
        }
    }
    let stuck = 0;
    for (const el of document.querySelectorAll('body *')) {
        const pos = getComputedStyle(el).position;
        if (pos === 'sticky' || pos === 'fixed') stuck += el.getBoundingClientRect().height;
    }
    if (stuck > window.innerHeight / 3) {
        problems.push(`sticky bars are ${Math.round(stuck)}px of ${window.innerHeight}px`);
    }
    return problems;
}"""


def axe_sha256() -> str:
    return hashlib.sha256((VENDOR / "axe.min.js").read_bytes()).hexdigest()


def axe_violations(page) -> list[dict]:
    """WCAG 2.0–2.2 A/AA violations axe finds on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE + "\n;0")
    return page.evaluate(_RUN, WCAG_TAGS)


def dangling_ids(page) -> list[str]:
    return page.evaluate(_DANGLING_IDS)


def layout_problems(page) -> list[str]:
    return page.evaluate(_LAYOUT)


def text_size(page, percent: int) -> None:
    """Set the browser's default font size, as a reader does in the settings.

    Chromium's own preference through the DevTools protocol: rem, em and
    media queries in em all follow it, as they would on the reader's phone.
    """
    cdp = getattr(page, "_tmo_cdp", None)
    if cdp is None:
        # Kept open: the setting lasts as long as the session that made it.
        cdp = page._tmo_cdp = page.context.new_cdp_session(page)
    px = round(16 * percent / 100)
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": px, "fixed": px}})


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1–21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in channels
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)
