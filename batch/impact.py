"""``neuroseq rules impact``: what a candidate rule folder changes in the plans of a corpus.

Every case is planned under the base rules and under the candidate, in
worker processes that each load both planners once. The report counts the
plans that change (any part of the plan JSON but the rule base's own version
and hash), the rules that gain or lose
decisions (a rule decides when it is an item's deciding or supporting rule,
one it overruled, or the rule behind a stop or a left-out candidate), the
action changes per intervention, and lists the changed cases with their diff.
A candidate that ``rules check`` refuses is reported with its findings
(a ``RuleError``) before anything is planned.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neuroseq.batch.executors import Executor
from neuroseq.batch.inputs import case_files
from neuroseq.batch.work import PlannerSetup, planner_for
from neuroseq.engine.plan_diff import ItemChange, action_changes, deciding_rules
from neuroseq.jsontext import pretty_json
from neuroseq.vocabulary import SHORT_STATEMENT

__all__ = ["IMPACT_SCHEMA", "CaseImpact", "ImpactReport", "impact", "impact_json", "render_impact"]

IMPACT_SCHEMA = "neuroseq/impact/v1"
SAMPLE = 10
"""How many changed cases the text, Markdown and HTML reports show in full."""


@dataclass(frozen=True)
class CaseImpact:
    """One case under both rule bases."""

    file: str
    client: str = ""
    date: str = ""
    changed: bool = False
    rules_gained: tuple[str, ...] = ()
    rules_lost: tuple[str, ...] = ()
    changes: tuple[ItemChange, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImpactReport:
    """The impact of a candidate rule folder over a corpus."""

    base: dict[str, str]
    candidate: dict[str, str]
    cases: tuple[CaseImpact, ...]
    rules: dict[str, dict[str, int]] = field(default_factory=dict)
    interventions: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return sum(1 for case in self.cases if case.changed)

    @property
    def refused(self) -> int:
        return sum(1 for case in self.cases if case.problems)


@dataclass(frozen=True)
class _Task:
    path: str
    base: PlannerSetup
    candidate: PlannerSetup


def _compare(file: str, before: Any, after: Any) -> CaseImpact:
    """Two results of one case (``PlanResult``) side by side."""
    date = before.case.client.assessment_date
    same = _content(before.plan) == _content(after.plan)
    if same:
        return CaseImpact(file, before.plan.client_id, date.isoformat() if date else "")
    was, now = deciding_rules(before.plan), deciding_rules(after.plan)
    return CaseImpact(
        file,
        before.plan.client_id,
        date.isoformat() if date else "",
        changed=True,
        rules_gained=tuple(sorted(now - was)),
        rules_lost=tuple(sorted(was - now)),
        changes=tuple(action_changes(before.plan, after.plan)),
    )


def _content(plan: Any) -> dict[str, Any]:
    """The plan without the rule base's own provenance (which differs by construction)."""
    data: dict[str, Any] = plan.to_json()
    data.pop("rulebase", None)
    return data


def _impact_of_file(task: _Task) -> CaseImpact:
    from neuroseq.api import plan_files
    from neuroseq.errors import NeuroseqError

    try:
        before = plan_files(Path(task.path), planner=planner_for(task.base))
        after = plan_files(Path(task.path), planner=planner_for(task.candidate))
    except NeuroseqError as exc:
        return CaseImpact(task.path, problems=tuple(str(p) for p in exc.problems))
    return _compare(task.path, before, after)


@dataclass(frozen=True)
class _StoreTask:
    url: str
    client: str
    base: PlannerSetup
    candidate: PlannerSetup


def _impact_of_client(task: _StoreTask) -> list[CaseImpact]:
    from neuroseq.batch.stored import store_for
    from neuroseq.store.verify import replan_history

    store = store_for(task.url)
    before = replan_history(store, planner_for(task.base), task.client, all_versions=False)
    after = replan_history(store, planner_for(task.candidate), task.client, all_versions=False)
    return [
        _compare(f"{task.client} {stored.date}", b, a)
        for (stored, b), (_, a) in zip(before, after, strict=True)
    ]


def _versions(setup: PlannerSetup) -> dict[str, str]:
    planner = planner_for(setup)
    return {
        "folder": setup.rules or "bundled",
        "version": planner.engine.rulebase.version,
        "sha256": planner.engine.rulebase.sha256,
    }


def impact(
    candidate: Path,
    corpus: Sequence[Path],
    *,
    base: Path | None = None,
    catalog: Path | None = None,
    norms: Path | None = None,
    db: str | None = None,
    executor: Executor,
) -> ImpactReport:
    """Plan the corpus (files, or the store at ``db``) under ``base`` and ``candidate``."""
    shared = (str(catalog) if catalog else None, str(norms) if norms else None)
    base_setup = PlannerSetup(str(base) if base else None, *shared)
    candidate_setup = PlannerSetup(str(candidate), *shared)
    versions = _versions(base_setup), _versions(candidate_setup)  # refuses a bad candidate first
    if db is not None:
        from neuroseq.batch.stored import store_for

        clients = [c.client for c in store_for(db).clients()]
        tasks = [_StoreTask(db, c, base_setup, candidate_setup) for c in clients]
        cases = [case for found in executor.map(_impact_of_client, tasks) for case in found]
    else:
        files = [_Task(str(path), base_setup, candidate_setup) for path, _ in case_files(corpus)]
        cases = list(executor.map(_impact_of_file, files))
    gained: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    moves: dict[str, Counter[str]] = {}
    for case in cases:
        gained.update(case.rules_gained)
        lost.update(case.rules_lost)
        for change in case.changes:
            move = f"{change.before or 'not in plan'} -> {change.after or 'not in plan'}"
            moves.setdefault(change.intervention, Counter())[move] += 1
    rules = {
        rule: {"gained": gained[rule], "lost": lost[rule]}
        for rule in sorted(set(gained) | set(lost))
    }
    interventions = {item: dict(sorted(counts.items())) for item, counts in sorted(moves.items())}
    return ImpactReport(versions[0], versions[1], tuple(cases), rules, interventions)


def _change_json(change: ItemChange) -> dict[str, str]:
    return {"intervention": change.intervention, "before": change.before, "after": change.after}


def impact_json(report: ImpactReport) -> dict[str, Any]:
    """The report as data: ``changed`` of ``cases``, per rule, per intervention, per case."""
    return {
        "schema": IMPACT_SCHEMA,
        "base": report.base,
        "candidate": report.candidate,
        "cases": len(report.cases),
        "changed": report.changed,
        "refused": report.refused,
        "rules": report.rules,
        "interventions": report.interventions,
        "changed_cases": [
            {
                "file": case.file,
                "client": case.client,
                "date": case.date,
                "rules_gained": list(case.rules_gained),
                "rules_lost": list(case.rules_lost),
                "changes": [_change_json(c) for c in case.changes],
            }
            for case in report.cases
            if case.changed
        ],
        "problems": [p for case in report.cases for p in case.problems],
    }


def _headline(report: ImpactReport) -> str:
    def named(versions: dict[str, str]) -> str:
        return f"{versions['folder']} (version {versions['version']}, {versions['sha256'][:12]})"

    return (
        f"{report.changed} of {len(report.cases)} plans change under "
        f"{named(report.candidate)} against {named(report.base)}"
        + (f"; {report.refused} cases refused" if report.refused else "")
    )


def _text(report: ImpactReport) -> str:
    lines = [_headline(report), ""]
    if report.rules:
        lines.append("Rules (cases where the rule gains or loses a decision):")
        for rule, counts in report.rules.items():
            lines.append(f"  {rule:<48} +{counts['gained']:<5} -{counts['lost']}")
        lines.append("")
    if report.interventions:
        lines.append("Interventions (action before -> after, cases):")
        for item, moves in report.interventions.items():
            said = ", ".join(f"{move} in {n}" for move, n in moves.items())
            lines.append(f"  {item}: {said}")
        lines.append("")
    changed = [case for case in report.cases if case.changed]
    if changed:
        lines.append(f"Changed cases (first {min(SAMPLE, len(changed))} of {len(changed)}):")
        for case in changed[:SAMPLE]:
            lines.append(f"  {case.file} ({case.client} {case.date})")
            for change in case.changes:
                lines.append(
                    f"    {change.intervention}: {change.before or 'not in plan'} -> "
                    f"{change.after or 'not in plan'}"
                )
            if not case.changes:
                lines.append("    the same actions; other parts of the plan differ")
            if case.rules_gained or case.rules_lost:
                lines.append(
                    f"    rules gained: {', '.join(case.rules_gained) or 'none'}; "
                    f"lost: {', '.join(case.rules_lost) or 'none'}"
                )
    problems = [p for case in report.cases for p in case.problems]
    if problems:
        lines += ["", "Refused cases:"] + [f"  {p}" for p in problems]
    return "\n".join(lines) + "\n"


def _markdown(report: ImpactReport) -> str:
    from neuroseq.reports.render import markdown_text

    lines = ["# Rule-change impact", "", markdown_text(_headline(report)), ""]
    if report.rules:
        lines += ["## Rules", "", "| rule | gained | lost |", "|---|---|---|"]
        lines += [f"| `{rule}` | {c['gained']} | {c['lost']} |" for rule, c in report.rules.items()]
        lines.append("")
    if report.interventions:
        lines += ["## Interventions", "", "| intervention | change | cases |", "|---|---|---|"]
        for item, moves in report.interventions.items():
            lines += [f"| `{item}` | {markdown_text(m)} | {n} |" for m, n in moves.items()]
        lines.append("")
    changed = [case for case in report.cases if case.changed]
    if changed:
        lines += [f"## Changed cases (first {min(SAMPLE, len(changed))} of {len(changed)})", ""]
        for case in changed[:SAMPLE]:
            lines.append(
                f"- {markdown_text(case.file)}: "
                + (
                    "; ".join(
                        f"`{c.intervention}` {c.before or 'not in plan'} → {c.after or 'not in plan'}"
                        for c in case.changes
                    )
                    or "other parts of the plan differ"
                )
            )
        lines.append("")
    lines.append(SHORT_STATEMENT)
    return "\n".join(lines) + "\n"


def render_impact(report: ImpactReport, fmt: str, *, generated: datetime.date | None = None) -> str:
    """The report as text, json, md or html (HTML prints ``generated``, else today)."""
    if fmt == "json":
        return pretty_json(impact_json(report))
    if fmt == "md":
        return _markdown(report)
    if fmt == "html":
        from neuroseq.reports.context import css_string, generated_text
        from neuroseq.reports.render import render_template

        return render_template(
            "impact.html.j2",
            {
                "headline": _headline(report),
                "report": impact_json(report),
                "sample": SAMPLE,
                "page_label": css_string("Rule-change impact"),
                "generated": generated_text(generated),
                "legend": (),
                "statement": SHORT_STATEMENT,
            },
            templates=None,
        )
    return _text(report)
