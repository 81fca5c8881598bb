"""The client timeline's figures, drawn on the server as SVG: CMR over time and developmental ages.

Both take the store's timeline data (:func:`neuroseq.store.timeline.timeline_json`)
and use the reports' safe SVG builder, so no text of a case can become markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from neuroseq.reports.svg import element, fmt_number
from neuroseq.vocabulary import DOMAINS

__all__ = ["cmr_trend", "development_trend"]

_W, _H = 560.0, 220.0
_LEFT, _RIGHT, _TOP, _BOTTOM = 48.0, 150.0, 16.0, 40.0
_COLOURS = {
    "sensory_integration": "#1b6ca8",
    "self_regulation": "#c0392b",
    "relational": "#7d3c98",
    "cognitive": "#1e8449",
    "age": "#555555",
}
_LABELS = {
    "sensory_integration": "Sensory integration",
    "self_regulation": "Self-regulation",
    "relational": "Relational",
    "cognitive": "Cognitive",
    "age": "Chronological age",
}


def _frame(
    label: str, top: float, ticks: Sequence[float], unit: str, dates: Sequence[str]
) -> list[Markup]:
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    parts = [
        element(
            "rect",
            {
                "x": _LEFT,
                "y": _TOP,
                "width": plot_w,
                "height": plot_h,
                "fill": "#fafafa",
                "stroke": "#999",
            },
        )
    ]
    for tick in ticks:
        y = _TOP + plot_h * (1 - tick / top)
        parts.append(
            element("line", {"x1": _LEFT, "x2": _LEFT + plot_w, "y1": y, "y2": y, "stroke": "#ddd"})
        )
        parts.append(
            element(
                "text",
                {"x": _LEFT - 6, "y": y + 4, "text_anchor": "end", "font_size": 11},
                fmt_number(tick),
            )
        )
    parts.append(
        element(
            "text",
            {
                "x": 12,
                "y": _TOP + plot_h / 2,
                "font_size": 11,
                "transform": f"rotate(-90 12 {fmt_number(_TOP + plot_h / 2)})",
                "text_anchor": "middle",
            },
            unit,
        )
    )
    for index, date in enumerate(dates):
        x = _x(index, len(dates))
        parts.append(
            element(
                "text",
                {"x": x, "y": _H - _BOTTOM + 16, "text_anchor": "middle", "font_size": 11},
                date,
            )
        )
    return parts


def _x(index: int, count: int) -> float:
    plot_w = _W - _LEFT - _RIGHT
    if count == 1:
        return _LEFT + plot_w / 2
    return _LEFT + 20 + (plot_w - 40) * index / (count - 1)


def _y(value: float, top: float) -> float:
    plot_h = _H - _TOP - _BOTTOM
    return _TOP + plot_h * (1 - min(value, top) / top)


def _series(
    values: Sequence[float], top: float, colour: str, *, dashed: bool = False
) -> list[Markup]:
    points = " ".join(
        f"{fmt_number(_x(i, len(values)))},{fmt_number(_y(v, top))}" for i, v in enumerate(values)
    )
    parts = []
    if len(values) > 1:
        parts.append(
            element(
                "polyline",
                {
                    "points": points,
                    "fill": "none",
                    "stroke": colour,
                    "stroke_width": 2,
                    "stroke_dasharray": "5 4" if dashed else None,
                },
            )
        )
    for i, v in enumerate(values):
        parts.append(
            element(
                "circle", {"cx": _x(i, len(values)), "cy": _y(v, top), "r": 3.5, "fill": colour}
            )
        )
    return parts


def _svg(label: str, parts: Sequence[Markup]) -> Markup:
    return element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {fmt_number(_W)} {fmt_number(_H)}",
            "role": "img",
            "aria_label": label,
            "class": "trend",
        },
        element("title", None, label),
        *parts,
    )


def cmr_trend(assessments: Sequence[Mapping[str, Any]]) -> Markup:
    """The CMR at each assessment, with the published 1.0 line (cognitive work needs more)."""
    values = [float(a["cmr"]) for a in assessments]
    dates = [str(a["date"]) for a in assessments]
    top = max(5.0, max(values, default=0) * 1.15)
    ticks = [t for t in (0, 1, 2, 3, 4, 5, 6, 8, 10) if t <= top]
    parts = _frame("CMR", top, ticks, "CMR", dates)
    y = _y(1.0, top)
    parts.append(
        element(
            "line",
            {
                "x1": _LEFT,
                "x2": _W - _RIGHT,
                "y1": y,
                "y2": y,
                "stroke": "#c0392b",
                "stroke_dasharray": "4 3",
            },
        )
    )
    parts.append(
        element(
            "text",
            {"x": _W - _RIGHT + 6, "y": y + 4, "font_size": 11, "fill": "#c0392b"},
            "1.0: cognitive work",
        )
    )
    parts += _series(values, top, "#1b6ca8")
    for i, v in enumerate(values):
        parts.append(
            element(
                "text",
                {
                    "x": _x(i, len(values)),
                    "y": _y(v, top) - 8,
                    "text_anchor": "middle",
                    "font_size": 11,
                },
                f"{v:.2f}",
            )
        )
    summary = ", ".join(f"{d} {v:.2f}" for d, v in zip(dates, values, strict=True))
    return _svg(f"CMR over time: {summary}", parts)


def development_trend(assessments: Sequence[Mapping[str, Any]]) -> Markup:
    """Developmental age by domain at each assessment, beside the chronological age."""
    dates = [str(a["date"]) for a in assessments]
    series: dict[str, list[float]] = {
        d: [float(a["developmental_age"].get(d, 0.0)) for a in assessments] for d in DOMAINS
    }
    series["age"] = [float(a["age"]) for a in assessments]
    top = max(4.0, max((max(v) for v in series.values()), default=0) * 1.15)
    step = 2 if top <= 12 else 5
    ticks = [float(t) for t in range(0, int(top) + 1, step)]
    parts = _frame("Developmental age", top, ticks, "years", dates)
    for n, (name, values) in enumerate(series.items()):
        parts += _series(values, top, _COLOURS[name], dashed=name == "age")
        y = _TOP + 6 + n * 16
        parts.append(
            element(
                "rect",
                {"x": _W - _RIGHT + 8, "y": y, "width": 12, "height": 4, "fill": _COLOURS[name]},
            )
        )
        parts.append(
            element("text", {"x": _W - _RIGHT + 24, "y": y + 6, "font_size": 11}, _LABELS[name])
        )
    summary = "; ".join(
        f"{_LABELS[name]} " + ", ".join(f"{v:.1f}" for v in values)
        for name, values in series.items()
    )
    return _svg(f"Developmental age by domain over time ({', '.join(dates)}): {summary}", parts)
