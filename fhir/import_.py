"""A QuestionnaireResponse (or a Bundle holding one) back to a neuroseq case file.

    FHIR JSON --check (fhir.resources R4B)--> QuestionnaireResponse
              --answers by linkId--> case document --case loader--> Case

The JSON is read as strictly as a case file (duplicate keys, size and depth
limits), checked against the R4B models, and then against the neuroseq
Questionnaire: every linkId known, every answer of the type its question
takes, every code from its code system. The case document it gives is
validated by the same loader as a case file, so an imported case is refused
exactly where a case file would be, and every problem is located in the FHIR
file: its line and JSON path (``entry[1].resource.item[5].item[7].answer[0]``),
what is wrong and what is allowed. Messages never quote free text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

import yaml
from pydantic import ValidationError

from neuroseq.errors import CaseError, FhirError, Problem
from neuroseq.fhir.codes import QUESTIONNAIRE_URL, QUESTIONNAIRE_VERSION
from neuroseq.fhir.questionnaire import (
    ANSWER_TYPES,
    QUESTIONS,
    Question,
    all_questions,
    canonical,
)
from neuroseq.scoring.case import Case
from neuroseq.scoring.loader import case_from_document, parse_case
from neuroseq.source import (
    SourceDocument,
    describe_value,
    document_from_bytes,
    field_path,
    is_echoable,
)

__all__ = ["ImportedCase", "RESPONSE_STATUSES", "import_case"]

PathKey = tuple[str | int, ...]

RESPONSE_STATUSES = ("in-progress", "completed", "amended", "entered-in-error", "stopped")
"""The R4B value set questionnaire-answers-status (fhir.resources does not check it)."""
ACCEPTED_STATUSES = ("completed", "amended")
"""The statuses of a finished assessment, the only ones an import accepts."""


@dataclass(frozen=True)
class ImportedCase:
    """A case read from FHIR: the validated case, its plain data and its case-file text."""

    case: Case
    document: dict[str, Any]
    text: str
    """The case file (YAML) to write; ``case`` is this text parsed by the case loader."""


class _Reader:
    """Collects the case data, the FHIR location of each case field, and the problems."""

    def __init__(self, doc: SourceDocument) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        self.where: dict[PathKey, PathKey] = {}
        """Case key -> the FHIR path it was read from."""
        self.link_ids: dict[PathKey, str] = {}
        self.refused: set[PathKey] = set()
        """Case keys whose answer was refused here (the case loader's "missing" would repeat it)."""

    def problem(self, path: PathKey, message: str) -> None:
        self.problems.append(Problem(self.doc.location(path), field_path(path), message))

    def items(
        self, items: Any, path: PathKey, questions: tuple[Question, ...], case_key: PathKey
    ) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if not isinstance(items, list):
            return data
        known = {question.link_id: question for question in questions}
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            here = (*path, index)
            if not isinstance(item, dict):
                continue
            link_id = item.get("linkId")
            question = known.get(link_id) if isinstance(link_id, str) else None
            if question is None:
                allowed = ", ".join(known)
                self.problem(
                    (*here, "linkId"),
                    f"unknown linkId {describe_value(link_id)} here; the neuroseq "
                    f"Questionnaire allows: {allowed}",
                )
                continue
            key = (*case_key, question.key)
            if question.link_id in seen and not question.repeats:
                self.problem(
                    (*here, "linkId"),
                    f"linkId '{question.link_id}' is answered twice (also item[{seen[question.link_id]}]); "
                    "it does not repeat: answer it once",
                )
                continue
            seen.setdefault(question.link_id, index)
            if question.type == "group":
                if "answer" in item or not isinstance(item.get("item"), list):
                    self.problem(
                        here,
                        f"linkId '{question.link_id}' is a group: give its answers as nested "
                        "items, not as an answer",
                    )
                    self.refused.add(key)
                    continue
                if question.repeats:
                    entries = data.setdefault(question.key, [])
                    entry_key = (*key, len(entries))
                    self.where.setdefault(key, here)
                    self.where[entry_key] = here
                    self.link_ids[entry_key] = question.link_id
                    entries.append(
                        self.items(item["item"], (*here, "item"), question.children, entry_key)
                    )
                else:
                    self.where[key] = here
                    self.link_ids[key] = question.link_id
                    data[question.key] = self.items(
                        item["item"], (*here, "item"), question.children, key
                    )
                continue
            if "item" in item:
                self.problem(
                    (*here, "item"),
                    f"linkId '{question.link_id}' is a question, not a group: give an answer, "
                    "not nested items",
                )
                self.refused.add(key)
                continue
            answers = item.get("answer")
            if not isinstance(answers, list) or not answers:
                self.problem(
                    here,
                    f"linkId '{question.link_id}' has no answer; answer it, or leave the item out",
                )
                self.refused.add(key)
                continue
            if len(answers) > 1 and not question.repeats:
                self.problem(
                    (*here, "answer"),
                    f"linkId '{question.link_id}' takes one answer, not {len(answers)}",
                )
                self.refused.add(key)
                continue
            values = [self.answer(a, (*here, "answer", n), question) for n, a in enumerate(answers)]
            self.link_ids[key] = question.link_id
            if question.repeats:
                self.where[key] = (*here, "answer")
                for n in range(len(answers)):
                    self.where[(*key, n)] = (*here, "answer", n)
            else:
                self.where[key] = (*here, "answer", 0)
            if any(value is _BAD for value in values):
                self.refused.add(key)
                continue
            data[question.key] = values if question.repeats else values[0]
        return data

    def answer(self, answer: Any, path: PathKey, question: Question) -> Any:
        if not isinstance(answer, dict):
            return _BAD
        allowed = ANSWER_TYPES[question.type]
        given = [name for name in answer if name.startswith("value")]
        if len(given) != 1 or given[0] not in allowed:
            shown = ", ".join(given) if given else "no value"
            self.problem(
                path,
                f"linkId '{question.link_id}' ({question.type}) is answered with {shown}; "
                f"allowed: {' or '.join(allowed)}",
            )
            return _BAD
        value = answer[given[0]]
        if question.type == "decimal":
            return float(value)
        if question.type != "choice":
            return value
        system, code = value.get("system"), value.get("code")
        where = (*path, given[0])
        if system != question.system:
            self.problem(
                (*where, "system"),
                f"linkId '{question.link_id}' takes codes of {question.system}, "
                f"not {describe_value(system)}",
            )
            return _BAD
        if not isinstance(code, str):
            self.problem((*where, "code"), f"linkId '{question.link_id}' needs a code")
            return _BAD
        if question.codes and code not in question.codes:
            self.problem(
                (*where, "code"),
                f"{describe_value(code)} is not a code of {question.system}; allowed: "
                + ", ".join(question.codes),
            )
            return _BAD
        return code


_BAD = object()
_LINK_IDS = {question.link_id: question.link_id for question in all_questions()}


def _json_document(raw: bytes, source: str) -> SourceDocument:
    """The JSON text parsed strictly with its lines, problems naming ``source``."""
    parse_as = source if source.lower().endswith(".json") else source + ".json"
    try:
        doc = document_from_bytes(raw, parse_as, error=FhirError)
    except FhirError as exc:
        raise FhirError(_renamed(exc.problems, parse_as, source)) from None
    return replace(doc, path=source)


def _renamed(problems: Collection[Problem], old: str, new: str) -> list[Problem]:
    return [
        replace(p, location=replace(p.location, path=new)) if p.location.path == old else p
        for p in problems
    ]


def _model_problems(doc: SourceDocument, exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        path = tuple(part for part in error["loc"] if part != "root")
        message = str(error["msg"]).removeprefix("Value error, ")
        given = error.get("input")
        if isinstance(given, str) and given and given in message and not is_echoable(given):
            message = "this value is not valid here"
        message = f"not valid FHIR R4B: {message}"
        problems.append(Problem(doc.location(path), field_path(path), message))
    return problems


def _checked_fhir(doc: SourceDocument) -> list[Problem]:
    """Problems the R4B models find (structure and types; value sets are not theirs)."""
    from fhir.resources.R4B import get_fhir_model_class

    data = doc.data
    kind = data.get("resourceType")
    entries = data.get("entry") if kind == "Bundle" else None
    unknown: list[Problem] = []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict):
            name = resource.get("resourceType")
            try:
                get_fhir_model_class(str(name))
            except (ValueError, KeyError):
                path: PathKey = ("entry", index, "resource", "resourceType")
                unknown.append(
                    Problem(
                        doc.location(path),
                        field_path(path),
                        f"{describe_value(name)} is not an R4B resource type",
                    )
                )
    if unknown:
        return unknown
    try:
        get_fhir_model_class(str(kind)).model_validate(data)
    except ValidationError as exc:
        return _model_problems(doc, exc)
    except (ValueError, KeyError, TypeError):
        return [doc.problem(("resourceType",), "not valid FHIR R4B")]
    return []


def _find_response(doc: SourceDocument) -> tuple[PathKey, dict[str, Any]]:
    data = doc.data
    kind = data.get("resourceType")
    if kind == "QuestionnaireResponse":
        return (), data
    found: list[tuple[PathKey, dict[str, Any]]] = []
    responses = 0
    for index, entry in enumerate(data.get("entry") or []):
        resource = entry.get("resource")
        if isinstance(resource, dict) and resource.get("resourceType") == "QuestionnaireResponse":
            responses += 1
            if str(resource.get("questionnaire", "")).split("|")[0] == QUESTIONNAIRE_URL:
                found.append((("entry", index, "resource"), resource))
    if len(found) == 1:
        return found[0]
    if not found:
        what = (
            f"{responses} QuestionnaireResponse(s), none"
            if responses
            else "no QuestionnaireResponse"
        )
        raise FhirError(
            [
                doc.problem(
                    ("entry",) if "entry" in data else (),
                    f"the Bundle holds {what} answering {canonical()}; allowed: a Bundle with "
                    "one (neuroseq fhir questionnaire prints the Questionnaire)",
                )
            ]
        )
    places = ", ".join(field_path(path) for path, _ in found)
    raise FhirError(
        [
            doc.problem(
                ("entry",),
                f"the Bundle holds {len(found)} neuroseq QuestionnaireResponses ({places}); "
                "allowed: one assessment per Bundle",
            )
        ]
    )


def _header_problems(
    doc: SourceDocument, at: PathKey, response: Mapping[str, Any]
) -> list[Problem]:
    problems = []
    named = response.get("questionnaire")
    url, _, version = str(named or "").partition("|")
    if named is None:
        problems.append(
            doc.problem(
                at or ("resourceType",),
                f"names no questionnaire; allowed: {canonical()} (the neuroseq Questionnaire)",
            )
        )
    elif url != QUESTIONNAIRE_URL:
        problems.append(
            doc.problem(
                (*at, "questionnaire"),
                f"answers another questionnaire ({describe_value(named)}); allowed: {canonical()}",
            )
        )
    elif version and version != QUESTIONNAIRE_VERSION:
        problems.append(
            doc.problem(
                (*at, "questionnaire"),
                f"answers version {describe_value(version)} of the neuroseq Questionnaire; "
                f"allowed: version {QUESTIONNAIRE_VERSION}",
            )
        )
    status = response.get("status")
    if status not in ACCEPTED_STATUSES:
        if status in RESPONSE_STATUSES:
            what = f"status {status!r} is not a finished assessment"
        else:
            what = f"{describe_value(status)} is not a QuestionnaireResponse status"
        problems.append(
            doc.problem((*at, "status"), f"{what}; allowed: {', '.join(ACCEPTED_STATUSES)}")
        )
    if not isinstance(response.get("item"), list):
        problems.append(doc.problem(at or ("resourceType",), "has no items: nothing to import"))
    return problems


def _under(field: str, fields: Collection[str]) -> bool:
    """Whether ``field`` is one of ``fields`` or inside one of them."""
    while field:
        if field in fields:
            return True
        field = _parent(field)
    return False


def _parent(field: str) -> str:
    """``history[0].period`` -> ``history[0]`` -> ``history`` -> ``""``."""
    shorter = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", field)
    return "" if shorter == field else shorter


def _fhir_problem(reader: _Reader, at: PathKey, problem: Problem) -> Problem:
    """A case loader's problem, located at the FHIR node its case field came from."""
    fields = {field_path(key): key for key in reader.where}
    field = problem.field
    while field and field not in fields:
        field = _parent(field)
    if not field:
        path: PathKey = at
        link = ""
    else:
        path = reader.where[fields[field]]
        # a case field's linkId is its path without list positions (history[0].x -> history.x)
        link = _LINK_IDS.get(re.sub(r"\[\d+\]", "", problem.field), "")
        probe = problem.field
        while not link and probe:
            probe = _parent(probe)
            link = _LINK_IDS.get(re.sub(r"\[\d+\]", "", probe), "")
    shown = f" ({problem.field})" if problem.field and problem.field != link else ""
    named = f"linkId '{link}'{shown}: " if link else (f"{problem.field}: " if problem.field else "")
    return Problem(reader.doc.location(path), field_path(path), named + problem.message)


def import_case(
    raw: bytes,
    source: str,
    *,
    catalog_ids: Collection[str] | Mapping[str, str] | None = None,
    header: bool = True,
) -> ImportedCase:
    """Read FHIR JSON bytes as a case; every problem located in ``source``.

    ``catalog_ids`` (ids, or ids with names) checks the service, declined and
    requested ids, as the case loader does. ``header`` starts the case text
    with a comment naming where it came from (the file name and its sha256);
    without it, the same answers always give the same case text.
    """
    doc = _json_document(raw, source)
    if not isinstance(doc.data, dict):
        raise FhirError(
            [doc.problem((), "expected a FHIR resource (a JSON object with a resourceType)")]
        )
    kind = doc.data.get("resourceType")
    if kind not in ("Bundle", "QuestionnaireResponse"):
        raise FhirError(
            [
                doc.problem(
                    ("resourceType",) if "resourceType" in doc.data else (),
                    (
                        f"a {describe_value(kind)} resource"
                        if kind
                        else "not a FHIR resource (no resourceType)"
                    )
                    + "; allowed: a QuestionnaireResponse answering the neuroseq "
                    "Questionnaire, or a Bundle holding one",
                )
            ]
        )
    problems = _checked_fhir(doc)
    if problems:
        raise FhirError(sorted(set(problems), key=_order))
    at, response = _find_response(doc)
    problems = _header_problems(doc, at, response)
    if problems:
        raise FhirError(sorted(set(problems), key=_order))
    reader = _Reader(doc)
    values = reader.items(response["item"], (*at, "item"), QUESTIONS, ())
    document = {"schema": "neuroseq/case/v1", **values}
    case_lines = {
        key: line for key, path in reader.where.items() if (line := doc.line_for(path)) is not None
    }
    problems = list(reader.problems)
    try:
        case_from_document(SourceDocument(source, document, case_lines), catalog_ids=catalog_ids)
    except CaseError as exc:
        refused = {field_path(key) for key in reader.refused}
        problems += [
            _fhir_problem(reader, at, p)
            for p in exc.problems
            if not _under(p.field, refused) or not reader.problems
        ]
    if problems:
        raise FhirError(sorted(set(problems), key=_order))
    text = case_text(document, source, raw) if header else _yaml(document)
    # validated above; read back as the case file it is (YAML), recording its sha256
    case = parse_case(text, f"{source} (as a case file)", catalog_ids=catalog_ids)
    return ImportedCase(case, document, text)


def _order(problem: Problem) -> tuple[int, str, str]:
    return (problem.location.line or 0, problem.field, problem.message)


def case_text(document: Mapping[str, Any], source: str, raw: bytes) -> str:
    """The case document as a case file (YAML), with where it came from in a comment."""
    name = source.rsplit("/", 1)[-1]
    shown = name if is_echoable(name) else "a FHIR file"
    digest = hashlib.sha256(raw).hexdigest()
    header = (
        f"# Imported by `neuroseq fhir import` from {shown} (sha256 {digest}),\n"
        f"# a QuestionnaireResponse answering {canonical()}.\n"
    )
    return header + _yaml(document)


def _yaml(document: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(document), sort_keys=False, allow_unicode=True, width=100)
