"""A planned case as a FHIR R4B Bundle (type collection): ``plan --format fhir``.

The Bundle holds, in this order:

* a **Patient** with the pseudonymous client id as its only identifier (never
  a name, a birth date or anything else);
* the **QuestionnaireResponse** of the assessment: every field of the case
  file, answering the neuroseq Questionnaire (:mod:`neuroseq.fhir.questionnaire`);
* **Observations** of the CMR and of each domain's ratio to typical and
  developmental age, coded with the neuroseq observation code system;
* a **CarePlan** (intent plan) with one activity per plan item, its status
  mapped from the action (:data:`neuroseq.fhir.codes.ACTIVITY_STATUS`), each
  carrying its rationale, rule id, source and cautions;
* a **RequestGroup** with the items as ordered actions: therapeutic web,
  family, then the client by phase, each group ``before`` the next.

Nothing depends on the time or on chance: resource ids are uuid5 of the client
id and the case or plan content, so the same plan gives the same bytes. The
Bundle is validated with the ``fhir.resources`` R4B models before it is written.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from neuroseq.engine.plan_model import Recommendation
from neuroseq.engine.workflow import PlanResult
from neuroseq.fhir.codes import (
    ACTIVITY_STATUS,
    CLIENT_ID_SYSTEM,
    INTERVENTION_SYSTEM,
    NAMESPACE,
    OBSERVATION_SYSTEM,
    RULE_BASE_URL,
    coding,
    extension_url,
    observation_codes,
)
from neuroseq.fhir.questionnaire import QUESTIONS, Question, canonical
from neuroseq.jsontext import pretty_json
from neuroseq.vocabulary import DOMAINS, PHASES, STATEMENT

__all__ = [
    "bundle",
    "bundle_json_text",
    "case_document",
    "groups",
    "response_items",
    "validated",
]

_UCUM = "http://unitsofmeasure.org"
_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(parts)))


def _ref(resource: dict[str, Any]) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource['id']}"}


def case_document(result: PlanResult) -> dict[str, Any]:
    """The case as the plain data of a case file (what the QuestionnaireResponse answers)."""
    data: dict[str, Any] = result.case.model_dump(by_alias=True, mode="json", exclude_none=True)
    return data


# --- QuestionnaireResponse ----------------------------------------------------


def _answer(question: Question, value: Any) -> dict[str, Any]:
    if question.type == "choice":
        return {"valueCoding": {"system": question.system, "code": value}}
    if question.type == "decimal":
        return {"valueDecimal": float(value)}
    if question.type == "integer":
        return {"valueInteger": int(value)}
    if question.type == "boolean":
        return {"valueBoolean": bool(value)}
    if question.type == "date":
        return {"valueDate": str(value)}
    return {"valueString": str(value)}


def response_items(
    data: dict[str, Any], questions: tuple[Question, ...] = QUESTIONS
) -> list[dict[str, Any]]:
    """QuestionnaireResponse items answering ``questions`` from case data (absent keys skipped)."""
    items: list[dict[str, Any]] = []
    for question in questions:
        if question.key not in data:
            continue
        value = data[question.key]
        if question.type == "group":
            for entry in value if question.repeats else [value]:
                children = response_items(entry, question.children)
                if children:
                    items.append(
                        {"linkId": question.link_id, "text": question.text, "item": children}
                    )
            continue
        values = value if question.repeats else [value]
        if values:
            items.append(
                {
                    "linkId": question.link_id,
                    "text": question.text,
                    "answer": [_answer(question, v) for v in values],
                }
            )
    return items


# --- Observations ---------------------------------------------------------------


def _observation(
    ident: str,
    code: str,
    value: dict[str, Any],
    context: dict[str, Any],
    interpretation: tuple[str, str] | None = None,
    reference_text: str | None = None,
) -> dict[str, Any]:
    display = observation_codes()[code]
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": ident,
        "status": "final",
        "category": [{"coding": [{"system": _CATEGORY, "code": "survey"}]}],
        "code": {"coding": [coding(OBSERVATION_SYSTEM, code, display)], "text": display},
        "subject": context["subject"],
    }
    if context.get("date"):
        resource["effectiveDateTime"] = context["date"]
    resource["valueQuantity"] = value
    if interpretation is not None:
        system, word = interpretation
        resource["interpretation"] = [{"coding": [coding(system, word)], "text": word}]
    resource["derivedFrom"] = [context["response"]]
    if reference_text is not None:
        resource["referenceRange"] = [{"text": reference_text}]
    return resource


def _ratio(value: float) -> dict[str, Any]:
    return {"value": value, "unit": "ratio", "system": _UCUM, "code": "1"}


def _years(value: float) -> dict[str, Any]:
    return {"value": value, "unit": "years", "system": _UCUM, "code": "a"}


def _observations(result: PlanResult, key: str, context: dict[str, Any]) -> list[dict[str, Any]]:
    scores = result.plan.scores
    found = [
        _observation(
            _id("observation", key, "cmr"),
            "cmr",
            _ratio(scores["cmr"]),
            context,
            ("cmr-band", scores["cmr_band"]),
            f"typical for age: {scores['cmr_typical']}",
        )
    ]
    domains = scores["domains"]
    for domain in DOMAINS:
        found.append(
            _observation(
                _id("observation", key, f"ratio.{domain}"),
                f"ratio.{domain}",
                _ratio(domains[domain]["ratio"]),
                context,
                ("impairment", domains[domain]["impairment"]),
                "typical for age: 1.0",
            )
        )
    for domain in DOMAINS:
        found.append(
            _observation(
                _id("observation", key, f"developmental-age.{domain}"),
                f"developmental-age.{domain}",
                _years(domains[domain]["developmental_age"]),
                context,
                None,
                f"chronological age: {scores['age']}",
            )
        )
    return found


# --- CarePlan -------------------------------------------------------------------


def _extension(name: str, kind: str, value: Any) -> dict[str, Any]:
    return {"url": extension_url(name), kind: value}


def _gate(result: PlanResult, item: Recommendation) -> str | None:
    for stop in result.plan.stop:
        if stop.intervention == item.intervention and stop.action == item.action:
            return stop.reason
    return None


def _activity(result: PlanResult, item: Recommendation) -> dict[str, Any]:
    extensions = [
        _extension("rank", "valueInteger", item.rank),
        _extension("audience", "valueCode", item.audience),
    ]
    if item.phase is not None:
        extensions.append(_extension("phase", "valueCode", item.phase))
    if item.domain is not None:
        extensions.append(_extension("domain", "valueCode", item.domain))
    extensions += [
        _extension("action", "valueCode", item.action),
        _extension("rule", "valueString", item.rule),
        _extension("rationale", "valueString", item.rationale),
        _extension("source", "valueString", item.source),
    ]
    extensions += [_extension("caution", "valueString", text) for text in item.cautions]
    description = item.summary
    if item.action == "defer":
        gate = _gate(result, item) or item.rationale
        description = f"{description} Deferred until: {gate}"
    detail: dict[str, Any] = {
        "instantiatesUri": [RULE_BASE_URL + item.rule],
        "code": {
            "coding": [coding(INTERVENTION_SYSTEM, item.intervention, item.name)],
            "text": item.name,
        },
        "reasonCode": [{"text": item.rationale}],
        "status": ACTIVITY_STATUS[item.action],
        "statusReason": {"coding": [coding("action", item.action)], "text": item.action},
    }
    if item.action == "avoid":
        detail["doNotPerform"] = True
    detail["description"] = description
    return {"extension": extensions, "detail": detail}


def _care_plan(result: PlanResult, ident: str, context: dict[str, Any]) -> dict[str, Any]:
    plan = result.plan
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": ident,
        "status": "draft",
        "intent": "plan",
        "title": f"neuroseq plan for {plan.client_id}",
        "description": _plan_description(result),
        "subject": context["subject"],
    }
    period: dict[str, str] = {}
    if context.get("date"):
        period["start"] = context["date"]
    if plan.reassessment is not None and plan.reassessment.due:
        period["end"] = plan.reassessment.due
    if period:
        resource["period"] = period
    resource["supportingInfo"] = [context["response"], *context["observations"]]
    resource["activity"] = [_activity(result, item) for item in plan.recommendations]
    return resource


def _plan_description(result: PlanResult) -> str:
    plan = result.plan
    parts = [STATEMENT]
    if plan.summary is not None:
        level = plan.summary.lowest_impaired_level or "none"
        parts.append(
            f"Lowest significantly impaired level: {level}; CMR {plan.summary.cmr} "
            f"({plan.summary.cmr_gate})."
        )
    if plan.reassessment is not None and plan.reassessment.due:
        parts.append(f"Re-assess by {plan.reassessment.due}.")
    return " ".join(parts)


# --- RequestGroup ---------------------------------------------------------------

_GROUP_TITLES = {
    "therapeutic_web": "The therapeutic web",
    "family": "The family",
    "client.regulate": "The client: regulate",
    "client.relate": "The client: relate",
    "client.reason": "The client: reason",
    "client": "The client",
}


def groups(result: PlanResult) -> list[tuple[str, list[Recommendation]]]:
    """The plan's items in sequence groups: therapeutic web, family, client by phase."""
    order = ["therapeutic_web", "family", *(f"client.{phase}" for phase in PHASES), "client"]
    found: dict[str, list[Recommendation]] = {name: [] for name in order}
    for item in result.plan.recommendations:
        if item.audience != "client":
            found[item.audience].append(item)
        else:
            found[f"client.{item.phase}" if item.phase else "client"].append(item)
    return [(name, found[name]) for name in order if found[name]]


def _request_action(item: Recommendation) -> dict[str, Any]:
    return {
        "id": item.intervention,
        "title": item.name,
        "description": item.summary,
        "textEquivalent": item.rationale,
        "code": [
            {"coding": [coding(INTERVENTION_SYSTEM, item.intervention, item.name)]},
            {"coding": [coding("action", item.action)], "text": item.action},
        ],
        "documentation": [{"type": "citation", "citation": item.source}],
    }


def _request_group(result: PlanResult, ident: str, context: dict[str, Any]) -> dict[str, Any]:
    sequence = groups(result)
    actions = []
    for index, (name, items) in enumerate(sequence):
        action: dict[str, Any] = {"id": name, "title": _GROUP_TITLES[name]}
        if index + 1 < len(sequence):
            action["relatedAction"] = [
                {"actionId": sequence[index + 1][0], "relationship": "before"}
            ]
        action["groupingBehavior"] = "logical-group"
        action["selectionBehavior"] = "all"
        action["action"] = [_request_action(item) for item in items]
        actions.append(action)
    return {
        "resourceType": "RequestGroup",
        "id": ident,
        "status": "draft",
        "intent": "plan",
        "subject": context["subject"],
        "reasonReference": [context["response"]],
        "action": actions,
    }


# --- the Bundle -----------------------------------------------------------------


def bundle(result: PlanResult) -> dict[str, Any]:
    """The FHIR R4B Bundle (JSON data) of a planned case, validated with fhir.resources."""
    plan = result.plan
    client = plan.client_id
    data = case_document(result)
    case_key = hashlib.sha256(_json(data).encode("utf-8")).hexdigest()
    plan_key = hashlib.sha256(_json(plan.to_json()).encode("utf-8")).hexdigest()
    key = f"{client}|{case_key}"
    patient = {
        "resourceType": "Patient",
        "id": _id("patient", client),
        "identifier": [{"system": CLIENT_ID_SYSTEM, "value": client}],
    }
    date = result.case.client.assessment_date
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": _id("questionnaire-response", key),
        "questionnaire": canonical(),
        "status": "completed",
        "subject": _ref(patient),
    }
    if date is not None:
        response["authored"] = date.isoformat()
    response["item"] = response_items(data)
    context: dict[str, Any] = {
        "subject": _ref(patient),
        "response": _ref(response),
        "date": date.isoformat() if date is not None else None,
    }
    observations = _observations(result, key, context)
    context["observations"] = [_ref(o) for o in observations]
    care_plan = _care_plan(result, _id("care-plan", client, plan_key), context)
    request_group = _request_group(result, _id("request-group", client, plan_key), context)
    resources = [patient, response, *observations, care_plan, request_group]
    document = {
        "resourceType": "Bundle",
        "id": _id("bundle", client, plan_key),
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }
    return validated(document)


def validated(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` as the R4B Bundle model writes it back (it fails loudly if not valid)."""
    model = Bundle.model_validate(document)
    value: dict[str, Any] = json.loads(model.model_dump_json())
    return value


def bundle_json_text(result: PlanResult) -> str:
    """The Bundle as JSON text, two-space indented, ending in a newline."""
    return pretty_json(bundle(result))
