"""Planning: a scored case, the rule base and the catalogue in, a :class:`Plan` out.

:class:`Planner` compiles the rule base once (refusing it when ``rules check``
would report an error), registers it with the engine adapter, and then plans
any number of cases: facts are asserted into a fresh engine session per case,
the firings are assembled under the conflict policy, and the plan is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neuroseq import __version__
from neuroseq.catalog.loader import catalog_sha256, load_catalog
from neuroseq.catalog.model import Catalog
from neuroseq.engine.adapter import RuleEngine
from neuroseq.engine.assembly import assemble
from neuroseq.engine.compiler import Compilation
from neuroseq.engine.facts import case_facts, catalog_facts
from neuroseq.engine.plan_model import Plan, Recommendation, Versioned
from neuroseq.engine.profile_facts import start_phase
from neuroseq.engine.rulebase import RuleBase, check_rulebase, load_rulebase
from neuroseq.errors import RuleError
from neuroseq.scoring.case import Case
from neuroseq.scoring.profile import Profile, profile_scores_json

__all__ = ["Planner", "PreviousAssessment"]


@dataclass(frozen=True)
class PreviousAssessment:
    """What a follow-up needs from the earlier assessment: its CMR and its plan's actions."""

    cmr: float
    actions: Mapping[str, str]
    client_id: str
    age: float


class Planner:
    """A compiled rule base and catalogue, ready to plan many cases."""

    def __init__(
        self, rulebase: RuleBase, catalog: Catalog, catalog_hash: str, compilation: Compilation
    ) -> None:
        self.rulebase = rulebase
        self.catalog = catalog
        self.catalog_hash = catalog_hash
        self.compilation = compilation
        self._compiled = compilation.by_name()
        # Intervention facts carry only what some rule reads (plus id and
        # name): the engine's cost grows with the number of properties.
        keep = compilation.fields.get("intervention", set()) | {"type", "id", "name"}
        self._static = {
            item_id: {k: v for k, v in fact.items() if k in keep}
            for item_id, fact in catalog_facts(catalog).items()
        }
        # The planner's facts are JSON data by construction (built from validated
        # models), so the adapter's per-value check, a second encoding, is skipped.
        self._engine = RuleEngine(
            compilation.rulesets(), check_values=False, source=rulebase.folder
        )

    @classmethod
    def load(cls, rules: Path | None = None, catalog: Path | None = None) -> Planner:
        """Load, check and compile; raises RuleError listing every error found."""
        loaded_catalog = load_catalog(catalog)
        base, problems = load_rulebase(rules)
        compilation, findings = check_rulebase(base, problems, loaded_catalog)
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            raise RuleError(errors)
        return cls(base, loaded_catalog, catalog_sha256(catalog), compilation)

    def plan(
        self,
        case: Case,
        profile: Profile,
        previous: PreviousAssessment | None = None,
        *,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        caregiver: Mapping[str, Any] | None = None,
    ) -> Plan:
        """Plan one scored case (and compare with ``previous`` on a follow-up).

        ``overrides`` (rule tests only) replaces fields of scored facts:
        ``{"cmr": {"value": 0.8}, "domain.cognitive": {"impairment": "significant"}}``.
        ``caregiver`` is the ``caregiver`` fact of the home (``plan --caregiver``);
        without it no caregiver fact is asserted and rules that need one do not fire.
        """
        facts = case_facts(
            case,
            profile,
            self.catalog,
            static=self._static,
            previous=previous.actions if previous else None,
            previous_cmr=previous.cmr if previous else None,
            wanted=self.compilation.wanted,
            fields=self.compilation.fields,
        )
        if caregiver is not None and "caregiver" in self.compilation.wanted:
            facts.append(dict(caregiver))
        if overrides:
            facts = _override(facts, overrides)
        firings = self._engine.evaluate(facts)
        items, also = assemble(
            firings,
            self._compiled,
            self.catalog,
            max_new=self.rulebase.max_new_per_group,
            facts={fact["id"]: fact for fact in facts},
        )
        start = start_phase(profile)
        return Plan(
            client_id=case.client.id,
            metric=case.metric,
            age=round(profile.age, 2),
            generator=f"neuroseq {__version__}",
            rulebase=Versioned(version=self.rulebase.version, sha256=self.rulebase.sha256),
            catalog=Versioned(version=self.catalog.version, sha256=self.catalog_hash),
            norms=Versioned(
                version=profile.norms_version, sha256=getattr(profile, "norms_sha256", "")
            ),
            start_phase=start,
            scores=profile_scores_json(profile),
            recommendations=items,
            also_considered=also,
            caregiver=(
                {k: v for k, v in caregiver.items() if k not in ("type", "id")}
                if caregiver is not None
                else None
            ),
            previous=(
                {
                    "cmr": previous.cmr,
                    "age": previous.age,
                    "actions": dict(sorted(previous.actions.items())),
                }
                if previous
                else None
            ),
        )

    def advise_caregiver(
        self, caregiver: Mapping[str, Any]
    ) -> tuple[list[Recommendation], list[str]]:
        """Recommendations for a home from its ``caregiver`` fact alone (``neuroseq cce``).

        No child is planned: the facts are the caregiver fact and the catalogue
        interventions, with the client-specific intervention fields at neutral
        values (not current, not declined, ready). Returns (items, also_considered).
        """
        facts: list[dict[str, Any]] = [dict(caregiver)]
        for item_id, static in self._static.items():
            facts.append({**static, **_NEUTRAL_INTERVENTION, "id": item_id})
        facts = _wanted(facts, self.compilation.wanted)
        firings = self._engine.evaluate(facts)
        return assemble(
            firings,
            self._compiled,
            self.catalog,
            max_new=self.rulebase.max_new_per_group,
            facts={fact["id"]: fact for fact in facts},
        )

    def previous_from(self, case: Case, profile: Profile) -> PreviousAssessment:
        """Plan an earlier assessment and keep what a follow-up compares with."""
        plan = self.plan(case, profile)
        return PreviousAssessment(
            cmr=profile.cmr.value,
            actions={r.intervention: r.action for r in plan.recommendations},
            client_id=case.client.id,
            age=profile.age,
        )


_NEUTRAL_INTERVENTION: Mapping[str, Any] = {
    "current": False,
    "declined": False,
    "interest_match": False,
    "domain_developmental_age": 0.0,
    "developmentally_ready": True,
    "cmr_ready": True,
    "previous_action": "none",
}


def _wanted(
    facts: list[dict[str, Any]], wanted: Mapping[str, frozenset[str] | None]
) -> list[dict[str, Any]]:
    kept = []
    for fact in facts:
        if fact["type"] in wanted:
            ids = wanted[fact["type"]]
            if ids is None or fact["id"] in ids:
                kept.append(fact)
    return kept


def _override(
    facts: list[dict[str, Any]], overrides: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    out = []
    for fact in facts:
        for key in (f"{fact['type']}.{fact['id']}", fact["type"]):
            if key in overrides:
                fact = {**fact, **overrides[key]}
                break
        out.append(fact)
    return out
