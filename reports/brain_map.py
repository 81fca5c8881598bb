"""The functional brain map as inline SVG, and as a compact Markdown grid.

Profile --client_cells/typical_cells--> cells --brain_map_svg--> SVG markup.

The map has one row per region, frontal cortex at the top and brainstem at
the bottom (the brain organises bottom-up, so the map is read from the
bottom). Each of the 32 functions is a box coloured by its band with its
item number and its score printed inside, so colour is never the only cue;
every box also carries a ``<title>`` naming the function, and the whole map
is ``role="img"`` with a title and description. Box fills are presentation
attributes *and* classes (``band-red`` ...), so a clinic's stylesheet can
recolour them. All text goes through :mod:`neuroseq.reports.svg`, which
escapes it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from neuroseq.reports.svg import element, fmt_number, group
from neuroseq.scoring.items import ITEMS, REGIONS, Region
from neuroseq.scoring.norms import BANDS, Band, Norms
from neuroseq.scoring.profile import Profile

__all__ = [
    "BAND_FILLS",
    "BAND_MEANINGS",
    "REGION_TITLES",
    "LegendEntry",
    "MapCell",
    "brain_map_svg",
    "client_cells",
    "legend",
    "map_key",
    "score_text",
    "typical_cells",
]

#: Fill colour of each band; light enough that the dark score text stays legible.
BAND_FILLS: dict[Band, str] = {
    "red": "#e8503f",
    "pink": "#f5a6c3",
    "yellow": "#fbe15a",
    "light_green": "#b9e08c",
    "green": "#52b05a",
}
BAND_MEANINGS: dict[Band, str] = {
    "red": "underdeveloped or severely impaired",
    "pink": "underdeveloped or impaired",
    "yellow": "moderately compromised or precursor functioning",
    "light_green": "typical or appropriately emerging",
    "green": "well organised, up to a young adult",
}
REGION_TITLES: dict[Region, str] = {
    "brainstem": "Brainstem",
    "diencephalon_cerebellum": "Diencephalon / cerebellum",
    "limbic": "Limbic",
    "cortex": "Cortex",
    "frontal_cortex": "Frontal cortex",
}
_LABELS = {item.id: item.label for item in ITEMS}

# Geometry in SVG user units.
_BOX_W, _BOX_H, _GAP = 36.0, 28.0, 4.0
_LABEL_W = 84.0
_PAD = 4.0
_MAX_ROW = max(sum(1 for item in ITEMS if item.region == r) for r in REGIONS)
_ROWS_W = _MAX_ROW * _BOX_W + (_MAX_ROW - 1) * _GAP
WIDTH = _LABEL_W + _ROWS_W + 2 * _PAD
HEIGHT = len(REGIONS) * (_BOX_H + _GAP) - _GAP + 2 * _PAD


@dataclass(frozen=True, slots=True)
class MapCell:
    """One box on a map: which function, its score and its band."""

    number: int
    item_id: str
    label: str
    region: Region
    score: float
    band: Band


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One band of the legend: its colour, the scores it covers and what it means."""

    band: Band
    fill: str
    scores: str
    meaning: str


def score_text(value: float) -> str:
    """A score as printed in a box: whole and half points exactly, else one decimal."""
    if float(value * 2).is_integer():
        return f"{value:g}"
    return f"{value:.1f}"


def client_cells(profile: Profile) -> tuple[MapCell, ...]:
    """The client's 32 boxes, in map order."""
    return tuple(
        MapCell(s.number, s.id, _LABELS[s.id], s.region, s.score, s.band)
        for s in profile.items.values()
    )


def typical_cells(profile: Profile, norms: Norms) -> tuple[MapCell, ...]:
    """The 32 boxes of a typical peer of the client's age, banded like the client's."""
    return tuple(
        MapCell(s.number, s.id, _LABELS[s.id], s.region, s.typical, norms.band(s.typical))
        for s in profile.items.values()
    )


def legend(norms: Norms) -> tuple[LegendEntry, ...]:
    """The bands with the score ranges they cover (from the norms' cut points)."""
    starts = norms.tables.band_starts
    top = norms.adult_score
    entries = []
    for index, band in enumerate(BANDS):
        low = starts[index]
        high = starts[index + 1] - 0.5 if index + 1 < len(starts) else top
        scores = f"{low:g}-{high:g}" if high > low else f"{low:g}"
        entries.append(LegendEntry(band, BAND_FILLS[band], scores, BAND_MEANINGS[band]))
    return tuple(entries)


def map_key() -> tuple[tuple[str, tuple[tuple[int, str], ...]], ...]:
    """Item numbers and labels grouped by region, top (frontal cortex) to bottom."""
    return tuple(
        (
            REGION_TITLES[region],
            tuple((item.number, item.label) for item in ITEMS if item.region == region),
        )
        for region in reversed(REGIONS)
    )


def _rows(cells: Sequence[MapCell]) -> list[tuple[Region, list[MapCell]]]:
    """Region rows from the top of the map (frontal cortex) to the bottom (brainstem)."""
    return [(region, [c for c in cells if c.region == region]) for region in reversed(REGIONS)]


def _region_label(region: Region, x: float, y: float) -> Markup:
    words = REGION_TITLES[region].split(" / ")
    if len(words) == 1:
        return element(
            "text", {"x": x, "y": y + 4, "class": "bm-region", "text_anchor": "end"}, words[0]
        )
    lines = [
        element("tspan", {"x": x, "dy": 0 if i == 0 else 10}, word + (" /" if i == 0 else ""))
        for i, word in enumerate(words)
    ]
    return element(
        "text",
        {"x": x, "y": y - 1, "class": "bm-region", "text_anchor": "end"},
        Markup("".join(lines)),
    )


def _box(cell: MapCell, x: float, y: float) -> str:
    """One box as SVG text. Written out by hand rather than with ``element`` because a
    report draws 64 of them; every value from outside this module is escaped."""
    score = escape(score_text(cell.score))
    band = escape(cell.band)
    title = escape(f"{cell.number}. {cell.label}: ")
    n, item, region = cell.number, escape(cell.item_id), escape(cell.region)
    fill = escape(BAND_FILLS[cell.band])
    return (
        f'<g class="box" data-item="{item}" data-number="{n}" data-region="{region}" '
        f'data-band="{band}" data-score="{score}">'
        f"<title>{title}{score} ({escape(cell.band.replace('_', ' '))})</title>"
        f'<rect x="{fmt_number(x)}" y="{fmt_number(y)}" width="{fmt_number(_BOX_W)}" '
        f'height="{fmt_number(_BOX_H)}" rx="3" fill="{fill}" stroke="#333" '
        f'stroke-width="0.6" class="cell band-{band}"/>'
        f'<text x="{fmt_number(x + 3)}" y="{fmt_number(y + 8)}" class="bm-num">{n}</text>'
        f'<text x="{fmt_number(x + _BOX_W / 2)}" y="{fmt_number(y + _BOX_H - 7)}" '
        f'class="bm-score" text-anchor="middle">{score}</text></g>'
    )


def brain_map_svg(cells: Sequence[MapCell], *, title: str, description: str) -> Markup:
    """One map as an ``<svg role="img">``: region rows, frontal cortex at the top.

    Cached: a typical peer's map is the same for every client of one age.
    """
    return _brain_map_svg(tuple(cells), title, description)


@functools.lru_cache(maxsize=128)
def _brain_map_svg(cells: tuple[MapCell, ...], title: str, description: str) -> Markup:
    rows = []
    for index, (region, row) in enumerate(_rows(cells)):
        y = _PAD + index * (_BOX_H + _GAP)
        width = len(row) * _BOX_W + (len(row) - 1) * _GAP
        x0 = _PAD + _LABEL_W + (_ROWS_W - width) / 2
        boxes = Markup(
            "".join(_box(cell, x0 + i * (_BOX_W + _GAP), y) for i, cell in enumerate(row))
        )
        rows.append(
            group(
                _region_label(region, _PAD + _LABEL_W - 6, y + _BOX_H / 2),
                boxes,
                **{"class": "region-row", "data-region": region, "data-y": y},
            )
        )
    style = element(
        "style",
        None,
        Markup(
            ".bm-region{font-size:8.5px;fill:#222}"
            ".bm-num{font-size:7px;fill:#222}"
            ".bm-score{font-size:12px;font-weight:700;fill:#111}"
        ),
    )
    return element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {fmt_number(WIDTH)} {fmt_number(HEIGHT)}",
            "role": "img",
            "aria-label": f"{title}. {description}",
            "class": "brain-map",
            "font-family": "Helvetica, Arial, sans-serif",
        },
        element("title", None, title),
        element("desc", None, description),
        style,
        *rows,
    )
