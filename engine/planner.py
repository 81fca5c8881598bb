"""Planning: a scored case, the rule base and the catalogue in, a :class:`Plan` out.

:class:`Planner` compiles the rule base once (refusing it when ``rules check``
would report an error), registers it with the engine adapter, and then plans
any number of cases: facts are asserted into a fresh engine session per case,
the firings are assembled under the conflict policy, and the plan is built.
"""

from __future__ import annotations

import datetime as dt
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
from neuroseq.engine.conditions import client_conditions
from neuroseq.engine.facts import case_facts, catalog_facts
from neuroseq.engine.plan_model import (
    Plan,
    Reassessment,
    Recommendation,
    Summary,
    Versioned,
    construct,
)
from neuroseq.engine.profile_facts import start_point
from neuroseq.engine.rulebase import RuleBase, check_rulebase, load_rulebase
from neuroseq.engine.selection import (
    REGION_WORDS,
    ClientContext,
    client_context,
    item_words,
    region_of,
    worst_of,
)
from neuroseq.errors import RuleError
from neuroseq.scoring.case import Case
from neuroseq.scoring.profile import Profile, profile_scores_json
from neuroseq.vocabulary import ACTIVE_ACTIONS, STATEMENT

__all__ = ["Planner", "PreviousAssessment", "previous_assessment"]


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
        self._rulebase_version = Versioned(version=rulebase.version, sha256=rulebase.sha256)
        self._catalog_version = Versioned(version=catalog.version, sha256=catalog_hash)
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
        norms_sha256: str = "",
        caregiver_weights: Versioned | None = None,
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
            planning=self.rulebase.planning,
            keep=_CONTEXT_FACTS,
            overrides=overrides,
        )
        if caregiver is not None and "caregiver" in self.compilation.wanted:
            facts.append(dict(caregiver))
        by_id = {fact["id"]: fact for fact in facts}
        context = client_context(
            case,
            profile,
            by_id,
            client_conditions(case, by_id),
            previous=previous.actions if previous else None,
            planning=self.rulebase.planning,
        )
        engine_facts = _wanted(facts, self.compilation.wanted, checked=_CHECKED_AGAIN)
        firings = self._engine.evaluate(engine_facts)
        assembled = assemble(
            firings,
            self._compiled,
            self.catalog,
            max_new=self.rulebase.max_new_per_group,
            facts=by_id,
            context=context,
            planning=self.rulebase.planning,
        )
        items = assembled.items
        start, start_items = start_point(profile, self.rulebase.planning)
        digest = case.sha256
        # Every value below is built from validated models (or is a plain number or
        # string), so the plan is constructed without a second validation; the
        # golden files and tests/engine/test_plan_model.py hold it to the contract.
        return construct(
            Plan,
            {
                "schema_": "neuroseq/plan/v1",
                "client_id": case.client.id,
                "metric": case.metric,
                "age": round(profile.age, 2),
                "generator": _GENERATOR,
                "statement": STATEMENT,
                "rulebase": self._rulebase_version,
                "catalog": self._catalog_version,
                "norms": construct(
                    Versioned, {"version": profile.norms_version, "sha256": norms_sha256}
                ),
                "case": (
                    construct(Versioned, {"version": "neuroseq/case/v1", "sha256": digest})
                    if digest
                    else None
                ),
                "caregiver_weights": caregiver_weights if caregiver is not None else None,
                "start_phase": start,
                "scores": profile_scores_json(profile),
                "recommendations": items,
                "summary": _summary(context, start, start_items, items),
                "stop": assembled.stop,
                "not_started": assembled.not_started,
                "reassessment": _reassessment(case, context),
                "also_considered": assembled.also_considered,
                "previous": (
                    {
                        "cmr": previous.cmr,
                        "age": previous.age,
                        "actions": dict(sorted(previous.actions.items())),
                    }
                    if previous
                    else None
                ),
                "caregiver": (
                    {k: v for k, v in caregiver.items() if k not in ("type", "id")}
                    if caregiver is not None
                    else None
                ),
            },
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
        assembled = assemble(
            firings,
            self._compiled,
            self.catalog,
            max_new=self.rulebase.max_new_per_group,
            facts={fact["id"]: fact for fact in facts},
            planning=self.rulebase.planning,
        )
        return assembled.items, [c.intervention for c in assembled.also_considered]

    def previous_from(self, case: Case, profile: Profile) -> PreviousAssessment:
        """Plan an earlier assessment and keep what a follow-up compares with."""
        return previous_assessment(case, profile, self.plan(case, profile))


def previous_assessment(case: Case, profile: Profile, plan: Plan) -> PreviousAssessment:
    """What a follow-up keeps of an assessment already planned (no second plan)."""
    return PreviousAssessment(
        cmr=profile.cmr.value,
        actions={r.intervention: r.action for r in plan.recommendations},
        client_id=case.client.id,
        age=profile.age,
    )


_GENERATOR = f"neuroseq {__version__}"

# Facts the selection stage reads whether or not a rule names them.
_CONTEXT_FACTS = frozenset({"client", "cmr", "item"})
# What case_facts did not filter by the rules' wanted facts: its keep, and the
# caregiver fact the planner adds.
_CHECKED_AGAIN = _CONTEXT_FACTS | {"caregiver"}


def _start_reason(context: ClientContext, start: str | None, items: tuple[str, ...]) -> str | None:
    """Why the sequence starts in this phase, in words."""
    if start is None:
        return None
    lowest = context.lowest_region
    if not items:
        return (
            f"the {REGION_WORDS[lowest]} is the lowest significantly impaired level"
            if lowest
            else None
        )
    below = (
        f"below the lowest significantly impaired level (the {REGION_WORDS[lowest]})"
        if lowest
        else "although no region as a whole is significantly impaired"
    )
    named = " and ".join(item_words(context, item) for item in items)
    verb = "are" if len(items) > 1 else "is"
    regions = sorted({region_of(item) for item in items}, key=list(REGION_WORDS).index)
    where = " and ".join(REGION_WORDS[region] for region in regions)
    return (
        f"{named} {verb} significantly impaired at the {where} level{'s' if len(regions) > 1 else ''}, {below}: {'they are' if len(items) > 1 else 'it is'} met first, with "
        "regulating and stabilising work"
    )


def _summary(
    context: ClientContext,
    start: str | None,
    start_items: tuple[str, ...],
    items: list[Recommendation],
) -> Summary:
    active: dict[str, int] = {"therapeutic_web": 0, "family": 0, "client": 0}
    for item in items:
        if item.action in ACTIVE_ACTIONS:
            active[item.audience] += 1
    worst = [
        i
        for i in worst_of(context, tuple(context.scores), context.planning.worst_items)
        if i in context.impaired
    ]
    return construct(
        Summary,
        {
            "lowest_impaired_level": context.lowest_region,
            "start_phase": start,
            "start_reason": _start_reason(context, start, start_items),
            "start_items": list(start_items),
            "cmr": round(context.cmr, 2),
            "cmr_gate": context.cmr_gate,
            "provisional": context.planning.er_scores_note if context.metric == "er" else None,
            "worst_items": worst,
            "active_items": active,
        },
    )


def _reassessment(case: Case, context: ClientContext) -> Reassessment:
    planning = context.planning
    months = (
        planning.er_reassessment_months if case.metric == "er" else planning.reassessment_months
    )
    due = None
    if case.client.assessment_date is not None:
        due = _add_months(case.client.assessment_date, months).isoformat()
    watch = [
        i
        for i in worst_of(context, tuple(context.scores), planning.watch_items)
        if i in context.impaired
    ]
    return construct(Reassessment, {"due": due, "months": months, "watch": watch})


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    import calendar

    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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
    facts: list[dict[str, Any]],
    wanted: Mapping[str, frozenset[str] | None],
    *,
    checked: frozenset[str] | None = None,
) -> list[dict[str, Any]]:
    """The facts some rule can match. With ``checked``, facts come from
    :func:`case_facts` filtered by ``wanted`` already except for the intervention facts
    and the types in ``checked`` (its ``keep``): only those are looked at again."""
    if checked is not None and wanted.get("intervention", ()) is None:
        return [
            fact
            for fact in facts
            if fact["type"] not in checked
            or (
                fact["type"] in wanted
                and ((ids := wanted[fact["type"]]) is None or fact["id"] in ids)
            )
        ]
    kept = []
    for fact in facts:
        if fact["type"] in wanted:
            ids = wanted[fact["type"]]
            if ids is None or fact["id"] in ids:
                kept.append(fact)
    return kept
