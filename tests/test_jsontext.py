"""pretty_json and compact_json write exactly what json.dumps writes with their settings."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from neuroseq.jsontext import compact_json, pretty_json

DATA = Path(__file__).parent / "data"

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.floats(min_value=-1e-3, max_value=1e-3)
    | st.floats(min_value=-1e20, max_value=1e20)
    | st.text(st.characters(blacklist_categories=()))
)
_keys = st.text(st.characters(blacklist_categories=())) | st.integers() | st.floats()
_keys = _keys | st.booleans() | st.none() | st.sampled_from(["None", "True", "1e5", "0.00001"])
_values = st.recursive(
    _scalars, lambda inner: st.lists(inner) | st.dictionaries(_keys, inner), max_leaves=25
)


@settings(max_examples=600)
@given(_values)
def test_jsontext_pretty_json_matches_the_standard_library(value: object) -> None:
    assert pretty_json(value) == json.dumps(value, indent=2, ensure_ascii=False) + "\n"


@settings(max_examples=600)
@given(_values)
def test_jsontext_compact_json_matches_the_standard_library(value: object) -> None:
    assert compact_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_jsontext_pretty_json_matches_on_the_golden_plans() -> None:
    plans = sorted(DATA.rglob("*.plan.json"))
    assert plans
    for path in plans:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert pretty_json(data) == path.read_text(encoding="utf-8"), path.name


def test_jsontext_pretty_json_spells_small_and_large_floats_as_python_does() -> None:
    assert pretty_json([1e-05, 1e16, 0.5]) == "[\n  1e-05,\n  1e+16,\n  0.5\n]\n"
    assert pretty_json({None: 1, True: 2}) == '{\n  "null": 1,\n  "true": 2\n}\n'


def test_jsontext_compact_json_spells_floats_and_odd_keys_as_python_does() -> None:
    assert compact_json([1e-05, 1e16, 0.5]) == "[1e-05,1e+16,0.5]"
    assert compact_json({None: 1, True: 2}) == '{"null":1,"true":2}'
