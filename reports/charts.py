"""Small inline SVG charts of a report: domain bars, the CMR scale, the history chart.

Each function takes plain numbers (and labels) and returns escaped SVG markup
built with :mod:`neuroseq.reports.svg`. Every chart prints its values as text,
so colour is never the only cue, and is ``role="img"`` with an ``aria-label``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from neuroseq.reports.svg import element, fmt_number, group

__all__ = [
    "HISTORY_SCALE_MAX",
    "CmrMarker",
    "HistoryColumn",
    "cmr_scale",
    "cmr_text_scale",
    "history_chart",
    "ratio_bar",
]

_IMPAIRMENT_FILLS = {"significant": "#e8503f", "moderate": "#fbe15a", "typical": "#52b05a"}
_ZONE_FILLS = ("#f8d0cb", "#fdf1b8", "#d6eec0")
_FONT = "Helvetica, Arial, sans-serif"


def _svg(width: float, height: float, label: str, *children: Markup, css: str = "") -> Markup:
    return element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {fmt_number(width)} {fmt_number(height)}",
            "role": "img",
            "aria-label": label,
            "class": css or None,
            "font-family": _FONT,
        },
        element("title", None, label),
        *children,
    )


def _text(
    x: float, y: float, text: str, *, size: float = 8, anchor: str = "start", **attrs: str
) -> Markup:
    return element(
        "text",
        {"x": x, "y": y, "font_size": size, "text_anchor": anchor, "fill": "#222", **attrs},
        text,
    )


def ratio_bar(ratio: float, impairment: str, label: str) -> Markup:
    """The client's share of the typical score as a bar, with a tick at typical (100%)."""
    width, height, full = 130.0, 14.0, 100.0  # `full` user units = 100% of typical
    length = max(0.0, min(ratio, 1.3)) * full
    return _svg(
        width,
        height,
        label,
        element("rect", {"x": 0, "y": 3, "width": full, "height": 8, "fill": "#e4e4e4"}),
        element(
            "rect",
            {
                "x": 0,
                "y": 3,
                "width": length,
                "height": 8,
                "fill": _IMPAIRMENT_FILLS.get(impairment, "#888"),
                "stroke": "#333",
                "stroke_width": 0.5,
            },
        ),
        element(
            "line",
            {"x1": full, "x2": full, "y1": 0, "y2": height, "stroke": "#111", "stroke_width": 1.2},
        ),
        css="bar",
    )


@dataclass(frozen=True, slots=True)
class CmrMarker:
    """A value to mark on the CMR scale (the client, a typical peer, an earlier assessment)."""

    label: str
    value: float
    typical: bool = False


def cmr_scale(
    markers: Sequence[CmrMarker], *, brief_from: float, available_from: float, label: str
) -> Markup:
    """A 0-to-N scale with the deferred / brief-segments / available zones and markers."""
    top = max([5.0, *(m.value + 0.5 for m in markers)])
    top = float(min(8, math.ceil(top)))
    width, left, right = 520.0, 16.0, 16.0
    span = width - left - right
    client_rows = sum(1 for m in markers if not m.typical)
    bar_y = 14.0 + 13.0 * client_rows
    height = bar_y + (42.0 if any(m.typical for m in markers) else 30.0)

    def x_of(value: float) -> float:
        return left + span * max(0.0, min(value, top)) / top

    parts: list[Markup] = []
    zones: tuple[tuple[float, float, str], ...] = (
        (0.0, brief_from, "deferred"),
        (brief_from, available_from, "brief segments"),
        (available_from, top, "available"),
    )
    for (start, end, name), fill in zip(zones, _ZONE_FILLS, strict=True):
        x0, x1 = x_of(start), x_of(end)
        parts.append(
            element("rect", {"x": x0, "y": bar_y, "width": x1 - x0, "height": 14, "fill": fill})
        )
        parts.append(_text((x0 + x1) / 2, bar_y + 10, name, size=7.5, anchor="middle"))
    parts.append(
        element(
            "rect",
            {
                "x": left,
                "y": bar_y,
                "width": span,
                "height": 14,
                "fill": "none",
                "stroke": "#555",
                "stroke_width": 0.6,
            },
        )
    )
    for tick in range(int(top) + 1):
        x = x_of(tick)
        if any(abs(tick - t) < 0.3 for t in (brief_from, available_from)):
            continue
        parts.append(
            element(
                "line",
                {"x1": x, "x2": x, "y1": bar_y + 14, "y2": bar_y + 18, "stroke": "#555"},
            )
        )
        parts.append(_text(x, bar_y + 26, f"{tick}", size=7.5, anchor="middle"))
    for threshold in (brief_from, available_from):
        x = x_of(threshold)
        parts.append(
            element(
                "line",
                {
                    "x1": x,
                    "x2": x,
                    "y1": bar_y - 3,
                    "y2": bar_y + 18,
                    "stroke": "#111",
                    "stroke_width": 1.4,
                    "stroke_dasharray": "3 2",
                    "class": "threshold",
                    "data-value": threshold,
                },
            )
        )
        parts.append(
            _text(x, bar_y + 26, f"{threshold:.1f}", size=8, anchor="middle", font_weight="700")
        )
    row = 0
    for marker in markers:
        x = x_of(marker.value)
        shown = f"{marker.label}: {marker.value:.2f}" + (
            " (off scale)" if marker.value > top else ""
        )
        anchor = "start" if x < width / 2 else "end"
        dx = 4 if anchor == "start" else -4
        if marker.typical:
            tip = bar_y + 29
            tri = (
                f"{fmt_number(x)},{fmt_number(tip)} {fmt_number(x - 5)},{fmt_number(tip + 9)} "
                f"{fmt_number(x + 5)},{fmt_number(tip + 9)}"
            )
            parts.append(element("polygon", {"points": tri, "fill": "#fff", "stroke": "#111"}))
            parts.append(_text(x + 2 * dx, tip + 9, shown, size=8.5, anchor=anchor))
            continue
        label_y = 10.0 + 13.0 * row
        row += 1
        tri = (
            f"{fmt_number(x)},{fmt_number(bar_y)} {fmt_number(x - 5)},{fmt_number(bar_y - 9)} "
            f"{fmt_number(x + 5)},{fmt_number(bar_y - 9)}"
        )
        parts.append(element("polygon", {"points": tri, "fill": "#111"}))
        parts.append(
            element(
                "line",
                {"x1": x, "x2": x, "y1": label_y + 2, "y2": bar_y - 9, "stroke": "#777"},
            )
        )
        parts.append(_text(x + dx, label_y, shown, size=8.5, anchor=anchor, font_weight="700"))
    return _svg(width, height, label, group(*parts), css="cmr-scale")


@dataclass(frozen=True, slots=True)
class HistoryColumn:
    """One developmental period as the case file writes it, and the risk it gives.

    ``adversity`` is the case's severity rating (0-3) and ``pattern`` its
    pattern (none, single, episodic, chronic); ``relational_health`` is the mean
    of bonding, family support and community support (each 0-3).
    """

    period: str
    adversity: float
    relational_health: float
    risk: float
    category: str
    pattern: str = ""


_CATEGORY_FILLS = {
    "low": "#d6eec0",
    "moderate": "#fdf1b8",
    "high": "#f9c9a3",
    "very_high": "#f2a59c",
}
#: Top of the case file's rating scale (Parts A and B are rated 0-3).
HISTORY_SCALE_MAX = 3.0


def history_chart(columns: Sequence[HistoryColumn], *, label: str) -> Markup:
    """Adversity and relational health by period on the case's 0-3 scale as paired bars,
    with grid lines at 0, 1, 2 and 3, the adversity pattern and the risk category below."""
    col_w, bar_w, bar_h = 96.0, 26.0, 57.0
    left, top = 22.0, 30.0
    width = left + 8 + col_w * max(1, len(columns))
    base = top + bar_h + 12
    height = base + 54
    zero = base - 12
    parts: list[Markup] = [
        element("rect", {"x": left, "y": 4, "width": 9, "height": 9, "fill": "#8c2d2d"}),
        _text(left + 13, 12, "A = adversity (0-3)", size=8),
        element("rect", {"x": left + 110, "y": 4, "width": 9, "height": 9, "fill": "#2f6ea6"}),
        _text(left + 123, 12, "R = relational health (0-3: bonding, family, community)", size=8),
    ]
    for tick in range(int(HISTORY_SCALE_MAX) + 1):
        y = zero - bar_h * tick / HISTORY_SCALE_MAX
        parts.append(
            element(
                "line",
                {
                    "x1": left - 3,
                    "x2": width - 8,
                    "y1": y,
                    "y2": y,
                    "stroke": "#555" if tick == 0 else "#ccc",
                    "stroke_width": 0.6,
                },
            )
        )
        parts.append(_text(left - 5, y + 3, str(tick), size=7.5, anchor="end"))
    for index, col in enumerate(columns):
        x = left + index * col_w
        centre = x + col_w / 2
        for offset, value, fill, letter in (
            (-bar_w - 2, col.adversity, "#8c2d2d", "A"),
            (2.0, col.relational_health, "#2f6ea6", "R"),
        ):
            h = bar_h * max(0.0, min(value, HISTORY_SCALE_MAX)) / HISTORY_SCALE_MAX
            bx = centre + offset
            parts.append(
                element(
                    "rect",
                    {"x": bx, "y": zero - h, "width": bar_w, "height": h, "fill": fill},
                )
            )
            parts.append(
                _text(
                    bx + bar_w / 2,
                    zero - 3 - h,
                    f"{letter} {fmt_number(value)}",
                    size=7.5,
                    anchor="middle",
                )
            )
        parts.append(_text(centre, base, col.period, size=8, anchor="middle", font_weight="700"))
        if col.pattern:
            parts.append(_text(centre, base + 10, col.pattern, size=7.5, anchor="middle"))
        parts.append(
            element(
                "rect",
                {
                    "x": x + 8,
                    "y": base + 15,
                    "width": col_w - 16,
                    "height": 26,
                    "rx": 3,
                    "fill": _CATEGORY_FILLS.get(col.category, "#eee"),
                    "stroke": "#777",
                    "stroke_width": 0.5,
                },
            )
        )
        parts.append(
            _text(centre, base + 26, col.category.replace("_", " "), size=8.5, anchor="middle")
        )
        parts.append(_text(centre, base + 37, f"risk {col.risk:.2f}", size=7.5, anchor="middle"))
    return _svg(width, height, label, group(*parts), css="history-chart")


def cmr_text_scale(
    markers: Sequence[CmrMarker], *, brief_from: float, available_from: float, width: int = 60
) -> str:
    """The CMR scale as monospaced text (for Markdown): zones, thresholds, markers."""
    top = float(min(8, math.ceil(max([5.0, *(m.value + 0.5 for m in markers)]))))

    def col(value: float) -> int:
        return round(width * max(0.0, min(value, top)) / top)

    ruler = [" "] * (width + 8)
    for tick in range(int(top) + 1):
        text = f"{tick}"
        if any(abs(tick - t) < 0.3 for t in (brief_from, available_from)):
            continue
        ruler[col(tick)] = text
    for threshold in (brief_from, available_from):
        label = f"{threshold:.1f}"
        start = max(0, col(threshold) - 1)
        ruler[start : start + len(label)] = list(label)
    bar = ["-"] * (width + 1)
    bar[0], bar[-1] = "[", "]"
    for threshold in (brief_from, available_from):
        bar[col(threshold)] = "|"
    lines = ["".join(ruler).rstrip(), "".join(bar)]
    for marker in markers:
        pos = col(marker.value)
        off = " (off scale)" if marker.value > top else ""
        lines.append(" " * pos + f"^ {marker.label}: {marker.value:.2f}{off}")
    return "\n".join(lines)
