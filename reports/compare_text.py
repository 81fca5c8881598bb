"""Change over time as terminal text: ``neuroseq compare --format text``.

Comparison --render_comparison_text--> text, from the same data as
``compare --format json`` (:func:`neuroseq.reports.compare.comparison_json`),
so the text and the JSON cannot disagree: the assessments in time order, the
CMR at each, regions and domains with their developmental ages, every item
whose score changed, and what each plan does differently from the one before.
Only ids, dates and numbers from the cases are printed (no notes).
"""

from __future__ import annotations

from typing import Any

from neuroseq.reports.compare import Comparison, comparison_json
from neuroseq.reports.score_text import DISCLAIMER

__all__ = ["render_comparison_text"]

_CHANGE_KINDS = (
    ("resumed", "Resumed"),
    ("suspended", "Suspended or deferred"),
    ("new", "New"),
    ("stopped", "Stopped"),
    ("changed", "Changed"),
)


def _safe(text: object) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in str(text))


def _columns(values: list[str], width: int = 7) -> str:
    return "".join(f"{value:>{width}}" for value in values)


def _groups(title: str, rows: list[dict[str, Any]], count: int) -> list[str]:
    lines = [
        f"{title}; developmental age (age #n) at each assessment, '+' = at or above age",
        f"  {'':<26}{_columns([f'#{i}' for i in range(1, count + 1)])}  {'typical':>7}"
        f"  {'change':>7}   {_columns([f'age #{i}' for i in range(1, count + 1)])}"
        f"   {'change':>6}",
    ]
    for row in rows:
        lines.append(
            f"  {_safe(row['title']):<26}{_columns(row['scores'])}  {row['typical']:>7}"
            f"  {row['score_change']:>7}   {_columns(row['developmental_ages'])}"
            f"   {row['developmental_age_change']:>6}"
        )
    return lines


def render_comparison_text(comparison: Comparison) -> str:
    """The comparison as plain text (no colour)."""
    data = comparison_json(comparison)
    assessments = data["assessments"]
    count = len(assessments)
    lines = [
        f"neuroseq compare: client {_safe(data['client_id'])}, {count} assessments "
        f"(typical scores for the latest age, {data['typical_age']:g})",
        "",
        "ASSESSMENTS (in time order)",
    ]
    for entry in assessments:
        date = entry["assessment_date"] or "no date"
        lines.append(
            f"  #{entry['index']}  {_safe(date):<10}  age {entry['age']:5.2f}  "
            f"{entry['metric']:<9}  CMR {entry['cmr']:4.2f} ({entry['cmr_band']}; "
            f"typical {entry['cmr_typical']:.2f})  starts at: {entry['start_phase'] or 'none'}"
        )
    cmr = data["cmr"]
    lines += [
        "",
        f"CMR {' -> '.join(f'{value:.2f}' for value in cmr['values'])} "
        f"(change {cmr['change']:+.2f}; typical for the latest age {cmr['typical_latest']:.2f})",
        "",
        *_groups("REGIONS (sum of item scores, top to bottom)", data["regions"], count),
        "",
        *_groups("DOMAINS", data["domains"], count),
        "",
        "ITEMS THAT CHANGED",
    ]
    changed = [item for item in data["items"] if len(set(item["scores"])) > 1]
    for item in changed:
        lines.append(
            f"  {item['number']:>2} {item['id']:<35}{_columns(item['scores'], 5)}"
            f"  typical {item['typical']:>4}  change {item['change']}"
        )
    if not changed:
        lines.append("  none")
    for step in data["plan_changes"]:
        lines += ["", f"PLAN CHANGES from assessment #{step['from']} to #{step['to']}"]
        empty = True
        for kind, title in _CHANGE_KINDS:
            entries = step.get(kind) or []
            if not entries:
                continue
            empty = False
            lines.append(f"  {title}:")
            for entry in entries:
                lines.append(
                    f"    {entry['intervention']:<36}{_safe(entry['before'])} -> "
                    f"{_safe(entry['after'])}"
                )
        if empty:
            lines.append("  no changes")
    lines += ["", DISCLAIMER]
    return "\n".join(lines) + "\n"
