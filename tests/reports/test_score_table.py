"""A scored profile as a table: one CSV row per item, Markdown and HTML tables, ages in words."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from neuroseq.reports.score_table import CSV_COLUMNS, development_words, render_score_table
from neuroseq.scoring.items import ITEM_IDS
from neuroseq.scoring.loader import load_case
from neuroseq.scoring.profile import Profile, score

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def severe() -> Profile:
    return score(load_case(EXAMPLES / "severe-young-child.yaml"))


def test_render_score_table_csv_one_row_per_item_in_map_order(severe: Profile) -> None:
    rows = list(csv.DictReader(io.StringIO(render_score_table(severe, "csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row["id"] for row in rows] == list(ITEM_IDS)
    assert rows[0] == {
        "id": "cardiovascular_ans",
        "number": "1",
        "region": "brainstem",
        "domain": "self_regulation",
        "score": "8",
        "typical": "12.00",
        "ratio": "0.67",
        "band": "yellow",
        "impairment": "significant",
    }


def test_render_score_table_md_has_the_header_and_the_item_table(severe: Profile) -> None:
    text = render_score_table(severe, "md")
    assert text.startswith("# neuroseq score: client example-severe-6\n")
    assert "| # | id | region | domain | score | typical | ratio | band | impairment |" in text
    assert "| 1 | cardiovascular_ans | brainstem | self_regulation | 8 | 12.00 | 0.67 |" in text


def test_render_score_table_html_is_one_page(severe: Profile) -> None:
    text = render_score_table(severe, "html")
    assert text.lstrip().lower().startswith("<!doctype html>")
    assert text.count("<html") == 1 and "example-severe-6" in text


def test_render_score_table_refuses_a_format_it_cannot_write(severe: Profile) -> None:
    with pytest.raises(ValueError, match="writes csv, md or html, not 'xml'"):
        render_score_table(severe, "xml")


def test_development_words_below_and_at_age(severe: Profile) -> None:
    assert development_words(severe.regions["brainstem"], 6.0) == "0.8 (5.2 years below age)"
    typical = score(load_case(EXAMPLES / "typical-9-year-old.yaml"))
    assert development_words(typical.regions["brainstem"], 9.0) == "at or above age (9.0)"
