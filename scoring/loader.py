"""Load a case file strictly: YAML or JSON in, a validated :class:`Case` out.

Schema problems come from pydantic; cross-field problems (history needed,
periods beyond the client's age, repeated periods, unknown catalogue ids)
are checked here on the raw data as well, so they are reported with their
own lines even when other fields are wrong. Every problem is collected and
raised together as one :class:`~neuroseq.errors.CaseError`.

``catalog_ids`` may be a mapping from id to the intervention's name: an
unknown service id is then also matched against the names, so
"Therapeutic drumming" suggests ``drumming``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from neuroseq.errors import CaseError, Problem
from neuroseq.scoring.case import PERIOD_START_YEARS, Case
from neuroseq.source import (
    SourceDocument,
    document_from_bytes,
    is_echoable,
    load_text,
    read_source,
    validate_document,
)

__all__ = ["case_from_document", "load_case", "parse_case", "suggest_catalog_id"]


def load_case(path: Path | str, *, catalog_ids: Collection[str] | None = None) -> Case:
    """Read, parse and validate one case file; ``catalog_ids`` checks service ids."""
    raw = read_source(path, error=CaseError)
    doc = document_from_bytes(raw, str(path), error=CaseError, keep_going=True)
    case = case_from_document(doc, catalog_ids=catalog_ids)
    return case.with_sha256(hashlib.sha256(raw).hexdigest())


def parse_case(
    text: str, source: str = "<text>", *, catalog_ids: Collection[str] | None = None
) -> Case:
    """Parse and validate case text (YAML, or JSON when ``source`` ends in .json).

    ``source`` names the text in every problem (``source:line: field: ...``); the
    case records the SHA-256 of the text's UTF-8 bytes.
    """
    doc = load_text(text, source, error=CaseError, keep_going=True)
    case = case_from_document(doc, catalog_ids=catalog_ids)
    return case.with_sha256(hashlib.sha256(text.encode("utf-8")).hexdigest())


def case_from_document(doc: SourceDocument, *, catalog_ids: Collection[str] | None = None) -> Case:
    """Validate an already parsed document as a case, collecting every problem."""
    data = doc.data
    other = _OTHER_SCHEMAS.get(str(data.get("schema"))) if isinstance(data, dict) else None
    if other is not None:
        # a whole list of "missing key" problems would hide the real mistake
        kind, advice = other
        raise CaseError([doc.problem(("schema",), f"this is {kind}, not a case file: {advice}")])
    # The model's own whole-case checks repeat the cross-field checks, which carry
    # better locations: validate_document keeps the located ones.
    try:
        return validate_document(
            doc,
            Case,
            error=CaseError,
            expected="schema, metric, client, cns ...",
            checks=lambda data: [*doc.problems, *_cross_field_problems(doc, data, catalog_ids)],
        )
    except CaseError as exc:
        # An unknown service id says what the id should look like and suggests
        # one; the model's "use only lower-case letters" on the same entry repeats it.
        unknown = {p.field for p in exc.problems if p.message.startswith(_UNKNOWN_ID)}
        kept = [
            p
            for p in exc.problems
            if not (p.field in unknown and "which is not allowed: use only" in p.message)
        ]
        raise CaseError(kept) from None


_OTHER_SCHEMAS = {
    "neuroseq/caregiver/v1": (
        "a caregiver file",
        "give it as `neuroseq plan CASE --caregiver FILE` or to `neuroseq cce FILE`",
    ),
    "neuroseq/plan/v1": ("a plan written by `neuroseq plan`", "plan the case file it came from"),
    "neuroseq/rules/v1": ("a rule file", "it belongs in a rules folder given as `--rules DIR`"),
    "neuroseq/rulebase/v1": (
        "a rule base manifest",
        "it belongs in a rules folder given as `--rules DIR`",
    ),
    "neuroseq/catalog/v1": ("an intervention catalogue", "give it as `--catalog FILE`"),
    "neuroseq/norms/v1": ("a norms file", "give it as `--norms FILE`"),
}
"""Other neuroseq file kinds, and what to do with them, for a file given as a case."""


def _raw_age(client: Any) -> float | None:
    if not isinstance(client, dict):
        return None
    age = client.get("age_years")
    if isinstance(age, int | float) and not isinstance(age, bool):
        return float(age)
    born, seen = client.get("date_of_birth"), client.get("assessment_date")
    try:
        born = dt.date.fromisoformat(born) if isinstance(born, str) else born
        seen = dt.date.fromisoformat(seen) if isinstance(seen, str) else seen
    except ValueError:
        return None
    if isinstance(born, dt.date) and isinstance(seen, dt.date):
        return (seen - born).days / 365.25
    return None


def _cross_field_problems(
    doc: SourceDocument, data: dict[str, Any], catalog_ids: Collection[str] | None
) -> list[Problem]:
    problems: list[Problem] = []
    history = data.get("history")
    if data.get("metric") == "full" and not history:
        problems.append(
            doc.problem(
                ("history",) if "history" in data else ("metric",),
                "metric 'full' needs a history (Parts A and B); "
                "use metric 'er' for a snapshot without history",
            )
        )
    age = _raw_age(data.get("client"))
    client = data.get("client")
    if isinstance(client, dict):
        message = _age_disagreement(client)
        if message:
            problems.append(doc.problem(("client", "age_years"), message))
    if isinstance(history, list):
        seen: dict[str, int] = {}
        for index, entry in enumerate(history):
            if not isinstance(entry, dict):
                continue
            period = entry.get("period")
            if not isinstance(period, str) or period not in PERIOD_START_YEARS:
                continue
            key: tuple[str | int, ...] = ("history", index, "period")
            if period in seen:
                problems.append(
                    doc.problem(
                        key, f"period '{period}' is given twice (also history[{seen[period]}])"
                    )
                )
            seen.setdefault(period, index)
            start = PERIOD_START_YEARS[period]
            if age is not None and start > age:
                problems.append(
                    doc.problem(
                        key,
                        f"period '{period}' starts at {start:g} years, after the client's "
                        f"age of {age:.1f}; give only periods the client has lived through",
                    )
                )
    if catalog_ids is not None:
        client = data.get("client")
        lists: tuple[tuple[tuple[str, ...], Any], ...] = (
            (("current_services",), data.get("current_services")),
            (("client", "declined"), client.get("declined") if isinstance(client, dict) else None),
            (
                ("client", "requested"),
                client.get("requested") if isinstance(client, dict) else None,
            ),
        )
        for key, values in lists:
            if not isinstance(values, list):
                continue
            for index, value in enumerate(values):
                if isinstance(value, str) and value not in catalog_ids:
                    problems.append(
                        doc.problem((*key, index), _unknown_id_message(value, catalog_ids))
                    )
    return problems


def _age_disagreement(client: Mapping[str, Any]) -> str | None:
    """Why ``age_years`` contradicts the dates, or None when they agree.

    A whole number of years is how old the client is on their last birthday,
    so ``age_years: 13`` agrees with any exact age from 13.0 up to (not
    including) 14. An age with a fraction agrees within half a year.
    """
    given = client.get("age_years")
    if not isinstance(given, int | float) or isinstance(given, bool):
        return None
    born, seen = client.get("date_of_birth"), client.get("assessment_date")
    try:
        born = dt.date.fromisoformat(born) if isinstance(born, str) else born
        seen = dt.date.fromisoformat(seen) if isinstance(seen, str) else seen
    except ValueError:
        return None
    if not (isinstance(born, dt.date) and isinstance(seen, dt.date)) or born > seen:
        return None
    exact = (seen - born).days / 365.25
    birthdays = seen.year - born.year - ((seen.month, seen.day) < (born.month, born.day))
    if float(given).is_integer():
        if int(given) == birthdays:
            return None
        return (
            f"age_years {int(given)} disagrees with date_of_birth and assessment_date, which "
            f"give {birthdays} on the last birthday ({exact:.1f} years); give one or make "
            "them agree"
        )
    if abs(exact - float(given)) <= 0.5:
        return None
    return (
        f"age_years {float(given):g} disagrees with date_of_birth and assessment_date "
        f"({exact:.1f} years); give one or make them agree"
    )


_UNKNOWN_ID = "unknown catalogue id"


def _words(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def suggest_catalog_id(value: str, known: Collection[str] | Mapping[str, str]) -> str | None:
    """The catalogue id a clinician most likely meant by ``value``, or None.

    Tried in order: the same id in other letter case or with spaces for
    underscores (``CBT`` -> ``cbt``); an intervention's name (when ``known``
    maps ids to names: "Therapeutic drumming" -> ``drumming``); an id whose
    words all appear in ``value``; a close spelling of an id or a name.
    """
    ids = sorted(known)
    names = (
        {_words(str(name)): ident for ident, name in known.items()}
        if isinstance(known, Mapping)
        else {}
    )
    plain = _words(value)
    if not plain:
        return None
    if plain in known:
        return plain
    if plain in names:
        return names[plain]
    words = set(plain.split("_"))
    inside = [ident for ident in ids if set(ident.split("_")) <= words]
    if inside:
        return max(inside, key=lambda ident: (len(ident.split("_")), ident))
    close = difflib.get_close_matches(plain, [*ids, *names], n=1, cutoff=0.6)
    if close:
        return names.get(close[0], close[0])
    return None


def _unknown_id_message(value: str, known: Collection[str] | Mapping[str, str]) -> str:
    guess = suggest_catalog_id(value, known)
    if guess is not None:
        name = known.get(guess) if isinstance(known, Mapping) else None
        hint = f"; did you mean '{guess}'" + (f" ({name})?" if name else "?")
    else:
        hint = "; see `neuroseq catalog list`"
    if is_echoable(value):
        return f"{_UNKNOWN_ID} '{value}'{hint}"
    return f"{_UNKNOWN_ID}: ids are lower-case words joined by '_', without spaces{hint}"
