"""The reports' inline charts: accessible SVG with the values they show, and the CMR as text."""

from __future__ import annotations

import re

from neuroseq.reports.charts import (
    CmrMarker,
    HistoryColumn,
    cmr_scale,
    cmr_text_scale,
    history_chart,
    ratio_bar,
)

MARKERS = [CmrMarker("Client", 0.56), CmrMarker("Typical at 6", 2.07, typical=True)]


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_ratio_bar_fills_the_share_of_typical_with_a_tick_at_100() -> None:
    bar = ratio_bar(0.5, "significant", "Sleep")
    assert bar.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'role="img" aria-label="Sleep"' in bar and "<title>Sleep</title>" in bar
    assert '<rect x="0" y="3" width="50" height="8"' in bar
    assert '<line x1="100" x2="100"' in bar


def test_ratio_bar_above_typical_grows_past_the_tick() -> None:
    widths = [
        float(w) for w in re.findall(r'<rect[^>]* width="([\d.]+)"', ratio_bar(1.2, "typical", "x"))
    ]
    assert max(widths) > 100


def test_ratio_bar_escapes_its_label() -> None:
    assert "<script>" not in ratio_bar(0.5, "significant", "<script>")


def test_cmr_scale_names_the_zones_thresholds_and_markers() -> None:
    scale = cmr_scale(MARKERS, brief_from=1.0, available_from=2.0, label="CMR scale")
    texts = _texts(scale)
    assert texts[:3] == ["deferred", "brief segments", "available"]
    assert {"1.0", "2.0", "Client: 0.56", "Typical at 6: 2.07"} <= set(texts)
    assert 'aria-label="CMR scale"' in scale


def test_cmr_text_scale_places_markers_under_their_values() -> None:
    lines = cmr_text_scale(MARKERS, brief_from=1.0, available_from=2.0, width=30).splitlines()
    assert lines == [
        "0    1.0   2.0    3     4     5",
        "[-----|-----|-----------------]",
        "   ^ Client: 0.56",
        "            ^ Typical at 6: 2.07",
    ]


def test_history_chart_has_a_keyed_pair_of_bars_per_period() -> None:
    columns = [
        HistoryColumn("perinatal", 3, 0.5, 9.0, "very_high", "chronic"),
        HistoryColumn("infancy", 0, 3, 0.0, "low", "none"),
    ]
    chart = history_chart(columns, label="History")
    texts = " ".join(_texts(chart))
    assert "A = adversity (0-3)" in texts
    assert "R = relational health (0-3" in texts
    assert 'aria-label="History"' in chart
    assert chart.count("<rect") >= 2 + 2 * len(columns)  # the key, then two bars a period
