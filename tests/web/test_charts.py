"""The timeline's charts: CMR trend and developmental ages over time, as server-side SVG."""

from __future__ import annotations

from neuroseq.web.charts import cmr_trend, development_trend

ASSESSMENTS = [
    {
        "date": "2026-01-12",
        "cmr": 0.72,
        "age": 9.0,
        "developmental_age": {
            "sensory_integration": 2.0,
            "self_regulation": 0.9,
            "relational": 3.5,
            "cognitive": 4.2,
        },
    },
    {
        "date": "2027-01-18",
        "cmr": 1.37,
        "age": 10.0,
        "developmental_age": {
            "sensory_integration": 3.9,
            "self_regulation": 2.7,
            "relational": 6.5,
            "cognitive": 5.2,
        },
    },
]


def test_cmr_trend_draws_each_value_and_the_1_0_line() -> None:
    svg = str(cmr_trend(ASSESSMENTS))
    assert svg.startswith("<svg") and "0.72" in svg and "1.37" in svg
    assert "1.0: cognitive work" in svg
    assert "CMR over time: 2026-01-12 0.72, 2027-01-18 1.37" in svg


def test_development_trend_has_a_title_and_each_date() -> None:
    svg = str(development_trend(ASSESSMENTS))
    assert svg.startswith("<svg") and "2026-01-12" in svg and "2027-01-18" in svg
    assert "<title>" in svg


def test_cmr_trend_escapes_what_it_is_given() -> None:
    odd = [dict(ASSESSMENTS[0], date="<script>x</script>")]
    assert "<script>" not in str(cmr_trend(odd))
