"""``neuroseq compare``: change over time for one client, and its errors."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from neuroseq.cli import main
from neuroseq.errors import CaseError
from neuroseq.reports.compare import compare, compare_cases, comparison_json

ROOT = Path(__file__).resolve().parents[2]
GENERATED = datetime.date(2026, 2, 3)
BASELINE = ROOT / "tests" / "data" / "followup" / "severe-6-baseline.yaml"
FOLLOWUP = ROOT / "tests" / "data" / "followup" / "severe-7-followup.yaml"
OTHER = ROOT / "examples" / "typical-9-year-old.yaml"


@pytest.fixture(scope="module")
def data() -> dict[str, object]:
    # Given newest first: compare must put them in time order itself.
    return comparison_json(compare_cases([FOLLOWUP, BASELINE]))


def test_compare_orders_by_assessment_date(data: dict[str, object]) -> None:
    assessments = data["assessments"]
    assert isinstance(assessments, list)
    assert [a["assessment_date"] for a in assessments] == ["2026-01-15", "2027-01-20"]
    assert [a["age"] for a in assessments] == [6.0, 7.0]
    assert data["typical_age"] == 7.0


def test_compare_item_table_has_a_column_per_assessment(data: dict[str, object]) -> None:
    items = data["items"]
    assert isinstance(items, list) and len(items) == 32
    sleep = next(i for i in items if i["id"] == "sleep")
    assert sleep["scores"] == ["5", "8"]
    assert sleep["bands"] == ["pink", "yellow"]
    assert sleep["typical"] == "10.4"
    assert sleep["change"] == "+3"


def test_compare_cmr_change_and_resumed_services(data: dict[str, object]) -> None:
    assert data["cmr"] == {"values": [0.56, 1.08], "change": 0.52, "typical_latest": 2.67}
    changes = data["plan_changes"]
    assert isinstance(changes, list) and len(changes) == 1
    resumed = {entry["intervention"] for entry in changes[0]["resumed"]}
    assert resumed == {"tf_cbt", "tutoring", "speech_language_therapy"}
    assert all(entry["before_action"] == "suspend" for entry in changes[0]["resumed"])
    assert changes[0]["suspended"] == []


def test_compare_region_totals_and_developmental_age_change(data: dict[str, object]) -> None:
    regions = data["regions"]
    assert isinstance(regions, list)
    assert [r["id"] for r in regions][0] == "frontal_cortex"
    limbic = next(r for r in regions if r["id"] == "limbic")
    assert limbic["scores"] == ["28", "39"]
    assert limbic["developmental_age_change"] == "+1.6"
    assert limbic["age_change"] == "+1.0"


def test_compare_markdown_shows_items_cmr_and_resumed() -> None:
    md = compare([BASELINE, FOLLOWUP], "md")
    assert (
        "| # | Function | 1: 2026-01-15, age 6.0 | 2: 2027-01-20, age 7.0 | Typical, age 7.0 | Change |"
        in md
    )
    assert "| 8 | Sleep | 5 pink | 8 yellow | 10.4 light green | +3 |" in md
    assert "CMR rose from 0.56 to 1.08 (+0.52). It has passed 1.0" in md
    assert (
        "- **Resumed**: Trauma-focused cognitive behavioural therapy (`tf_cbt`): Suspend -> Resume"
        in md
    )
    assert "&lt;" not in md and "<b>Markup in notes is shown as text.</b>" in md


def test_compare_html_maps_side_by_side_in_time_order() -> None:
    html = compare([FOLLOWUP, BASELINE], "html")
    captions = re.findall(r"<figcaption>([^<]+)</figcaption>", html)
    assert captions == [
        "1: 2026-01-15, age 6.0",
        "2: 2027-01-20, age 7.0",
        "Typical peer, age 7.0",
    ]
    assert html.count('class="brain-map"') == 3
    assert "&lt;b&gt;Markup in notes is shown as text.&lt;/b&gt;" in html
    assert "<script" not in html
    assert 'class="change-resumed" data-intervention="tf_cbt"' in html


def test_compare_orders_by_age_without_dates(tmp_path: Path) -> None:
    older = tmp_path / "later.yaml"
    older.write_text(FOLLOWUP.read_text().replace("  assessment_date: 2027-01-20\n", ""))
    comparison = compare_cases([older, BASELINE])
    assert [a.age for a in comparison.assessments] == [6.0, 7.0]


def test_compare_refuses_different_clients() -> None:
    with pytest.raises(CaseError, match="compare assessments of one client only") as info:
        compare_cases([BASELINE, OTHER])
    problem = info.value.problems[0]
    assert problem.field == "client.id"
    assert "'example-typical-9'" in problem.message and "'example-severe-6'" in problem.message


def test_compare_needs_two_assessments() -> None:
    with pytest.raises(CaseError, match="at least two assessments"):
        compare_cases([BASELINE])


def test_compare_command_with_mismatched_clients_exits_1(tmp_path: Path) -> None:
    out = tmp_path / "out.md"
    result = CliRunner().invoke(main, ["compare", str(BASELINE), str(OTHER), "-o", str(out)])
    assert result.exit_code == 1
    assert "compare assessments of one client only" in result.output
    assert "nothing was written" in result.output
    assert not out.exists()


def test_compare_command_writes_json_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = CliRunner().invoke(
        main, ["compare", str(FOLLOWUP), str(BASELINE), "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == "neuroseq/compare/v1"
    assert data["client_id"] == "example-severe-6"


def test_compare_stopped_items_say_why(tmp_path: Path) -> None:
    # A year on the client has left school: the aide, which stays while school work
    # restarts in brief segments, is no longer indicated and fades.
    followup = tmp_path / "published-case-followup.yaml"
    text = (ROOT / "examples" / "published-case-followup.yaml").read_text()
    followup.write_text(text.replace("  school_setting: special education class\n", ""))
    html = compare(
        [followup, ROOT / "examples" / "published-case-intake.yaml"],
        "html",
        generated=GENERATED,
    )
    aide = re.search(
        r'<tr class="change-stopped" data-intervention="in_room_aide" data-why="fade">(.*?)</tr>',
        html,
    )
    assert (
        aide
        and "Faded, no longer indicated" in aide.group(1)
        and "No rule calls for" in aide.group(1)
    )
    assert 'data-why="not_started"><td><b>Not started</b>' in html
    assert "Generated 2026-02-03" in html
    assert '<span class="short">' in html
