"""Caution conditions: what a catalogue caution's ``if`` reads from the case and profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from neuroseq.catalog.loader import load_catalog
from neuroseq.engine.conditions import client_conditions, placement_kind, psychotropic_count
from neuroseq.engine.facts import case_facts
from neuroseq.engine.planning import DEFAULT_PLANNING
from neuroseq.engine.selection import client_context
from neuroseq.scoring.loader import load_case
from neuroseq.scoring.profile import score

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()


def _context(name: str) -> object:
    case = load_case(ROOT / "examples" / name)
    profile = score(case)
    facts = {f["id"]: f for f in case_facts(case, profile, CATALOG)}
    return case, client_context(case, profile, facts, client_conditions(case, facts))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("therapeutic foster home", "foster"),
        ("residential unit", "residential"),
        ("a community placement with mum", "biological"),
        ("emergency shelter", "shelter"),
        ("lives with grandmother", "kinship"),
        ("adoptive family", "adoptive"),
        ("supported housing (care leaver)", "independent"),
        ("lives alone in a supported flat", "independent"),
        ("lives independently", "independent"),
        ("somewhere else", "other"),
        (None, "unknown"),
        ("   ", "unknown"),
    ],
)
def test_placement_kind_reads_whole_words(text: str | None, kind: str) -> None:
    assert placement_kind(text, DEFAULT_PLANNING.placement_words) == kind


def test_conditions_unknown_placement_and_history_are_not_read_as_safe() -> None:
    case, context = _context("er-snapshot.yaml")
    assert "history_unknown" in context.conditions
    assert "sexual_abuse_history" not in context.conditions


def test_conditions_cmr_and_items_come_from_the_profile() -> None:
    _case, context = _context("severe-young-child.yaml")
    assert {"cmr_below_1", "cmr_below_2", "dissociation_significant"} <= context.conditions
    assert "adolescent_or_adult" not in context.conditions


def test_psychotropic_count_leaves_out_non_psychotropic_medicines() -> None:
    case = load_case(ROOT / "examples" / "published-case-intake.yaml")
    assert psychotropic_count(case) == 3
