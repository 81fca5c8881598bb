"""`neuroseq items` (the scoring guide) and `neuroseq examples` (the bundled files)."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from neuroseq.cli import main
from neuroseq.scoring.loader import load_case

ROOT = Path(__file__).resolve().parent.parent
BLANK = ROOT / "examples" / "blank.yaml"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_items_index_lists_every_item_with_its_short_form() -> None:
    code, out, _ = _run("items")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "SCORING GUIDE (neuroseq's own words; not the official NMT™ Metric)"
    assert (
        "   8 sleep                               diencephalon_cerebellum  "
        "falls asleep, stays asleep and wakes rested"
    ) in lines
    assert sum(1 for line in lines if re.match(r"^  [ \d]\d [a-z_]+ ", line)) == 32


def test_items_by_id_or_number_prints_the_anchors() -> None:
    code, out, _ = _run("items", "sleep")
    assert code == 0
    lines = out.splitlines()
    assert (
        lines[0]
        == "8. sleep (diencephalon_cerebellum): falls asleep, stays asleep and wakes rested"
    )
    assert "   0  = Sleeps only in short, broken bouts; no day-night rhythm." in lines
    assert [line[:7] for line in lines if re.match(r"^  [ \d]\d  = ", line)] == [
        "   0  =",
        "   3  =",
        "   6  =",
        "   9  =",
        "  12  =",
    ]
    assert _run("items", "8") == (0, out, "")
    assert _run("items", "SLEEP") == (0, out, "")


def test_items_history_relational_health_and_vocabularies() -> None:
    code, out, _ = _run("items", "history")
    assert code == 0
    assert "    3 = severe (e.g. chronic neglect, physical or sexual abuse, prenatal alcohol" in out
    assert (
        "  chronic   = ongoing most of the period, such as living with neglect or violence" in out
    )
    code, out, _ = _run("items", "relational_health")
    assert code == 0 and out.startswith("RELATIONAL HEALTH NOW (Part D)\n")
    code, out, _ = _run("items", "vocabularies")
    assert code == 0
    assert "  touch_defensive     = dislikes or fears being touched;" in out


def test_items_unknown_id_is_a_usage_error_with_a_suggestion() -> None:
    code, out, err = _run("items", "slep")
    assert code == 2
    assert out == ""
    assert err.splitlines()[-1] == (
        "Error: Invalid value for ITEM: 'slep' is not an item id, an item number 1-32, history, "
        "relational_health or vocabularies; did you mean sleep? (neuroseq items lists the ids)"
    )
    assert _run("items", "33")[0] == 2


def test_examples_lists_every_yaml_file_with_its_first_comment_line() -> None:
    code, out, _ = _run("examples")
    assert code == 0
    lines = out.splitlines()
    names = sorted(path.stem for path in (ROOT / "examples").glob("*.yaml"))
    assert [line.split()[0] for line in lines[: len(names)]] == names
    first = (ROOT / "examples" / "severe-young-child.yaml").read_text().splitlines()[0]
    width = max(len(name) for name in names) + 2
    assert f"{'severe-young-child':<{width}}{first.removeprefix('# ')}" in lines
    assert lines[-1] == "neuroseq examples NAME prints one; -o FILE copies it to edit."


def test_examples_name_prints_the_file_as_shipped() -> None:
    code, out, _ = _run("examples", "er-snapshot")
    assert code == 0
    assert out == (ROOT / "examples" / "er-snapshot.yaml").read_text(encoding="utf-8")
    assert _run("examples", "ER-snapshot.yaml") == (0, out, "")


def test_examples_name_copies_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "my-case.yaml"
    code, out, _ = _run("examples", "blank", "-o", str(target))
    assert (code, out) == (0, "")
    assert target.read_text(encoding="utf-8") == BLANK.read_text(encoding="utf-8")
    assert load_case(target).client.id == "blank-template"


def test_examples_unknown_name_is_a_usage_error_listing_the_names() -> None:
    code, _, err = _run("examples", "blankk")
    assert code == 2
    assert "Error: Invalid value for NAME: no example called 'blankk'; there are: blank, " in err
