"""The assessment form: its fields, the case document they make, and problems put beside fields.

A clinician never writes YAML: the form's fields are named by the very paths
the case loader names in its problems (``client.age_years``, ``cns.sleep``,
``history[0].adversity``), so :func:`case_document` builds a
``neuroseq/case/v1`` document from them, the loader validates it as it
validates a file, and :func:`problems_by_field` hangs each located problem
beside the field it is about. Values are passed on as typed (a number when
it reads as one, else the text) so the loader, not the form, says what is
wrong. :func:`fields_of` goes the other way, for a follow-up started from
the latest stored assessment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from neuroseq.errors import Problem
from neuroseq.scoring.case import MEDICATION_CLASSES, SENSITIVITIES
from neuroseq.scoring.items import ITEMS
from neuroseq.vocabulary import PERIODS

__all__ = [
    "HOUSEHOLD_FLAGS",
    "LIST_FIELDS",
    "PATTERNS",
    "RELATIONAL_HEALTH",
    "TEXT_FIELDS",
    "FormProblems",
    "case_document",
    "case_text",
    "field_names",
    "fields_of",
    "form_message",
    "problems_by_field",
    "score_document",
]

PATTERNS = ("none", "single", "episodic", "chronic")
RELATIONAL_HEALTH = ("family", "peers", "school", "community")
HOUSEHOLD_FLAGS = ("sibling_conflict", "caregiver_trauma_informed", "caregiver_own_adversity")
TEXT_FIELDS = ("client.sex", "client.placement", "client.school_setting")
LIST_FIELDS = ("client.interests", "client.declined", "client.requested", "current_services")
_HISTORY_NUMBERS = ("adversity", "bonding", "family_support", "community_support")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_INDEX = re.compile(r"\[\d+\]$")


def field_names() -> list[str]:
    """Every field of the form, in its order."""
    names = ["metric", "client.id", "client.age_years", "client.date_of_birth"]
    names += ["client.assessment_date", *TEXT_FIELDS, "client.placements_count"]
    names += [*LIST_FIELDS, "client.sensitivities", "client.medications"]
    names += ["household.siblings_in_home", *(f"household.{f}" for f in HOUSEHOLD_FLAGS)]
    for index, _ in enumerate(PERIODS):
        names += [
            f"history[{index}].include",
            f"history[{index}].pattern",
            f"history[{index}].nature",
        ]
        names += [f"history[{index}].{n}" for n in _HISTORY_NUMBERS]
    names += [f"cns.{item.id}" for item in ITEMS]
    names += [f"relational_health.{f}" for f in RELATIONAL_HEALTH]
    names += ["notes"]
    return names


def _number(text: str) -> Any:
    """A number when ``text`` reads as one (``6`` -> 6, ``6.5`` -> 6.5), else the text."""
    text = text.strip()
    if not _NUMBER.match(text):
        return text
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def _optional_number(fields: Mapping[str, str], name: str) -> Any:
    text = fields.get(name, "").strip()
    return None if text == "" else _number(text)


def _optional_text(fields: Mapping[str, str], name: str) -> str | None:
    text = fields.get(name, "").strip()
    return text or None


def _words(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]


def _flag(text: str) -> bool | None | str:
    return {"": None, "unknown": None, "yes": True, "no": False}.get(text.strip(), text)


def _medications(text: str) -> list[dict[str, str] | str]:
    found: list[dict[str, str] | str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, colon, kind = line.partition(":")
        found.append({"name": name.strip(), "class": kind.strip()} if colon else line.strip())
    return found


def case_document(fields: Mapping[str, str]) -> dict[str, Any]:
    """The ``neuroseq/case/v1`` document the form's fields describe (not yet validated)."""
    client: dict[str, Any] = {"id": fields.get("client.id", "").strip()}
    age = _optional_number(fields, "client.age_years")
    if age is not None:
        client["age_years"] = float(age) if isinstance(age, int) else age
    for name in ("client.date_of_birth", "client.assessment_date", *TEXT_FIELDS):
        value = _optional_text(fields, name)
        if value is not None:
            client[name.split(".", 1)[1]] = value
    count = _optional_number(fields, "client.placements_count")
    if count is not None:
        client["placements_count"] = count
    for name in LIST_FIELDS[:3]:
        client[name.split(".", 1)[1]] = _words(fields.get(name, ""))
    client["sensitivities"] = _words(fields.get("client.sensitivities", ""))
    client["medications"] = _medications(fields.get("client.medications", ""))
    household: dict[str, Any] = {
        "siblings_in_home": _optional_number(fields, "household.siblings_in_home")
    }
    for flag in HOUSEHOLD_FLAGS:
        household[flag] = _flag(fields.get(f"household.{flag}", ""))
    history = []
    for index, period in enumerate(PERIODS):
        if fields.get(f"history[{index}].include", "") not in ("on", "yes", "true", "1"):
            continue
        entry: dict[str, Any] = {"period": period}
        for name in _HISTORY_NUMBERS[:1]:
            entry[name] = _optional_number(fields, f"history[{index}].{name}")
        entry["pattern"] = fields.get(f"history[{index}].pattern", "").strip() or "none"
        entry["nature"] = _words(fields.get(f"history[{index}].nature", ""))
        for name in _HISTORY_NUMBERS[1:]:
            entry[name] = _optional_number(fields, f"history[{index}].{name}")
        history.append(entry)
    document: dict[str, Any] = {
        "schema": "neuroseq/case/v1",
        "metric": fields.get("metric", "").strip() or "full",
        "client": client,
        "current_services": _words(fields.get("current_services", "")),
        "household": household,
        "history": history or None,
        "cns": {item.id: _optional_number(fields, f"cns.{item.id}") for item in ITEMS},
    }
    health = {f: _optional_number(fields, f"relational_health.{f}") for f in RELATIONAL_HEALTH}
    if any(value is not None for value in health.values()):
        document["relational_health"] = health
    notes = fields.get("notes", "").strip()
    if notes:
        document["notes"] = notes
    return document


def case_text(fields: Mapping[str, str]) -> bytes:
    """The case document as YAML text, as the store keeps it."""
    text = "# Written by the neuroseq web app's assessment form.\n" + yaml.safe_dump(
        case_document(fields), sort_keys=False, allow_unicode=True
    )
    return text.encode("utf-8")


def score_document(fields: Mapping[str, str]) -> bytes:
    """Just the age and the 32 scores (an ER snapshot), for the brain map while scoring."""
    document = case_document(fields)
    client = {
        k: v
        for k, v in document["client"].items()
        if k in ("age_years", "date_of_birth", "assessment_date")
    }
    client["id"] = "preview"
    snapshot = {
        "schema": "neuroseq/case/v1",
        "metric": "er",
        "client": client,
        "cns": document["cns"],
    }
    return yaml.safe_dump(snapshot, sort_keys=False).encode("utf-8")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fields_of(document: Mapping[str, Any], *, follow_up: bool = False) -> dict[str, str]:
    """The form's fields for a stored case document (a follow-up: metric and date cleared)."""
    client = document.get("client") or {}
    fields: dict[str, str] = {
        "metric": "follow_up" if follow_up else str(document.get("metric", "full")),
        "client.id": _text(client.get("id")),
        "client.age_years": _text(client.get("age_years")),
        "client.date_of_birth": _text(client.get("date_of_birth")),
        "client.assessment_date": "" if follow_up else _text(client.get("assessment_date")),
        "client.placements_count": _text(client.get("placements_count")),
    }
    if follow_up and client.get("date_of_birth"):
        fields["client.age_years"] = ""
    for name in TEXT_FIELDS:
        fields[name] = _text(client.get(name.split(".", 1)[1]))
    for name in LIST_FIELDS[:3]:
        fields[name] = ", ".join(str(v) for v in client.get(name.split(".", 1)[1]) or ())
    fields["current_services"] = ", ".join(str(v) for v in document.get("current_services") or ())
    fields["client.sensitivities"] = ",".join(str(v) for v in client.get("sensitivities") or ())
    fields["client.medications"] = "\n".join(
        f"{m.get('name', '')}: {m.get('class', '')}" if isinstance(m, Mapping) else str(m)
        for m in client.get("medications") or ()
    )
    household = document.get("household") or {}
    fields["household.siblings_in_home"] = _text(household.get("siblings_in_home"))
    for flag in HOUSEHOLD_FLAGS:
        fields[f"household.{flag}"] = _text(household.get(flag))
    by_period = {entry.get("period"): entry for entry in document.get("history") or ()}
    for index, period in enumerate(PERIODS):
        entry = by_period.get(period)
        if entry is None:
            continue
        fields[f"history[{index}].include"] = "on"
        fields[f"history[{index}].pattern"] = _text(entry.get("pattern"))
        fields[f"history[{index}].nature"] = ", ".join(str(v) for v in entry.get("nature") or ())
        for name in _HISTORY_NUMBERS:
            fields[f"history[{index}].{name}"] = _text(entry.get(name))
    cns = document.get("cns") or {}
    for item in ITEMS:
        fields[f"cns.{item.id}"] = _text(cns.get(item.id))
    health = document.get("relational_health") or {}
    for name in RELATIONAL_HEALTH:
        fields[f"relational_health.{name}"] = _text(health.get(name))
    fields["notes"] = "" if follow_up else _text(document.get("notes"))
    return fields


@dataclass(frozen=True)
class FormProblems:
    """The loader's problems, by form field; those about no one field in ``general``."""

    by_field: dict[str, list[str]]
    general: list[str]

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.by_field.values()) + len(self.general)


def _history_index(field: str, document: Mapping[str, Any]) -> str:
    """``history[1].x`` names the second *included* period; the form names periods by order."""
    match = re.match(r"^history\[(\d+)\](.*)$", field)
    history = document.get("history") or []
    if not match or int(match.group(1)) >= len(history):
        return field
    period = history[int(match.group(1))].get("period")
    if period not in PERIODS:
        return field
    return f"history[{PERIODS.index(period)}]{match.group(2)}"


def problems_by_field(
    problems: Iterable[Problem], fields: Mapping[str, str], names: Iterable[str]
) -> FormProblems:
    """Put each problem beside its field: the field itself, else the nearest enclosing one."""
    known = set(names)
    document = case_document(fields)
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in problems:
        field = _history_index(problem.field, document)
        while field and field not in known:
            if _INDEX.search(field):
                field = _INDEX.sub("", field)
            elif "." in field:
                field = field.rsplit(".", 1)[0]
            else:
                field = ""
        if field == "history":
            field = ""
        if field:
            by_field.setdefault(field, []).append(form_message(field, problem.message))
        else:
            label = f"{problem.field}: " if problem.field else ""
            general.append(label + form_message("", problem.message))
    return FormProblems(by_field, general)


_CATALOG_FIELDS = ("current_services", "client.declined", "client.requested")
_RATED = re.compile(
    r"^(history\[\d+\]\.(adversity|bonding|family_support|community_support)"
    r"|relational_health\.\w+)$"
)


def form_message(field: str, message: str) -> str:
    """The loader's message (written for case files and the CLI) in the form's words.

    The loader's messages stay as they are for files; only their file and command-line
    wording (YAML mappings, ``--replace``, ``neuroseq catalog list``, a bare "a number")
    is said here as the form's fields and controls say it. Nothing typed is added.
    """
    if field == "client.medications" and "a mapping of keys" in message:
        return (
            "write one medication a line as name: class, e.g. methylphenidate: stimulant "
            "(classes: " + ", ".join(MEDICATION_CLASSES) + ")"
        )
    if "Add it with --replace" in message:
        return message.split("Add it with --replace", 1)[0] + (
            "To store this one as a new version (the old version is kept), tick "
            "'replace an assessment already stored for this date' and submit again"
        )
    if "see `neuroseq catalog list`" in message:
        return message.replace(
            "see `neuroseq catalog list`",
            "choose one of the catalogue's ids (offered as you type, and listed under "
            "'The catalogue's ids' in this part of the form)",
        )
    if message.startswith("a number"):
        if field.startswith("cns."):
            return "give a score from 0 to 12 (whole or half points)"
        if _RATED.match(field):
            return "give a rating from 0 to 3 (whole or half points)"
    return message


SENSITIVITY_CHOICES: tuple[str, ...] = tuple(SENSITIVITIES)
MEDICATION_CHOICES: tuple[str, ...] = tuple(MEDICATION_CLASSES)
