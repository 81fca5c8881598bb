"""The neuroseq Questionnaire: every field of a case file as a FHIR question.

One tree of :class:`Question` drives three things, so they cannot drift:
the Questionnaire resource (``neuroseq fhir questionnaire``), the
QuestionnaireResponse an export writes, and what an import accepts. A
question's ``linkId`` is the case field's path with list positions left out
(``client.age_years``, ``history.bonding``, ``cns.sleep``); a repeating group
(``history``, ``client.medications``) is answered once per entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from neuroseq import __version__
from neuroseq.fhir.codes import (
    INTERVENTION_SYSTEM,
    INTERVENTION_VALUE_SET,
    QUESTIONNAIRE_URL,
    QUESTIONNAIRE_VERSION,
    system_url,
)
from neuroseq.scoring.case import MEDICATION_CLASSES, SENSITIVITIES
from neuroseq.scoring.items import ITEMS
from neuroseq.vocabulary import PERIODS

__all__ = [
    "ANSWER_TYPES",
    "QUESTIONS",
    "Question",
    "all_questions",
    "canonical",
    "questionnaire",
]

ANSWER_TYPES: dict[str, tuple[str, ...]] = {
    "string": ("valueString",),
    "text": ("valueString",),
    "decimal": ("valueDecimal", "valueInteger"),
    "integer": ("valueInteger",),
    "boolean": ("valueBoolean",),
    "date": ("valueDate",),
    "choice": ("valueCoding",),
}
"""The answer value[x] each item type takes on import (the first is what export writes)."""


@dataclass(frozen=True)
class Question:
    """One field of the case file: its key, FHIR item type, text and, for a choice, codes."""

    link_id: str
    key: str
    """The key in its parent mapping of the case file."""
    type: str
    text: str
    repeats: bool = False
    required: bool = False
    system: str | None = None
    """A choice's code system URL."""
    codes: tuple[str, ...] = ()
    """A choice's allowed codes (empty: any code of ``system``, e.g. catalogue ids)."""
    children: tuple[Question, ...] = ()

    def child(self, link_id: str) -> Question | None:
        for question in self.children:
            if question.link_id == link_id:
                return question
        return None


def _q(parent: str, key: str, kind: str, text: str, **more: Any) -> Question:
    link_id = f"{parent}.{key}" if parent else key
    return Question(link_id, key, kind, text, **more)


def _choice(
    parent: str, key: str, text: str, system: str, codes: tuple[str, ...], **more: Any
) -> Question:
    url = system if system.startswith("https://") else system_url(system)
    return _q(parent, key, "choice", text, system=url, codes=codes, **more)


def _catalog_ids(parent: str, key: str, text: str) -> Question:
    return _choice(parent, key, text, INTERVENTION_SYSTEM, (), repeats=True)


_RATING = "0-3 in whole or half points (3 = strong)"

_CLIENT = _q(
    "",
    "client",
    "group",
    "Client (pseudonymous)",
    required=True,
    children=(
        _q("client", "id", "string", "Pseudonymous client id (never a name)", required=True),
        _q("client", "age_years", "decimal", "Age in years at the assessment"),
        _q("client", "date_of_birth", "date", "Date of birth (with the assessment date)"),
        _q("client", "assessment_date", "date", "Date of this assessment"),
        _q("client", "sex", "string", "Sex (free text)"),
        _q("client", "placement", "string", "Where the client lives now (free text)"),
        _q("client", "school_setting", "string", "School, college or day setting (free text)"),
        _q("client", "placements_count", "integer", "Out-of-home placements so far"),
        _q("client", "interests", "string", "What the client enjoys", repeats=True),
        _catalog_ids("client", "declined", "Catalogue ids the client or family declines"),
        _catalog_ids("client", "requested", "Catalogue ids the client or family asks for"),
        _choice(
            "client",
            "sensitivities",
            "Known sensitivities",
            "sensitivity",
            SENSITIVITIES,
            repeats=True,
        ),
        _q(
            "client",
            "medications",
            "group",
            "A current medication",
            repeats=True,
            children=(
                _q("client.medications", "name", "string", "Medication name", required=True),
                _choice(
                    "client.medications",
                    "class",
                    "Medication class",
                    "medication-class",
                    MEDICATION_CLASSES,
                    required=True,
                ),
            ),
        ),
    ),
)

_HOUSEHOLD = _q(
    "",
    "household",
    "group",
    "The home (each unknown when not answered)",
    children=(
        _q("household", "siblings_in_home", "integer", "Brothers and sisters living in the home"),
        _q(
            "household", "sibling_conflict", "boolean", "Conflict between siblings strains the home"
        ),
        _q(
            "household",
            "caregiver_trauma_informed",
            "boolean",
            "The main caregiver has had trauma-informed training",
        ),
        _q(
            "household",
            "caregiver_own_adversity",
            "boolean",
            "The caregiver's own history of adversity weighs on caregiving",
        ),
    ),
)

_HISTORY = _q(
    "",
    "history",
    "group",
    "Developmental history: one period (Parts A and B)",
    repeats=True,
    children=(
        _choice("history", "period", "Period", "period", PERIODS, required=True),
        _q("history", "adversity", "decimal", "Adversity severity, 0-3", required=True),
        _choice(
            "history",
            "pattern",
            "Pattern of adversity",
            "pattern",
            ("none", "single", "episodic", "chronic"),
            required=True,
        ),
        _q("history", "nature", "string", "Nature of the adversity", repeats=True),
        _q("history", "bonding", "decimal", f"Bonding, {_RATING}", required=True),
        _q("history", "family_support", "decimal", f"Family support, {_RATING}", required=True),
        _q(
            "history",
            "community_support",
            "decimal",
            f"Community support, {_RATING}",
            required=True,
        ),
    ),
)

_CNS = _q(
    "",
    "cns",
    "group",
    "Current functioning: the 32 brain-mediated functions, each 0-12 in half points",
    required=True,
    children=tuple(
        _q("cns", item.id, "decimal", f"{item.number}. {item.label}", required=True)
        for item in ITEMS
    ),
)

_RELATIONAL = _q(
    "",
    "relational_health",
    "group",
    "Current relational health (Part D)",
    children=tuple(
        _q("relational_health", key, "decimal", f"{key.capitalize()}, {_RATING}", required=True)
        for key in ("family", "peers", "school", "community")
    ),
)

QUESTIONS: tuple[Question, ...] = (
    _choice(
        "",
        "metric",
        "Kind of assessment: full, follow_up or er",
        "metric",
        ("full", "follow_up", "er"),
        required=True,
    ),
    _CLIENT,
    _catalog_ids("", "current_services", "Services the client receives now (catalogue ids)"),
    _HOUSEHOLD,
    _HISTORY,
    _CNS,
    _RELATIONAL,
    _q("", "notes", "text", "Notes (free text, never interpreted)"),
)
"""The top-level questions, in case-file order."""


def all_questions(questions: tuple[Question, ...] = QUESTIONS) -> Iterator[Question]:
    """Every question, depth first."""
    for question in questions:
        yield question
        yield from all_questions(question.children)


def canonical() -> str:
    """``url|version``: how a QuestionnaireResponse names the Questionnaire it answers."""
    return f"{QUESTIONNAIRE_URL}|{QUESTIONNAIRE_VERSION}"


def _item(question: Question) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": question.link_id, "text": question.text}
    item["type"] = question.type
    if question.required:
        item["required"] = True
    if question.repeats:
        item["repeats"] = True
    if question.type == "choice":
        if question.codes:
            item["answerOption"] = [
                {"valueCoding": {"system": question.system, "code": code}}
                for code in question.codes
            ]
        else:
            item["answerValueSet"] = INTERVENTION_VALUE_SET
    if question.children:
        item["item"] = [_item(child) for child in question.children]
    return item


def questionnaire() -> dict[str, Any]:
    """The neuroseq Questionnaire resource (JSON data)."""
    return {
        "resourceType": "Questionnaire",
        "id": "neuroseq-case",
        "url": QUESTIONNAIRE_URL,
        "version": QUESTIONNAIRE_VERSION,
        "name": "NeuroseqCase",
        "title": "neuroseq assessment (case file neuroseq/case/v1)",
        "status": "active",
        "experimental": False,
        "subjectType": ["Patient"],
        "publisher": f"neuroseq {__version__}",
        "description": "Every field of a neuroseq case file. neuroseq is an independent "
        "implementation of published neurosequential ideas, not the official NMT™ "
        "Metric, and uses none of its item wording.",
        "item": [_item(question) for question in QUESTIONS],
    }
