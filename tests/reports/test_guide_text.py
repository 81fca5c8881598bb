"""The scoring guide in the terminal: item ids, numbers and topics resolved, with suggestions."""

from __future__ import annotations

import pytest

from neuroseq.reports.guide_text import (
    TOPICS,
    render_guide_index,
    render_topic,
    resolve_topic,
    suggestions,
)
from neuroseq.scoring.items import ITEMS


@pytest.mark.parametrize(
    ("name", "topic"),
    [
        ("sleep", "sleep"),
        ("SLEEP", "sleep"),
        ("1", "cardiovascular_ans"),
        ("32", ITEMS[-1].id),
        ("history", "history"),
        ("33", None),
        ("slep", None),
    ],
)
def test_resolve_topic_by_id_number_or_topic(name: str, topic: str | None) -> None:
    assert resolve_topic(name) == topic


def test_suggestions_name_close_ids_and_topics() -> None:
    assert suggestions("slep") == ["sleep"]
    assert suggestions("histroy") == ["history"]


def test_render_guide_index_has_the_scale_anchors_and_one_line_per_item() -> None:
    text = render_guide_index()
    assert text.startswith("SCORING GUIDE (neuroseq's own words; not the official NMT™ Metric)")
    assert "Anchor levels:" in text
    listed = text.split("Items (number, id, region: what a high score means):\n", 1)[1]
    rows = [line.split() for line in listed.splitlines() if line[:4].strip().isdigit()]
    assert [(int(row[0]), row[1], row[2]) for row in rows] == [
        (item.number, item.id, item.region) for item in ITEMS
    ]


def test_render_topic_of_an_item_gives_settings_and_anchors() -> None:
    text = render_topic("sleep")
    assert text.startswith("8. sleep (diencephalon_cerebellum): ")
    assert "At home:" in text and "At school:" in text
    assert "Anchors (0-12, half points allowed; 12 = a fully organised young adult):" in text


@pytest.mark.parametrize("topic", TOPICS)
def test_render_topic_of_each_section(topic: str) -> None:
    text = render_topic(topic)
    assert text.splitlines()[0].isupper() or text.splitlines()[0].split(" ")[0].isupper()
    assert len(text.splitlines()) > 3
