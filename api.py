"""The public library API: values in, values out (``import neuroseq``).

Everything the CLI does, and everything a case store, web app or batch runner
needs, is a call here; none of it takes a click context, and only the
``load_*`` helpers and :func:`plan_files` read files::

    import neuroseq

    planner = neuroseq.Planner.load()                     # rules, catalogue, norms
    case = neuroseq.parse_case(text, source="intake.yaml")
    result = planner.plan(case)                           # a PlanResult: plain values
    html = neuroseq.render(result, "html")
    later = planner.plan(neuroseq.parse_case(text2), previous=result)   # no second plan
    comparison = neuroseq.compare([result, later])

:class:`PlanResult` holds no live planner: the case, its profile, the plan,
the catalogue and the norms used, and what a follow-up compared with. The
same inputs give the same bytes through this API as through the CLI.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from neuroseq.catalog.loader import catalog_sha256, load_catalog
from neuroseq.catalog.model import Catalog
from neuroseq.engine.follow_through import FollowThrough, adjusted_case, annotated_plan
from neuroseq.engine.plan_model import Versioned
from neuroseq.engine.planner import Planner as RuleBasePlanner
from neuroseq.engine.planner import PreviousAssessment, previous_assessment
from neuroseq.engine.rulebase import check_rulebase, load_rulebase
from neuroseq.engine.workflow import PlanResult
from neuroseq.errors import (
    CaregiverError,
    CaseError,
    NeuroseqError,
    Problem,
    RuleError,
    SourceLocation,
)
from neuroseq.scoring.case import Case
from neuroseq.scoring.loader import case_from_document
from neuroseq.scoring.loader import load_case as _load_case
from neuroseq.scoring.loader import parse_case as _parse_case
from neuroseq.scoring.norms import Norms, load_norms
from neuroseq.scoring.profile import score
from neuroseq.source import document_from_bytes

if TYPE_CHECKING:  # the caregiver modules load only when a caregiver file is given
    from neuroseq.engine.caregiver_workflow import CceResult
    from neuroseq.reports.compare import Comparison
    from neuroseq.scoring.caregiver_loader import CaregiverAssessment
    from neuroseq.scoring.caregiver_weights import CaregiverWeights

__all__ = [
    "FollowThrough",
    "PlanResult",
    "Planner",
    "compare",
    "estimate_caregiver",
    "load_caregiver",
    "load_case",
    "parse_case",
    "plan_files",
    "render",
]


def _catalog_names(catalog: Catalog | None) -> dict[str, str] | None:
    """Catalogue ids with their names, for suggestions in messages."""
    if catalog is None:
        return None
    return {item.id: str(item.name) for item in catalog.interventions}


def parse_case(
    text: str | bytes, source: str = "<text>", *, catalog: Catalog | None = None
) -> Case:
    """A validated case from its text; every problem names ``source``, line and field.

    With ``catalog``, service and declined ids are checked against it. Bytes are
    read as a file's are (UTF-8, a byte-order mark allowed) and the case records
    their SHA-256, so ``parse_case(path.read_bytes(), str(path))`` is
    :func:`load_case` of ``path``.
    """
    if isinstance(text, bytes):
        doc = document_from_bytes(text, source, error=CaseError, keep_going=True)
        case = case_from_document(doc, catalog_ids=_catalog_names(catalog))
        return case.with_sha256(hashlib.sha256(text).hexdigest())
    return _parse_case(text, source, catalog_ids=_catalog_names(catalog))


def load_case(path: Path | str, *, catalog: Catalog | None = None) -> Case:
    """A validated case from a file (a thin wrapper of :func:`parse_case` for paths)."""
    return _load_case(path, catalog_ids=_catalog_names(catalog))


def load_caregiver(
    path: Path | str, *, catalog: Catalog | None = None, allowed_cases: Sequence[Path] = ()
) -> CaregiverAssessment:
    """A validated caregiver file (its ``case:`` files stay inside its folder)."""
    from neuroseq.scoring.caregiver_loader import load_caregiver as _load

    return _load(path, catalog_ids=_catalog_names(catalog), allowed_cases=tuple(allowed_cases))


class Planner:
    """A checked, compiled rule base with its catalogue and norms, ready for many cases."""

    def __init__(self, engine: RuleBasePlanner, norms: Norms) -> None:
        self.engine = engine
        """The compiled rule base (``neuroseq.engine.planner.Planner``)."""
        self.norms = norms

    @classmethod
    def load(
        cls,
        rules: Path | None = None,
        catalog: Path | None = None,
        norms: Path | None = None,
    ) -> Planner:
        """Load, check and compile; ``None`` means the bundled rules, catalogue or norms.

        Raises the project's errors (``RuleError``, ``CatalogError``, ``NormsError``)
        listing every problem with its file and line.
        """
        loaded_catalog = load_catalog(catalog)
        base, problems = load_rulebase(rules)
        compilation, findings = check_rulebase(base, problems, loaded_catalog, catalog)
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            raise RuleError(errors)
        engine = RuleBasePlanner(base, loaded_catalog, catalog_sha256(catalog), compilation)
        return cls(engine, load_norms(norms))

    @property
    def catalog(self) -> Catalog:
        return self.engine.catalog

    def plan(
        self,
        case: Case,
        previous: Case | PlanResult | None = None,
        caregiver: CaregiverAssessment | None = None,
        *,
        caregiver_weights: CaregiverWeights | None = None,
        follow_through: FollowThrough | None = None,
    ) -> PlanResult:
        """Score and plan one case.

        ``previous`` is the client's earlier assessment: a case (it is planned first)
        or the result of planning it (nothing is planned again). ``caregiver`` is a
        home scored with ``caregiver_weights`` (project defaults when None); its
        reserve becomes the ``caregiver`` fact the family rules use.
        ``follow_through`` is what was recorded of the previous plan (fidelity and
        overrides, :mod:`neuroseq.engine.follow_through`); it needs ``previous``.
        """
        if follow_through and previous is None:
            raise ValueError("follow_through describes a previous plan: give previous too")
        if previous is not None:
            earlier = previous.case if isinstance(previous, PlanResult) else previous
            if earlier.client.id != case.client.id:
                raise CaseError(
                    [
                        Problem(
                            SourceLocation("<previous assessment>"),
                            "client.id",
                            f"the previous assessment is of client '{earlier.client.id}', not "
                            f"'{case.client.id}'; compare assessments of one client only",
                        )
                    ]
                )
        if follow_through:
            case = adjusted_case(case, follow_through)
        profile = score(case, self.norms)
        before = self._previous(previous)
        reserve = fact = weights_id = None
        if caregiver is not None:
            from neuroseq.engine.caregiver_facts import caregiver_fact
            from neuroseq.scoring.caregiver_score import score_caregiver
            from neuroseq.scoring.caregiver_weights import default_weights

            weights = caregiver_weights or default_weights()
            reserve = score_caregiver(caregiver, weights, self.norms)
            fact = caregiver_fact(reserve)
            weights_id = Versioned(version=weights.version, sha256=weights.sha256)
        plan = self.engine.plan(
            case,
            profile,
            before,
            caregiver=fact,
            norms_sha256=self.norms.sha256,
            caregiver_weights=weights_id,
        )
        if follow_through:
            plan = annotated_plan(plan, follow_through)
        return PlanResult(case, profile, plan, before, reserve, self.catalog, self.norms)

    def _previous(self, previous: Case | PlanResult | None) -> PreviousAssessment | None:
        if previous is None:
            return None
        if isinstance(previous, PlanResult):
            return previous_assessment(previous.case, previous.profile, previous.plan)
        return self.engine.previous_from(previous, score(previous, self.norms))


def plan_files(
    path: Path,
    *,
    planner: Planner,
    previous: Path | None = None,
    caregiver: Path | None = None,
    caregiver_weights: Path | None = None,
) -> PlanResult:
    """The CLI's edge: read the case (and an earlier one, and a home) and plan it.

    Every problem in every file is reported in one error; nothing is planned
    when any file is wrong.
    """
    problems: list[Problem] = []
    case: Case | None = None
    earlier: Case | None = None
    try:
        case = load_case(path, catalog=planner.catalog)
    except NeuroseqError as exc:
        problems.extend(exc.problems)
    if previous is not None:
        try:
            earlier = load_case(previous, catalog=planner.catalog)
        except NeuroseqError as exc:
            problems.extend(exc.problems)
    home = weights = None
    home_problems: list[Problem] = []
    if caregiver is not None:
        from neuroseq.scoring.caregiver_weights import load_weights

        try:
            weights = load_weights(caregiver_weights)
            home = load_caregiver(caregiver, catalog=planner.catalog, allowed_cases=(path,))
        except NeuroseqError as exc:
            home_problems.extend(exc.problems)
    if problems:
        raise CaseError(problems + home_problems)
    if home_problems:
        raise CaregiverError(home_problems)
    assert case is not None
    if earlier is not None and earlier.client.id != case.client.id:
        raise CaseError(
            [
                Problem(
                    SourceLocation(str(previous)),
                    "client.id",
                    f"the previous assessment is of client '{earlier.client.id}', not "
                    f"'{case.client.id}'; compare assessments of one client only",
                )
            ]
        )
    return planner.plan(case, earlier, home, caregiver_weights=weights)


def render(
    result: PlanResult, fmt: str, *, templates: Path | None = None, color: bool = False
) -> str:
    """The plan as text, json, md, html or fhir (R4B, the fhir extra), with the norms it used."""
    from neuroseq.reports.render import render_plan

    return render_plan(result, fmt, templates=templates, color=color)


def compare(assessments: Sequence[Case | PlanResult], planner: Planner | None = None) -> Comparison:
    """Several assessments of one client in time order, each planned once.

    Cases are ordered by assessment date (else age) and planned with the one
    before as ``previous``, built from the earlier plan without planning it again;
    results already planned are used as they are.
    """
    from neuroseq.reports.compare import comparison_of

    return comparison_of(list(assessments), planner or Planner.load())


def estimate_caregiver(
    home: CaregiverAssessment,
    *,
    weights: CaregiverWeights | None = None,
    norms: Norms | None = None,
    rules: Path | None = None,
    catalog: Path | None = None,
) -> CceResult:
    """The Caregiver Challenge Estimator on a value: the home's reserve and its advice.

    ``rules`` is a caregiver rule folder (the bundled ``rules/caregiver`` when None).
    """
    from neuroseq.engine.caregiver_workflow import advise_home, caregiver_rules_folder

    planner = RuleBasePlanner.load(rules or caregiver_rules_folder(), catalog)
    return advise_home(home, weights=weights, norms=norms, planner=planner)
