"""The terminal summary printed by `neuroseq score`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from neuroseq.reports.score_text import DISCLAIMER, render_score_text
from neuroseq.scoring.case import Case
from neuroseq.scoring.items import ITEM_IDS
from neuroseq.scoring.norms import default_norms
from neuroseq.scoring.profile import score, score_items

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "typical-9-year-old.yaml"
ESC = "\x1b["


def _case(**changes: Any) -> Case:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data.update(changes)
    return Case.model_validate({k: v for k, v in data.items() if v is not None})


def test_render_score_text_plain_has_no_ansi_and_names_every_band() -> None:
    text = render_score_text(score(_case()), color=False)
    assert ESC not in text
    assert "     8 sleep                                11  green        typical 11.0" in text
    assert "     9 fine_motor                           10  light_green  typical 10.0" in text
    assert "yellow" in text


def test_render_score_text_colour_adds_ansi_but_keeps_the_words() -> None:
    text = render_score_text(score(_case()), color=True)
    assert "\x1b[32m  11  green      \x1b[0m" in text
    assert "\x1b[92m  10  light_green\x1b[0m" in text
    assert "\x1b[33m   8  yellow     \x1b[0m" in text


def test_render_score_text_header_and_closing_line() -> None:
    lines = render_score_text(score(_case()), color=False).splitlines()
    assert (
        lines[0]
        == "neuroseq score: client example-typical-9, age 9.0 years, metric full, norms 1.0.0"
    )
    assert lines[-1] == DISCLAIMER
    assert DISCLAIMER == (
        "neuroseq is an independent implementation of published ideas, not the official NMT™ "
        "Metric; it supports, never replaces, clinical judgement."
    )


def test_render_score_text_prints_the_map_top_down_brainstem_last() -> None:
    text = render_score_text(score(_case()), color=False)
    order = [text.index(name) for name in ("FRONTAL CORTEX", "CORTEX  ", "LIMBIC", "DIENCEPHALON")]
    assert order == sorted(order)
    assert text.index("DIENCEPHALON") < text.index("BRAINSTEM") < text.index("DOMAINS")
    assert "read from the bottom up" in text


def test_render_score_text_never_prints_free_text_from_the_case() -> None:
    case = _case(notes="Mother is called Alice; lives at 1 Main Street")
    text = render_score_text(score(case), color=False)
    for secret in ("Alice", "Main Street", "football", "drawing", "mainstream"):
        assert secret not in text


def test_render_score_text_domains_show_developmental_age_against_age() -> None:
    norms = default_norms()
    scores = norms.typical_scores(15)
    scores.update({i: norms.typical_item(i, 5) for i in norms.domain_items("self_regulation")})
    text = render_score_text(score_items(scores, 15, client_id="c-15"), color=False)
    assert "DOMAINS (developmental age against age 15.0)" in text
    line = next(x for x in text.splitlines() if x.startswith("  self_regulation"))
    assert line.endswith("dev. age  5.0 (10.0 years below age)")
    line = next(x for x in text.splitlines() if x.startswith("  relational"))
    assert line.endswith("dev. age 15.0 (at or above age)")


def test_render_score_text_cmr_against_thresholds() -> None:
    low = dict.fromkeys(ITEM_IDS, 6.0) | {i: 5.0 for i in ITEM_IDS[20:]}
    text = render_score_text(score_items(low, 10), color=False)
    assert "  CMR 0.83  (typical for age 10.0: " in text
    assert "thresholds 1.0 and 2.0)  deferred" in text
    assert "  Below 1.0: defer cognitive-predominant work" in text
    brief = render_score_text(score_items(dict.fromkeys(ITEM_IDS, 6.0), 10), color=False)
    assert "1.0 to below 2.0: cognitive-predominant work only in brief segments" in brief
    typical = render_score_text(score(_case()), color=False)
    assert "  2.0 or above: cognitive-predominant work is available." in typical


def test_render_score_text_risk_per_period_and_not_assessed() -> None:
    text = render_score_text(score(_case()), color=False)
    assert "  perinatal         0.00  low" in text
    assert "  overall           0.00  low (highest period: perinatal)" in text
    er = render_score_text(score(_case(metric="er", history=None)), color=False)
    assert "  not assessed: no history given (metric er)" in er


def test_render_score_text_control_characters_in_an_id_are_neutralised() -> None:
    text = render_score_text(
        score_items(dict.fromkeys(ITEM_IDS, 6.0), 9, client_id="a\x1b[2Jb"), color=False
    )
    assert ESC not in text
    assert "client a?[2Jb," in text
