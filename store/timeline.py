"""A client's timeline: assessments, CMR, developmental ages by domain, plans, follow-through.

``timeline_json`` is the data (``store show --format json``); ``timeline_text``
the clinician's reading of it. Both come from stored values only: nothing is
planned again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neuroseq.store.records import StoredAssessment
from neuroseq.vocabulary import DOMAINS, SHORT_STATEMENT

__all__ = ["TIMELINE_SCHEMA", "timeline_json", "timeline_text"]

TIMELINE_SCHEMA = "neuroseq/store-timeline/v1"


def _item(entry: dict[str, Any], stored: StoredAssessment) -> dict[str, Any]:
    fidelity = stored.latest_fidelity().get(entry["intervention"])
    decision = stored.latest_decisions().get(entry["intervention"])
    return {
        "rank": entry["rank"],
        "audience": entry["audience"],
        "phase": entry.get("phase"),
        "action": entry["action"],
        "intervention": entry["intervention"],
        "name": entry.get("name", entry["intervention"]),
        "fidelity": fidelity.to_json() if fidelity is not None else None,
        "decision": decision.to_json() if decision is not None else None,
    }


def _assessment(stored: StoredAssessment, replaced: int) -> dict[str, Any]:
    plan = stored.plan
    domains = plan["scores"].get("domains", {})
    return {
        "date": stored.date,
        "version": stored.version,
        "replaced_versions": replaced,
        "metric": stored.metric,
        "source": stored.source,
        "sha256": stored.sha256,
        "stored_at": stored.stored_at,
        "cmr": plan["scores"]["cmr"],
        "developmental_age": {d: domains[d]["developmental_age"] for d in DOMAINS if d in domains},
        "age": plan["age"],
        "start_phase": plan.get("start_phase"),
        "previous": stored.previous_date,
        "provenance": stored.provenance,
        "follow_through": stored.follow_through,
        "items": [_item(entry, stored) for entry in plan["recommendations"]],
        "not_started": [n["intervention"] for n in plan.get("not_started", [])],
    }


def timeline_json(client: str, history: Sequence[StoredAssessment]) -> dict[str, Any]:
    """The timeline as data, oldest assessment first (current versions only)."""
    current = [s for s in history if s.current]
    replaced = {
        s.date: sum(1 for o in history if o.date == s.date and not o.current) for s in current
    }
    return {
        "schema": TIMELINE_SCHEMA,
        "client": client,
        "assessments": [_assessment(s, replaced[s.date]) for s in current],
    }


_DOMAIN_SHORT = {
    "sensory_integration": "sensory",
    "self_regulation": "self-reg",
    "relational": "relational",
    "cognitive": "cognitive",
}


def _followed(item: dict[str, Any]) -> str:
    parts = []
    fidelity = item["fidelity"]
    if fidelity is not None:
        rated = f" {fidelity['rating']}/3" if fidelity["rating"] is not None else ""
        parts.append(f"fidelity {fidelity['status'].replace('_', ' ')}{rated}")
    decision = item["decision"]
    if decision is not None:
        why = f" ({decision['reason'].replace('_', ' ')})" if decision["reason"] else ""
        parts.append(f"{decision['decision']}{why}")
    return "; ".join(parts) if parts else "nothing recorded"


def timeline_text(data: dict[str, Any]) -> str:
    """The timeline for a terminal: one block per assessment, one line per plan item."""
    lines = [f"Client {data['client']}: {len(data['assessments'])} assessments", ""]
    header = "date        metric     CMR   " + " ".join(f"{_DOMAIN_SHORT[d]:>10}" for d in DOMAINS)
    lines += ["Developmental ages by domain (years)", header]
    for a in data["assessments"]:
        ages = " ".join(f"{a['developmental_age'].get(d, 0):>10.1f}" for d in DOMAINS)
        lines.append(f"{a['date']}  {a['metric']:<9} {a['cmr']:>5.2f} {ages}")
    for a in data["assessments"]:
        lines += [
            "",
            f"{a['date']} ({a['metric']}, age {a['age']:g})"
            + (f", follows {a['previous']}" if a["previous"] else "")
            + (f", version {a['version']}" if a["version"] > 1 else ""),
        ]
        rulebase = a["provenance"]["rulebase"]
        lines.append(f"  planned with rule base {rulebase['version']} ({rulebase['sha256'][:12]})")
        for item in a["items"]:
            lines.append(
                f"  {item['rank']:>2}. {item['action']:<9} {item['intervention']:<34} "
                f"{_followed(item)}"
            )
        if a["not_started"]:
            lines.append("  not started, ask why: " + ", ".join(a["not_started"]))
    lines += ["", SHORT_STATEMENT]
    return "\n".join(lines) + "\n"
