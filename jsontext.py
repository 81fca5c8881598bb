"""JSON text as neuroseq writes it: ``json.dumps(value, indent=2, ensure_ascii=False)``
for files and reports, and without white space (``separators=(",", ":")``) for the store.

The standard library indents in pure Python (about 5 ms for one plan, as much as
planning it); pydantic-core's encoder writes the same text in Rust about nine
times faster. The two agree byte for byte on JSON data except in how some floats
are spelt (Python writes ``1e-05`` and ``1e+16``, pydantic-core ``0.00001`` and
``1e16``) and on keys that are not text. So the fast text is used only when
it holds no number spelling that could differ; anything else goes to the standard
library. ``tests/test_jsontext.py`` holds the two to the same bytes on generated values.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pydantic_core

__all__ = ["compact_json", "pretty_json"]

# An exponent, a float below 1e-4 written out, or a run of 16 digits (a float at
# or above 1e16): where the two encoders may spell a number differently; and the
# keys None, True, False and non-finite floats, which the standard library writes
# as null, true, false, Infinity and NaN. Text in strings can match too; then the slow path runs, which is always right.
_MAY_DIFFER = re.compile(r'\d[eE][-+]?\d|0\.0000|\d{16}|"(?:None|True|False|-?inf|nan)":')


def _fast(value: Any, indent: int | None) -> str:
    """pydantic-core's text of ``value``, or '' where it may differ from the stdlib's."""
    try:
        text = pydantic_core.to_json(value, indent=indent, inf_nan_mode="constants").decode()
    except (TypeError, ValueError, pydantic_core.PydanticSerializationError):
        return ""
    return "" if _MAY_DIFFER.search(text) else text


def pretty_json(value: Any) -> str:
    """``value`` as indented JSON text ending in a new line (the stdlib's exact bytes)."""
    text = _fast(value, 2) or json.dumps(value, indent=2, ensure_ascii=False)
    return text + "\n"


def compact_json(value: Any) -> str:
    """``value`` as JSON text without white space (the stdlib's exact bytes)."""
    return _fast(value, None) or json.dumps(value, ensure_ascii=False, separators=(",", ":"))
