"""The SVG brain map: structure, colours, layout order and escaping."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from neuroseq.engine.workflow import PlanResult
from neuroseq.reports.brain_map import (
    BAND_FILLS,
    MapCell,
    brain_map_svg,
    client_cells,
    legend,
    typical_cells,
)
from neuroseq.scoring.items import ITEMS, REGIONS
from neuroseq.scoring.norms import default_norms

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def _boxes(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "box"]


def _rect(box: ET.Element) -> ET.Element:
    rect = box.find(f"{SVG}rect")
    assert rect is not None
    return rect


def _severe_svgs(planned: Callable[[str], PlanResult]) -> tuple[ET.Element, ET.Element]:
    profile = planned("severe-young-child").profile
    client = brain_map_svg(client_cells(profile), title="client", description="d")
    typical = brain_map_svg(
        typical_cells(profile, default_norms()), title="typical", description="d"
    )
    return _parse(client), _parse(typical)


def test_brain_map_has_32_boxes_per_map(planned: Callable[[str], PlanResult]) -> None:
    for root in _severe_svgs(planned):
        boxes = _boxes(root)
        assert len(boxes) == 32
        assert sorted(int(b.get("data-number", "0")) for b in boxes) == list(range(1, 33))


def test_brain_map_fills_follow_the_bands_of_known_scores(
    planned: Callable[[str], PlanResult],
) -> None:
    client, _ = _severe_svgs(planned)
    by_item = {b.get("data-item"): b for b in _boxes(client)}
    # From examples/severe-young-child.yaml: score -> band (DOMAIN.md colour bands).
    expected = {
        "modulate_reactivity_impulsivity": ("2", "red"),
        "sleep": ("5", "pink"),
        "cardiovascular_ans": ("8", "yellow"),
        "extraocular_eye_movements": ("10", "light_green"),
        "temperature_metabolism": ("9", "light_green"),
    }
    for item_id, (score, band) in expected.items():
        box = by_item[item_id]
        assert box.get("data-score") == score
        assert _rect(box).get("fill") == BAND_FILLS[band]  # type: ignore[index]
        texts = [t.text for t in box.iter(f"{SVG}text")]
        assert score in texts, "the score is printed in the box, not only coloured"


def test_brain_map_typical_peer_of_age_6_has_green_brainstem(
    planned: Callable[[str], PlanResult],
) -> None:
    _, typical = _severe_svgs(planned)
    brainstem = [b for b in _boxes(typical) if b.get("data-region") == "brainstem"]
    assert len(brainstem) == 6
    assert {_rect(b).get("fill") for b in brainstem} == {BAND_FILLS["green"]}
    assert {b.get("data-score") for b in brainstem} == {"12"}


def test_brain_map_rows_put_brainstem_lowest_and_frontal_cortex_on_top(
    planned: Callable[[str], PlanResult],
) -> None:
    client, _ = _severe_svgs(planned)
    top_of: dict[str, float] = {}
    for box in _boxes(client):
        region = box.get("data-region", "")
        y = float(_rect(box).get("y", "nan"))
        top_of.setdefault(region, y)
        assert top_of[region] == y, "each region is one row"
    # SVG y grows downwards: bottom-up development means brainstem has the largest y.
    ordered = sorted(top_of, key=lambda region: top_of[region], reverse=True)
    assert ordered == list(REGIONS)


def test_brain_map_is_an_accessible_image(planned: Callable[[str], PlanResult]) -> None:
    client, _ = _severe_svgs(planned)
    assert client.get("role") == "img"
    assert client.get("aria-label")
    assert client.find(f"{SVG}title") is not None
    for box in _boxes(client):
        title = box.find(f"{SVG}title")
        assert title is not None and title.text
        number = int(box.get("data-number", "0"))
        assert ITEMS[number - 1].label in title.text


def test_brain_map_escapes_every_text() -> None:
    cells = [MapCell(item.number, item.id, item.label, item.region, 6, "pink") for item in ITEMS]
    hostile = '<script>alert(1)</script>" onload="x'
    markup = brain_map_svg(cells, title=hostile, description=hostile)
    root = _parse(markup)  # well-formed XML: nothing broke out of its attribute or element
    assert root.find(f"{SVG}title") is not None
    assert root.find(f"{SVG}title").text == hostile  # type: ignore[union-attr]
    assert root.get("aria-label", "").startswith(hostile)
    assert "<script" not in markup
    assert not list(root.iter(f"{SVG}script"))


def test_brain_map_legend_covers_the_scale() -> None:
    entries = legend(default_norms())
    assert [e.band for e in entries] == ["red", "pink", "yellow", "light_green", "green"]
    assert [e.scores for e in entries] == ["0-3.5", "4-6.5", "7-8.5", "9-10.5", "11-12"]
