"""Plain-text views of the catalogue for ``neuroseq catalog list`` and ``show``.

Pure functions from catalogue values to text; the CLI only prints them.
The list follows the order a plan reads: therapeutic web, family, then the
client by phase (regulate, relate, reason).
"""

from __future__ import annotations

from neuroseq.catalog.model import AUDIENCES, PHASES, Catalog, Intervention

__all__ = ["render_catalog_list", "render_intervention"]

_AUDIENCE_TITLES = {
    "therapeutic_web": "Therapeutic web",
    "family": "Family",
    "client": "Client",
}


def _group_key(item: Intervention) -> tuple[int, int]:
    phase_rank = PHASES.index(item.phase) if item.phase is not None else -1
    return AUDIENCES.index(item.audience), phase_rank


def _kind(item: Intervention) -> str:
    return f"{item.phase}/{item.mode}" if item.phase is not None else item.mode


def render_catalog_list(catalog: Catalog) -> str:
    """One line per intervention (id, audience, phase/mode, name), grouped by audience then phase.

    Within a group entries keep their file order.
    """
    items = sorted(catalog.interventions, key=_group_key)
    id_width = max(len(item.id) for item in items)
    audience_width = max(len(item.audience) for item in items)
    kind_width = max(len(_kind(item)) for item in items)
    lines = [f"Catalogue {catalog.version}: {len(items)} interventions"]
    current: tuple[int, int] | None = None
    for item in items:
        key = _group_key(item)
        if key != current:
            current = key
            title = _AUDIENCE_TITLES[item.audience]
            if item.phase is not None:
                title += f" - {item.phase}"
            lines += ["", f"{title}:"]
        lines.append(
            f"  {item.id:<{id_width}}  {item.audience:<{audience_width}}  "
            f"{_kind(item):<{kind_width}}  {item.name}"
        )
    return "\n".join(lines) + "\n"


def _list(values: tuple[str, ...]) -> str:
    return ", ".join(values) if values else "-"


def render_intervention(intervention: Intervention) -> str:
    """Every field of one intervention, labelled, for a clinician to read."""
    item = intervention
    cmr = f"{item.min_cmr}" if item.min_cmr is not None else "- (no CMR gate)"
    fields = [
        ("Audience", item.audience),
        ("Mode", item.mode),
        ("Phase", item.phase or "- (not a client phase)"),
        ("Targets (regions)", _list(item.targets)),
        ("Domains", _list(item.domains)),
        ("Demands (domain)", item.demanded_domain or "-"),
        ("Works on (items)", _list(item.works_on)),
        ("Ages", item.ages.words()),
        ("Min. developmental age", f"{item.min_developmental_age} years"),
        (
            "Max. developmental age",
            f"{item.max_developmental_age} years"
            if item.max_developmental_age is not None
            else "-",
        ),
        ("Min. CMR", cmr),
        ("Settings", _list(item.settings)),
        ("Frequency", item.dosing.frequency),
        ("Episode", item.dosing.episode),
        ("Interest tags", _list(item.interest_tags)),
        ("Overlap groups", _list(item.overlap)),
        ("Responsible", _list(item.responsible)),
        ("Review", item.review or "-"),
        ("Older form", item.older_form or "-"),
    ]
    width = max(len(label) for label, _ in fields) + 1
    lines = [f"{item.name} ({item.id})", f"  {item.summary}", ""]
    lines += [f"{label + ':':<{width}}  {value}" for label, value in fields]
    lines += ["", "The 6 R's:"]
    for name, r in (
        ("relational", item.six_rs.relational),
        ("relevant", item.six_rs.relevant),
        ("repetitive", item.six_rs.repetitive),
        ("rewarding", item.six_rs.rewarding),
        ("rhythmic", item.six_rs.rhythmic),
        ("respectful", item.six_rs.respectful),
    ):
        lines.append(f"  {name:<11} {'yes' if r.value else 'no ':<3}  {r.how}")
    lines += ["", "Cautions (when it applies: what it does):"]
    lines += [f"  - {c.if_}: {c.then}: {c.text}" for c in item.all_cautions] or ["  - none listed"]
    lines += [
        "",
        "Evidence:",
        f"  {item.evidence.note}",
        f"  Source: {item.evidence.source}",
    ]
    return "\n".join(lines) + "\n"
