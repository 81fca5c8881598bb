"""The strict caregiver loader: every malformed kind gives located file:line messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from neuroseq.errors import CaregiverError
from neuroseq.scoring.caregiver import CaregiverFile
from neuroseq.scoring.caregiver_loader import load_caregiver

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEPLETED = (EXAMPLES / "caregiver-depleted.yaml").read_text(encoding="utf-8")


def _line_of(text: str, fragment: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in text")


def _problems(tmp_path: Path, text: str, name: str = "home.yaml") -> list[str]:
    (tmp_path / "severe-young-child.yaml").write_text(
        (EXAMPLES / "severe-young-child.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaregiverError) as caught:
        load_caregiver(path)
    return [str(problem) for problem in caught.value.problems]


def _mutate(old: str, new: str) -> str:
    assert DEPLETED.count(old) == 1, old
    return DEPLETED.replace(old, new)


def test_load_caregiver_bundled_examples_load() -> None:
    for name in ("caregiver-depleted.yaml", "caregiver-strong.yaml"):
        home = load_caregiver(EXAMPLES / name)
        assert isinstance(home.document, CaregiverFile)
        assert 0 in home.cases  # the first child is given by case file
        assert 1 not in home.cases


# (name, old text, new text, expected "field: message" fragment, line fragment)
MUTATIONS = [
    (
        "unknown key with a suggestion",
        "internal_resources:",
        "internal_resource:",
        "internal_resource: unknown key 'internal_resource'; did you mean 'internal_resources'?",
        "internal_resource:",
    ),
    (
        "rating above 3",
        "  physical_health: 2",
        "  physical_health: 4",
        "internal_resources.physical_health: too high: at most 3 (got 4)",
        "physical_health: 4",
    ),
    (
        "rating not in half points",
        "  extended_family: 1",
        "  extended_family: 1.3",
        "external_resources.extended_family: use steps of 0.5 (whole or half points) (got 1.3)",
        "extended_family: 1.3",
    ),
    (
        "rating given as text",
        "  mental_health: 1",
        "  mental_health: low",
        "internal_resources.mental_health: a number (got 'low')",
        "mental_health: low",
    ),
    (
        "unknown placement type",
        "placement_type: foster",
        "placement_type: fostr",
        "caregiver.placement_type: 'fostr' is not allowed; expected 'biological', 'foster', "
        "'kinship', 'adoptive' or 'respite'; did you mean 'foster'?",
        "placement_type: fostr",
    ),
    (
        "missing resource",
        "  service_access: 1\n",
        "",
        "external_resources.service_access: required key is missing",
        "external_resources:",
    ),
    (
        "child with a case and ratings",
        "    - case: severe-young-child.yaml   # relative to this file\n",
        "    - case: severe-young-child.yaml\n      behavioural: 2\n",
        "challenges.children[0]: a child given by 'case' takes its age and needs from the case "
        "file; remove behavioural (or remove 'case' to rate the child directly)",
        "- case: severe-young-child.yaml",
    ),
    (
        "child rated without an age and a rating",
        "      age_years: 4\n      behavioural: 2\n",
        "",
        "challenges.children[1]: give either 'case: <case file>' or age_years with behavioural, "
        "emotional, medical and developmental ratings (0-3); missing: age_years, behavioural",
        "- id: example-sibling-4",
    ),
    (
        "case file not found",
        "    - case: severe-young-child.yaml   # relative to this file",
        "    - case: no-such-child.yaml",
        "challenges.children[0].case: case file 'no-such-child.yaml' not found",
        "no-such-child.yaml",
    ),
    (
        "duplicate key",
        "  co_caregiver: 0",
        "  co_caregiver: 0\n  co_caregiver: 1",
        "external_resources.co_caregiver: duplicate key 'co_caregiver'",
        "co_caregiver: 1",
    ),
    (
        "household demand unknown",
        "    work_or_study: 2",
        "    work_and_study: 2",
        "challenges.other_household_demands.work_and_study: unknown key 'work_and_study'; "
        "did you mean 'work_or_study'?",
        "work_and_study",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "message", "where"),
    [m[1:] for m in MUTATIONS],
    ids=[m[0] for m in MUTATIONS],
)
def test_load_caregiver_malformed_file_is_located(
    tmp_path: Path, old: str, new: str, message: str, where: str
) -> None:
    text = _mutate(old, new)
    problems = _problems(tmp_path, text)
    expected = f"{tmp_path / 'home.yaml'}:{_line_of(text, where)}: {message}"
    assert any(p.startswith(expected) for p in problems), problems


def test_load_caregiver_lists_every_problem_in_one_run(tmp_path: Path) -> None:
    text = _mutate("  physical_health: 2", "  physical_health: 7")
    text = text.replace("placement_type: foster", "placement_type: forever")
    text = text.replace("  respite_access: 0", "  respite_acces: 0")
    problems = _problems(tmp_path, text)
    fields = [p.split(": ", 2)[1] for p in problems]
    assert "internal_resources.physical_health" in fields
    assert "caregiver.placement_type" in fields
    assert "external_resources.respite_acces" in fields
    assert "external_resources.respite_access" in fields


def test_load_caregiver_case_file_problems_keep_their_own_lines(tmp_path: Path) -> None:
    case_text = (EXAMPLES / "typical-9-year-old.yaml").read_text(encoding="utf-8")
    (tmp_path / "broken-case.yaml").write_text(
        case_text.replace("  sleep: 11", "  sleep: 13"), encoding="utf-8"
    )
    text = _mutate(
        "    - case: severe-young-child.yaml   # relative to this file",
        "    - case: broken-case.yaml",
    )
    problems = _problems(tmp_path, text)
    case_line = _line_of(case_text, "  sleep: 11")
    assert any(
        p.startswith(f"{tmp_path / 'broken-case.yaml'}:{case_line}: cns.sleep:") for p in problems
    ), problems
    line = _line_of(text, "broken-case.yaml")
    assert (
        f"{tmp_path / 'home.yaml'}:{line}: challenges.children[0].case: the case file "
        "'broken-case.yaml' has 1 problem, listed with its own file and line" in problems
    )


def test_load_caregiver_same_case_twice_is_refused(tmp_path: Path) -> None:
    text = _mutate(
        "    - id: example-sibling-4\n      age_years: 4\n      behavioural: 2\n"
        "      emotional: 2\n      medical: 0\n      developmental: 1\n",
        "    - case: ./severe-young-child.yaml\n",
    )
    problems = _problems(tmp_path, text)
    line = _line_of(text, "./severe-young-child.yaml")
    assert problems == [
        f"{tmp_path / 'home.yaml'}:{line}: challenges.children[1].case: the case file "
        "'./severe-young-child.yaml' is already given as challenges.children[0]; "
        "list each child once"
    ]


def test_load_caregiver_wrong_schema_and_top_level(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, _mutate("schema: neuroseq/caregiver/v1", "schema: neuroseq/case/v1")
    )
    assert any("schema: 'neuroseq/case/v1' is not allowed" in p for p in problems)
    assert _problems(tmp_path, "- just\n- a list\n") == [
        f"{tmp_path / 'home.yaml'}:1: expected a mapping with schema, caregiver, "
        "internal_resources, external_resources, challenges"
    ]
    assert _problems(tmp_path, "") == [f"{tmp_path / 'home.yaml'}:1: the file is empty"]


def test_load_caregiver_refuses_object_tags(tmp_path: Path) -> None:
    problems = _problems(tmp_path, _mutate("  id: example-carer-depleted", "  id: !!python/none x"))
    assert any("is not allowed: neuroseq files hold plain data only" in p for p in problems)


def test_load_caregiver_json_is_located_too(tmp_path: Path) -> None:
    data = {
        "schema": "neuroseq/caregiver/v1",
        "caregiver": {"id": "json-carer", "placement_type": "kinship"},
        "internal_resources": dict.fromkeys(
            (
                "physical_health",
                "mental_health",
                "own_adversity_history",
                "parenting_experience",
                "trauma_informed_knowledge",
                "regulation_under_stress",
                "current_stress",
            ),
            2,
        ),
        "external_resources": {"co_caregiver": 9},
        "challenges": {"children": [{"age_years": 5}]},
    }
    text = json.dumps(data, indent=2)
    problems = _problems(tmp_path, text, "home.json")
    line = _line_of(text, '"co_caregiver": 9')
    assert any(
        p.startswith(f"{tmp_path / 'home.json'}:{line}: external_resources.co_caregiver:")
        for p in problems
    ), problems
    assert any("challenges.children[0]: give either" in p for p in problems)
