"""The tiny SVG builder: numbers without noise, every attribute and text child escaped."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from neuroseq.reports.svg import element, fmt_number, group


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1.0, "1"), (1.234, "1.23"), (2.5, "2.5"), (-0.001, "0"), (100, "100")],
)
def test_fmt_number_keeps_at_most_2_decimals_without_trailing_zeros(
    value: float, shown: str
) -> None:
    assert fmt_number(value) == shown


def test_element_escapes_attributes_and_text_and_drops_none() -> None:
    built = element("rect", {"x": 1.5, "y": None, "title": '<a "b">'}, "a<b")
    assert built == '<rect x="1.5" title="&lt;a &#34;b&#34;&gt;">a&lt;b</rect>'
    assert isinstance(built, Markup)


def test_element_without_children_closes_itself() -> None:
    assert element("circle", {"r": 2}) == '<circle r="2"/>'


def test_element_keeps_markup_children_as_built() -> None:
    assert element("g", None, Markup("<b/>"), "x&y") == "<g><b/>x&amp;y</g>"


def test_group_wraps_built_elements_with_dashed_attribute_names() -> None:
    assert group(element("circle", {"r": 2}), aria_label="map") == (
        '<g aria-label="map"><circle r="2"/></g>'
    )
