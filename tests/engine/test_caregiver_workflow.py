"""The caregiver workflow: its own rule base, apart from the default one."""

from __future__ import annotations

from neuroseq.engine.caregiver_workflow import caregiver_rules_folder
from neuroseq.engine.rulebase import load_rulebase


def test_caregiver_rules_folder_holds_a_base_apart_from_the_default_one() -> None:
    default, _ = load_rulebase()
    caregiver, problems = load_rulebase(caregiver_rules_folder())
    assert problems == []
    assert not {r.id for r in default.rules} & {r.id for r in caregiver.rules}
    assert all(r.id.startswith("caregiver.") for r in caregiver.rules)
    assert not any(r.id.startswith("caregiver.") for r in default.rules)
