"""A tiny, safe SVG builder for the reports' inline figures.

Every figure in a report (the brain map, the domain bars, the CMR scale, the
history chart) is built from :func:`element`, which escapes every attribute
value and every text child with markupsafe. Only values that are already
:class:`markupsafe.Markup` (other elements built here) pass through as
markup, so text from a case can never become SVG or HTML.
"""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup, escape

__all__ = ["Attr", "element", "fmt_number", "group"]

Attr = str | int | float | None


def fmt_number(value: float) -> str:
    """A coordinate or value with at most 2 decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attr(value: str | int | float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return fmt_number(float(value))
    return str(escape(value))


def element(tag: str, attrs: Mapping[str, Attr] | None = None, *children: str | Markup) -> Markup:
    """``<tag attrs>children</tag>``; attributes and plain-text children escaped.

    Attribute names use ``_`` for ``-`` (``font_size`` -> ``font-size``), except
    names that already hold a colon or hyphen; ``None`` values are left out.
    """
    parts = [tag]
    for name, value in (attrs or {}).items():
        if value is None:
            continue
        parts.append(f'{name.replace("_", "-")}="{_attr(value)}"')
    opening = " ".join(parts)
    if not children:
        return Markup(f"<{opening}/>")
    inner = "".join(str(escape(child)) for child in children)
    return Markup(f"<{opening}>{inner}</{tag}>")


def group(*children: Markup, **attrs: Attr) -> Markup:
    """A ``<g>`` of already built elements."""
    return element("g", attrs, *children)
