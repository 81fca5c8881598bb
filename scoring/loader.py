"""Load a case file strictly: YAML or JSON in, a validated :class:`Case` out.

Schema problems come from pydantic; cross-field problems (history needed,
periods beyond the client's age, repeated periods, unknown catalogue ids)
are checked here on the raw data as well, so they are reported with their
own lines even when other fields are wrong. Every problem is collected and
raised together as one :class:`~neuroseq.errors.CaseError`.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Collection
from pathlib import Path
from typing import Any

from neuroseq.errors import CaseError, Problem
from neuroseq.scoring.case import PERIOD_START_YEARS, Case
from neuroseq.source import (
    SourceDocument,
    load_document,
    validate_document,
)

__all__ = ["case_from_document", "load_case"]


def load_case(path: Path | str, *, catalog_ids: Collection[str] | None = None) -> Case:
    """Read, parse and validate one case file; ``catalog_ids`` checks service ids."""
    doc = load_document(path, error=CaseError, keep_going=True)
    return case_from_document(doc, catalog_ids=catalog_ids)


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
    return validate_document(
        doc,
        Case,
        error=CaseError,
        expected="schema, metric, client, cns ...",
        checks=lambda data: [*doc.problems, *_cross_field_problems(doc, data, catalog_ids)],
    )


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
    if isinstance(client, dict) and isinstance(client.get("age_years"), int | float):
        from_dates = _raw_age({k: v for k, v in client.items() if k != "age_years"})
        if from_dates is not None and abs(from_dates - float(client["age_years"])) > 0.5:
            problems.append(
                doc.problem(
                    ("client", "age_years"),
                    f"age_years {client['age_years']} disagrees with date_of_birth and "
                    f"assessment_date ({from_dates:.1f} years); give one or make them agree",
                )
            )
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
        known = sorted(catalog_ids)
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
                    problems.append(doc.problem((*key, index), _unknown_id_message(value, known)))
    return problems


def _unknown_id_message(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else "; see `neuroseq catalog list`"
    return f"unknown catalogue id '{value}'{hint}"
