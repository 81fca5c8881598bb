"""The strict case loader: every bad-input kind gives located messages."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuroseq.errors import CaseError
from neuroseq.scoring.loader import load_case, suggest_catalog_id
from neuroseq.source import MAX_BYTES

ROOT = Path(__file__).resolve().parents[2]
VALID = (ROOT / "examples" / "typical-9-year-old.yaml").read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _errors(tmp_path: Path, text: str, name: str = "case.yaml") -> list[str]:
    path = _write(tmp_path, text, name)
    with pytest.raises(CaseError) as caught:
        load_case(path, catalog_ids={"tf_cbt", "tutoring", "reiki", "drumming"})
    return [str(problem) for problem in caught.value.problems]


def _line_of(text: str, fragment: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in text")


def test_load_case_valid_example_loads() -> None:
    case = load_case(ROOT / "examples" / "typical-9-year-old.yaml")
    assert case.client.id == "example-typical-9"
    assert case.cns.sleep == 11


def test_load_case_every_bundled_example_loads(examples: Path) -> None:
    for path in sorted(examples.glob("*.yaml")):
        if path.name.startswith("caregiver-"):
            continue  # caregiver files (neuroseq/caregiver/v1), tested in tests/caregiver
        assert load_case(path).cns is not None


# (name, old text, new text, expected message fragment, field, line fragment)
MUTATIONS = [
    (
        "unknown top key",
        "notes:",
        "noets:",
        "unknown key 'noets'; did you mean 'notes'?",
        "noets",
        "noets:",
    ),
    (
        "unknown item id",
        "  sleep: 11",
        "  sleeep: 11",
        "did you mean 'sleep'",
        "cns.sleeep",
        "sleeep",
    ),
    ("missing item", "  sleep: 11\n", "", "required key is missing", "cns.sleep", "cns:"),
    (
        "item above 12",
        "  sleep: 11",
        "  sleep: 13",
        "at most 12",
        "cns.sleep",
        "sleep:",
    ),
    (
        "negative item",
        "  sleep: 11",
        "  sleep: -1",
        "at least 0",
        "cns.sleep",
        "sleep:",
    ),
    (
        "item not half point",
        "  sleep: 11",
        "  sleep: 7.3",
        "steps of 0.5",
        "cns.sleep",
        "sleep:",
    ),
    ("item as text", "  sleep: 11", "  sleep: eleven", "a number", "cns.sleep", "sleep:"),
    ("item quoted number", "  sleep: 11", '  sleep: "11"', "a number", "cns.sleep", "sleep:"),
    ("item boolean", "  sleep: 11", "  sleep: true", "a number", "cns.sleep", "sleep:"),
    ("item null", "  sleep: 11", "  sleep:", "a number", "cns.sleep", "sleep:"),
    (
        "wrong schema",
        "schema: neuroseq/case/v1",
        "schema: neuroseq/case/v2",
        "expected 'neuroseq/case/v1'",
        "schema",
        "schema:",
    ),
    ("missing schema", "schema: neuroseq/case/v1\n", "", "required key is missing", "schema", None),
    ("unknown metric", "metric: full", "metric: ful", "did you mean 'full'", "metric", "metric:"),
    (
        "missing client",
        "client:\n  id: example-typical-9\n  age_years: 9.0\n  assessment_date: 2026-03-02\n"
        "  school_setting: mainstream year 4\n  interests: [football, drawing]\n",
        "",
        "required key is missing",
        "client",
        None,
    ),
    ("no age", "  age_years: 9.0\n", "", "give age_years, or date_of_birth", "client", "client:"),
    (
        "age negative",
        "age_years: 9.0",
        "age_years: -2",
        "at least 0",
        "client.age_years",
        "age_years",
    ),
    (
        "age too high",
        "age_years: 9.0",
        "age_years: 140",
        "at most 99",
        "client.age_years",
        "age_years",
    ),
    (
        "bad date",
        "assessment_date: 2026-03-02",
        "assessment_date: 2026-13-45",
        "date",
        "client.assessment_date",
        "assessment_date",
    ),
    (
        "client id with spaces",
        "id: example-typical-9",
        "id: Jane Smith",
        "contains a space, which is not allowed: use only letters, digits",
        "client.id",
        "id: Jane",
    ),
    (
        "unknown client key",
        "  school_setting:",
        "  school_seting:",
        "did you mean 'school_setting'",
        "client.school_seting",
        "school_seting",
    ),
    (
        "interests not a list",
        "interests: [football, drawing]",
        "interests: 7",
        "a list",
        "client.interests",
        "interests",
    ),
    ("history missing for full", None, None, "metric 'full' needs a history", None, None),
    (
        "period beyond age",
        "  - {period: childhood,",
        "  - {period: adolescence,",
        "starts at 11 years, after the client's age of 9.0",
        "history[3].period",
        "adolescence",
    ),
    (
        "unknown period",
        "  - {period: childhood,",
        "  - {period: childhod,",
        "did you mean 'childhood'",
        "history[3].period",
        "childhod",
    ),
    (
        "repeated period",
        "  - {period: childhood,",
        "  - {period: infancy,",
        "given twice",
        "history[3].period",
        None,
    ),
    (
        "adversity out of range",
        "{period: infancy, adversity: 0",
        "{period: infancy, adversity: 4",
        "at most 3",
        "history[1].adversity",
        "period: infancy",
    ),
    (
        "bad pattern",
        "{period: infancy, adversity: 0, pattern: none",
        "{period: infancy, adversity: 0, pattern: often",
        "expected 'none', 'single', 'episodic' or 'chronic'",
        "history[1].pattern",
        "period: infancy",
    ),
    (
        "relational health out of range",
        "relational_health: {family: 3",
        "relational_health: {family: 5",
        "at most 3",
        "relational_health.family",
        "relational_health",
    ),
    (
        "unknown catalogue id",
        "interests: [football, drawing]",
        "interests: [football, drawing]\n  declined: [reikki]",
        "unknown catalogue id 'reikki'; did you mean 'reiki'?",
        "client.declined[0]",
        "declined",
    ),
    (
        "unknown current service",
        "relational_health:",
        "current_services: [tf_cbtt]\nrelational_health:",
        "unknown catalogue id 'tf_cbtt'",
        "current_services[0]",
        "current_services",
    ),
    (
        "duplicate key",
        "  sleep: 11",
        "  sleep: 11\n  sleep: 10",
        "duplicate key 'sleep'",
        "cns.sleep",
        "sleep: 10",
    ),
    (
        "python object tag",
        "notes:",
        "evil: !!python/object/apply:os.system ['true']\nnotes:",
        "tag '!!python/object/apply:os.system' is not allowed",
        "evil",
        "evil:",
    ),
    (
        "python name tag",
        "notes:",
        "evil: !!python/name:os.system\nnotes:",
        "is not allowed",
        "evil",
        "evil:",
    ),
    (
        "custom tag",
        "  sleep: 11",
        "  sleep: !score 11",
        "tag '!score' is not allowed",
        "cns.sleep",
        "sleep:",
    ),
    (
        "household wrong type",
        "relational_health:",
        "household: {siblings_in_home: two}\nrelational_health:",
        "a whole number",
        "household.siblings_in_home",
        "household",
    ),
    (
        "sibling conflict not bool",
        "relational_health:",
        "household: {sibling_conflict: maybe}\nrelational_health:",
        "true or false",
        "household.sibling_conflict",
        "household",
    ),
    (
        "date of birth after assessment",
        "  age_years: 9.0\n",
        "  date_of_birth: 2027-01-01\n",
        "date_of_birth is after assessment_date",
        "client",
        "client:",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected", "field", "line_fragment"),
    [pytest.param(*m[1:], id=m[0]) for m in MUTATIONS if m[1] is not None],
)
def test_load_case_bad_input_reports_file_line_and_field(
    tmp_path: Path, old: str, new: str, expected: str, field: str, line_fragment: str | None
) -> None:
    assert old in VALID, old
    text = VALID.replace(old, new, 1)
    messages = _errors(tmp_path, text)
    matching = [m for m in messages if expected in m]
    assert matching, messages
    message = matching[0]
    assert message.startswith(str(tmp_path / "case.yaml") + ":")
    assert f" {field}: " in message, message
    if line_fragment is not None:
        line = _line_of(text, line_fragment.split("\n")[-1])
        assert message.startswith(f"{tmp_path / 'case.yaml'}:{line}"), (message, line)


def test_load_case_history_missing_for_full(tmp_path: Path) -> None:
    data = yaml.safe_load(VALID)
    del data["history"]
    messages = _errors(tmp_path, yaml.safe_dump(data))
    assert any("metric 'full' needs a history" in m for m in messages), messages


def test_load_case_er_needs_no_history(tmp_path: Path) -> None:
    data = yaml.safe_load(VALID)
    del data["history"]
    data["metric"] = "er"
    case = load_case(_write(tmp_path, yaml.safe_dump(data)))
    assert case.history is None


def test_load_case_date_of_birth_gives_age(tmp_path: Path) -> None:
    text = VALID.replace("  age_years: 9.0\n", "  date_of_birth: 2017-03-02\n")
    case = load_case(_write(tmp_path, text))
    assert case.client.age == pytest.approx(9.0, abs=0.01)


def test_load_case_reports_every_problem_in_one_run(tmp_path: Path) -> None:
    text = (
        VALID.replace("  sleep: 11", "  sleep: 13")
        .replace("notes:", "noets:")
        .replace("metric: full", "metric: sometimes")
        .replace("{period: infancy, adversity: 0", "{period: infancy, adversity: 9")
    )
    messages = _errors(tmp_path, text)
    assert len(messages) >= 4, messages
    for fragment in ("cns.sleep", "noets", "metric", "history[1].adversity"):
        assert any(fragment in m for m in messages), (fragment, messages)


def test_load_case_json_with_lines(tmp_path: Path) -> None:
    data = yaml.safe_load(VALID)
    data["client"]["assessment_date"] = "2026-03-02"
    data["cns"]["sleep"] = 20
    text = json.dumps(data, indent="\t")
    messages = _errors(tmp_path, text, "case.json")
    line = _line_of(text, '"sleep"')
    assert any(m.startswith(f"{tmp_path / 'case.json'}:{line}: cns.sleep:") for m in messages)


def test_load_case_json_valid(tmp_path: Path) -> None:
    data = yaml.safe_load(VALID)
    data["client"]["assessment_date"] = "2026-03-02"
    case = load_case(_write(tmp_path, json.dumps(data), "case.json"))
    assert case.cns.reading_verbal == 8


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1,}', "not valid JSON"),
        ('{"schema": 1, "schema": 2}', "duplicate key 'schema'"),
        ("[1, 2]", "expected a mapping"),
    ],
)
def test_load_case_json_errors(tmp_path: Path, text: str, expected: str) -> None:
    messages = _errors(tmp_path, text, "case.json")
    assert any(expected in m for m in messages), messages


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"", "the file is empty"),
        (b"just some words\n", "expected a mapping"),
        (b"- a\n- b\n", "expected a mapping"),
        (b"a: [1, 2\n", "not valid YAML"),
        (b"a: b: c\n", "not valid YAML"),
        (b"\tcns: 1\n", "a tab character at line 1, column 1: YAML indents with spaces only"),
        (b"schema: neuroseq/case/v1\nnotes: caf\xe9\n", "not UTF-8"),
        (b"schema: \x00\n", "NUL byte"),
        (b"---\na: 1\n---\nb: 2\n", "not valid YAML"),
    ],
)
def test_load_case_not_yaml(tmp_path: Path, raw: bytes, expected: str) -> None:
    path = tmp_path / "case.yaml"
    path.write_bytes(raw)
    with pytest.raises(CaseError, match=expected):
        load_case(path)


def test_load_case_billion_laughs_refused_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip(string.ascii_lowercase, string.ascii_lowercase[1:10], strict=False):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(CaseError, match="aliases are expanded"):
        load_case(_write(tmp_path, "\n".join(lines) + "\n"))


def test_load_case_too_many_aliases(tmp_path: Path) -> None:
    text = "a: &x 1\nb: [" + ", ".join(["*x"] * 150) + "]\n"
    with pytest.raises(CaseError, match="more than 100 aliases"):
        load_case(_write(tmp_path, text))


def test_load_case_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_bytes(b"# " + b"x" * (MAX_BYTES + 10) + b"\n")
    with pytest.raises(CaseError, match="the limit is"):
        load_case(path)


def test_load_case_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="file not found"):
        load_case(tmp_path / "nope.yaml")


def test_load_case_folder(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="is a folder"):
        load_case(tmp_path)


def test_load_case_object_tag_has_no_side_effect(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    text = VALID.replace(
        "notes:", f"evil: !!python/object/apply:os.system ['touch {marker}']\nnotes:"
    )
    _errors(tmp_path, text)
    assert not marker.exists()


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_load_case_any_text_raises_only_case_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_case(path)
    except CaseError:
        pass


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=200))
def test_load_case_any_bytes_raises_only_case_error(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "fuzz.json"
    path.write_bytes(raw)
    try:
        load_case(path)
    except CaseError:
        pass


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(min_value=0, max_value=len(VALID) - 1), st.text(max_size=8))
def test_load_case_mutated_valid_case_raises_only_case_error(
    tmp_path: Path, position: int, insert: str
) -> None:
    path = tmp_path / "mutated.yaml"
    path.write_text(
        VALID[:position] + insert + VALID[position + 1 :], encoding="utf-8", errors="surrogatepass"
    )
    try:
        load_case(path)
    except CaseError:
        pass


@pytest.mark.parametrize(
    ("written", "known", "expected"),
    [
        ("CBT", {"cbt": "Cognitive behavioural therapy", "tf_cbt": "x"}, "cbt"),
        ("Therapeutic drumming", {"drumming": "Therapeutic drumming", "yoga": "y"}, "drumming"),
        ("Therapeutic horse riding", {"hippotherapy": "Therapeutic horse riding"}, "hippotherapy"),
        ("Therapeutic drumming", {"drumming", "therapeutic_massage"}, "drumming"),
        ("speech language therapy", {"speech_language_therapy"}, "speech_language_therapy"),
        ("tutorin", {"tutoring"}, "tutoring"),
        ("zzz qqq", {"tutoring"}, None),
    ],
)
def test_suggest_catalog_id_by_case_and_name(
    written: str, known: set[str] | dict[str, str], expected: str | None
) -> None:
    assert suggest_catalog_id(written, known) == expected
