"""neuroseq's FHIR names: canonical URLs, code systems and the action -> status table.

No standard terminology codes the cortical modulation ratio, a functional
domain's ratio to typical or its developmental age, nor neuroseq's actions,
so neuroseq defines its own code systems. Every canonical URL starts with
:data:`BASE` (``https://neuroseq.org/fhir``); the choice is written down in
``fhir/MAPPING.md``. This module is plain data: it needs no FHIR library.
"""

from __future__ import annotations

import uuid
from typing import Any

from neuroseq import __version__
from neuroseq.scoring.case import MEDICATION_CLASSES, SENSITIVITIES
from neuroseq.vocabulary import (
    ACTIONS,
    AUDIENCES,
    CMR_BANDS,
    DOMAINS,
    IMPAIRMENTS,
    PERIODS,
    PHASES,
    Action,
)

__all__ = [
    "ACTIVITY_STATUS",
    "CARE_PLAN_ACTIVITY_STATUSES",
    "BASE",
    "CLIENT_ID_SYSTEM",
    "CODE_SYSTEMS",
    "extension_url",
    "INTERVENTION_SYSTEM",
    "INTERVENTION_VALUE_SET",
    "NAMESPACE",
    "OBSERVATION_SYSTEM",
    "QUESTIONNAIRE_URL",
    "QUESTIONNAIRE_VERSION",
    "RULE_BASE_URL",
    "code_system",
    "code_systems_bundle",
    "coding",
    "observation_codes",
    "system_url",
]

BASE = "https://neuroseq.org/fhir"
"""Where every neuroseq canonical URL starts."""

QUESTIONNAIRE_VERSION = "1"
QUESTIONNAIRE_URL = f"{BASE}/Questionnaire/neuroseq-case"
"""The Questionnaire the assessment answers (``neuroseq fhir questionnaire``)."""

CLIENT_ID_SYSTEM = f"{BASE}/NamingSystem/client-id"
"""The identifier system of the pseudonymous client id (the only identifier a Patient gets)."""

INTERVENTION_SYSTEM = f"{BASE}/CodeSystem/intervention"
"""Catalogue ids (``neuroseq catalog list``); the catalogue is the code system's content."""
INTERVENTION_VALUE_SET = f"{BASE}/ValueSet/intervention"

OBSERVATION_SYSTEM = f"{BASE}/CodeSystem/observation"

RULE_BASE_URL = f"{BASE}/rule/"
"""A rule's id after this is the ``instantiatesUri`` of the activity it decided."""

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, BASE)
"""The namespace of every resource id neuroseq derives (uuid5), so ids are reproducible."""


def system_url(name: str) -> str:
    """The canonical URL of the neuroseq code system ``name``."""
    return f"{BASE}/CodeSystem/{name}"


def extension_url(name: str) -> str:
    """The URL of the neuroseq extension ``name`` (rationale, rule, source, caution, ...)."""
    return f"{BASE}/StructureDefinition/{name}"


def observation_codes() -> dict[str, str]:
    """Observation code -> display: the CMR, and per domain its ratio and developmental age."""
    codes = {"cmr": "Cortical modulation ratio"}
    for domain in DOMAINS:
        words = domain.replace("_", " ")
        codes[f"ratio.{domain}"] = f"Ratio to typical for age: {words} domain"
    for domain in DOMAINS:
        words = domain.replace("_", " ")
        codes[f"developmental-age.{domain}"] = f"Developmental age equivalent: {words} domain"
    return codes


_PATTERNS = ("none", "single", "episodic", "chronic")
_METRICS = ("full", "follow_up", "er")

#: Closed vocabularies as code systems: name -> (title, codes). The intervention
#: system is open (it is the catalogue in use) and is not listed here.
CODE_SYSTEMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "observation": ("neuroseq observations", tuple(observation_codes())),
    "metric": ("Kind of assessment", _METRICS),
    "period": ("Developmental period of the history", PERIODS),
    "pattern": ("Pattern of adversity in a period", _PATTERNS),
    "sensitivity": ("A known sensitivity of the client", SENSITIVITIES),
    "medication-class": ("The kind of a medication", MEDICATION_CLASSES),
    "action": ("What a plan does with an intervention", ACTIONS),
    "audience": ("Who a plan item is for", AUDIENCES),
    "phase": ("Client phase: regulate, relate, reason", PHASES),
    "impairment": ("Impairment against a same-age peer", IMPAIRMENTS),
    "cmr-band": ("What the CMR allows cognitive-predominant work", CMR_BANDS),
}


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    """A Coding of a neuroseq code system by name (``metric``) or by full URL."""
    url = system if system.startswith("https://") else system_url(system)
    value: dict[str, Any] = {"system": url, "code": code}
    if display is not None:
        value["display"] = display
    return value


ACTIVITY_STATUS: dict[Action, str] = {
    "recommend": "not-started",
    "continue": "in-progress",
    "resume": "not-started",
    "suspend": "on-hold",
    "defer": "not-started",
    "avoid": "cancelled",
}
"""CarePlan.activity.detail.status for each plan action (issue 16; fhir/MAPPING.md).

``continue`` is a service the client receives now, so it is in progress; a
``recommend`` is new and a ``resume`` restarts what was suspended, so both are
not started yet. A ``defer`` is not started and its description names the gate
it waits for.
"""

CARE_PLAN_ACTIVITY_STATUSES = (
    "not-started",
    "scheduled",
    "in-progress",
    "on-hold",
    "completed",
    "cancelled",
    "stopped",
    "unknown",
    "entered-in-error",
)
"""The R4B value set care-plan-activity-status (fhir.resources does not check value sets)."""


def code_system(name: str) -> dict[str, Any]:
    """The CodeSystem resource (JSON data) of one closed neuroseq vocabulary."""
    title, codes = CODE_SYSTEMS[name]
    displays = observation_codes() if name == "observation" else {}
    return {
        "resourceType": "CodeSystem",
        "id": f"neuroseq-{name}",
        "url": system_url(name),
        "version": __version__,
        "name": "Neuroseq" + "".join(part.capitalize() for part in name.split("-")),
        "title": title,
        "status": "active",
        "experimental": False,
        "publisher": "neuroseq",
        "description": "Defined by neuroseq (an independent implementation of published "
        "neurosequential ideas, not the official NMT™ Metric); no standard codes exist.",
        "caseSensitive": True,
        "content": "complete",
        "count": len(codes),
        "concept": [
            {"code": code, "display": displays.get(code, code.replace("_", " "))} for code in codes
        ],
    }


def code_systems_bundle() -> dict[str, Any]:
    """Every closed neuroseq code system in one Bundle (type collection)."""
    entries = []
    for name in CODE_SYSTEMS:
        resource = code_system(name)
        entries.append({"fullUrl": resource["url"], "resource": resource})
    return {
        "resourceType": "Bundle",
        "id": "neuroseq-code-systems",
        "type": "collection",
        "entry": entries,
    }
