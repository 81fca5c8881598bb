"""Selection: the relevance of an entry for this client (need, fit, settings) and its parts."""

from __future__ import annotations

from pathlib import Path

import pytest

from neuroseq.catalog.loader import load_catalog
from neuroseq.engine.conditions import client_conditions
from neuroseq.engine.facts import case_facts
from neuroseq.engine.planner import Planner
from neuroseq.engine.planning import DEFAULT_PLANNING
from neuroseq.engine.selection import client_context, relevance
from neuroseq.scoring.loader import load_case
from neuroseq.scoring.profile import score

ROOT = Path(__file__).resolve().parents[2]
PLANNER = Planner.load()
CATALOG = load_catalog()


def _context(name: str) -> object:
    case = load_case(ROOT / "examples" / name)
    profile = score(case)
    facts = {f["id"]: f for f in case_facts(case, profile, CATALOG)}
    return case, client_context(case, profile, facts, client_conditions(case, facts))


def test_relevance_parts_are_between_0_and_1_and_weighted() -> None:
    _case, context = _context("severe-young-child.yaml")
    for entry in CATALOG.interventions:
        if entry.audience != "client":
            continue
        parts = relevance(context, entry, 60, interest_match=True)
        assert all(0.0 <= parts[k] <= 1.0 for k in ("need", "interest", "settings", "fit"))
        weights = DEFAULT_PLANNING.relevance
        expected = (
            weights.need * parts["need"]
            + weights.interest
            + weights.settings * parts["settings"]
            + weights.fit * parts["fit"]
            + weights.priority * 0.6
        )
        assert parts["score"] == pytest.approx(expected, abs=0.002)


def test_relevance_need_favours_the_client_s_worst_functions() -> None:
    _case, context = _context("published-case-followup.yaml")
    reading = relevance(context, CATALOG.get("tutoring"), 45, interest_match=False)
    skills = relevance(context, CATALOG.get("social_skills_training"), 45, interest_match=False)
    assert reading["need"] > skills["need"]


def test_relevance_fit_falls_above_the_developmental_ceiling() -> None:
    _case, context = _context("uneven-adolescent.yaml")
    rocking = CATALOG.get("rocking_swinging")  # max_developmental_age 6
    assert relevance(context, rocking, 50, interest_match=False)["fit"] < 1.0


def test_relevance_settings_half_for_clinic_only_activities() -> None:
    _case, context = _context("severe-young-child.yaml")
    clinic_only = next(
        e
        for e in CATALOG.interventions
        if e.audience == "client" and set(e.settings) <= {"clinic", "community"}
    )
    assert relevance(context, clinic_only, 50, interest_match=False)["settings"] == 0.5


def test_relevance_fit_decides_six_rs_relevant_for_this_client() -> None:
    case = load_case(ROOT / "examples" / "uneven-adolescent.yaml")
    plan = PLANNER.plan(case, score(case))
    for item in plan.recommendations:
        if item.audience == "client" and item.action in ("recommend", "continue", "resume"):
            assert item.six_rs_how, item.intervention
            assert "developmental age" in item.six_rs_how["relevant"]
            assert item.six_rs.relevant == (
                item.relevance is not None and item.relevance.fit >= 0.5
            )
        elif item.action in ("suspend", "defer", "avoid"):
            assert item.six_rs_how == {}
