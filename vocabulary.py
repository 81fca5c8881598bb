"""The project's one vocabulary: every closed set of words, defined once.

Who an item is for, the client phases, the four published functional
domains, the brain regions bottom-up, the actions a plan can take, colour
bands, impairment levels, what the CMR allows, developmental periods, the
6 R's, what a case store records of a plan's follow-through (fidelity
statuses, clinician decisions and the reasons for an override), and the
statement every plan, report and page carries. Each comes
as a ``Literal`` type (for models and type checks) and a tuple in its reading
order (for loops, schemas and messages). Every other
module imports them from here; none types them out again. The numbers behind
bands, impairment and the CMR are not here: they are data (the norms file).
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "SHORT_STATEMENT",
    "STATEMENT",
    "ACTIONS",
    "ACTIVE_ACTIONS",
    "AUDIENCES",
    "DECISIONS",
    "FIDELITY_STATUSES",
    "OVERRIDE_REASONS",
    "BANDS",
    "CMR_BANDS",
    "DOMAINS",
    "GATE_ACTIONS",
    "IMPAIRMENTS",
    "PERIODS",
    "PHASES",
    "REGIONS",
    "ROLES",
    "SIX_RS",
    "Action",
    "Audience",
    "Band",
    "CmrBand",
    "Decision",
    "Domain",
    "FidelityStatus",
    "Impairment",
    "Period",
    "Phase",
    "OverrideReason",
    "Region",
    "Role",
]

Audience = Literal["therapeutic_web", "family", "client"]
AUDIENCES: tuple[Audience, ...] = ("therapeutic_web", "family", "client")
"""Who an item is for, in the order a plan lists them."""

Phase = Literal["regulate", "relate", "reason"]
PHASES: tuple[Phase, ...] = ("regulate", "relate", "reason")
"""Client phases in sequence order: regulate, then relate, then reason."""

Domain = Literal["sensory_integration", "self_regulation", "relational", "cognitive"]
DOMAINS: tuple[Domain, ...] = ("sensory_integration", "self_regulation", "relational", "cognitive")
"""The four published functional domains, in the order a plan lists them."""

Region = Literal["brainstem", "diencephalon_cerebellum", "limbic", "cortex", "frontal_cortex"]
REGIONS: tuple[Region, ...] = (
    "brainstem",
    "diencephalon_cerebellum",
    "limbic",
    "cortex",
    "frontal_cortex",
)
"""Brain regions bottom-up: the order the brain develops and the order plans climb."""

Action = Literal["avoid", "suspend", "defer", "resume", "continue", "recommend"]
ACTIONS: tuple[Action, ...] = ("avoid", "suspend", "defer", "resume", "continue", "recommend")
"""What a rule can do to an intervention, strongest first (the conflict policy)."""
ACTIVE_ACTIONS: tuple[Action, ...] = ("recommend", "continue", "resume")
"""Actions that ask the client, family or school to do something now (the budget counts them)."""
GATE_ACTIONS: tuple[Action, ...] = ("avoid", "suspend", "defer")
"""Actions a gate may take: they change what another rule proposes."""

Band = Literal["red", "pink", "yellow", "light_green", "green"]
BANDS: tuple[Band, ...] = ("red", "pink", "yellow", "light_green", "green")
"""Colour bands of an item score, lowest first (the cut points are in the norms file)."""

Impairment = Literal["significant", "moderate", "typical"]
IMPAIRMENTS: tuple[Impairment, ...] = ("significant", "moderate", "typical")
"""Impairment against a same-age peer, worst first (the cut-offs are in the norms file)."""

CmrBand = Literal["deferred", "brief_segments", "available"]
CMR_BANDS: tuple[CmrBand, ...] = ("deferred", "brief_segments", "available")
"""What the CMR allows cognitive-predominant work (the thresholds are in the norms file)."""

Period = Literal["perinatal", "infancy", "early_childhood", "childhood", "adolescence", "adulthood"]
PERIODS: tuple[Period, ...] = (
    "perinatal",
    "infancy",
    "early_childhood",
    "childhood",
    "adolescence",
    "adulthood",
)
"""Developmental periods of the history, in time order."""

SIX_RS: tuple[str, ...] = (
    "relational",
    "relevant",
    "repetitive",
    "rewarding",
    "rhythmic",
    "respectful",
)
"""The 6 R's, in the published order."""

FidelityStatus = Literal["done", "partly", "not_done", "declined", "not_started"]
FIDELITY_STATUSES: tuple[FidelityStatus, ...] = (
    "done",
    "partly",
    "not_done",
    "declined",
    "not_started",
)
"""Whether a recommendation was carried out (a fidelity record); ``rating`` 0-3 says how well."""

Decision = Literal["accepted", "overridden"]
DECISIONS: tuple[Decision, ...] = ("accepted", "overridden")
"""A clinician's decision on one recommendation (as CDS Hooks feedback records it)."""

OverrideReason = Literal[
    "clinical_judgement",
    "family_preference",
    "not_available",
    "already_addressed",
    "safety_concern",
    "timing",
    "other",
]
OVERRIDE_REASONS: tuple[OverrideReason, ...] = (
    "clinical_judgement",
    "family_preference",
    "not_available",
    "already_addressed",
    "safety_concern",
    "timing",
    "other",
)
"""Why a clinician overrode a recommendation (the reason code of an override)."""

Role = Literal["clinician", "reviewer", "trainer", "admin"]
ROLES: tuple[Role, ...] = ("clinician", "reviewer", "trainer", "admin")
"""Web app roles: clinicians assess and record; reviewers read and note; trainers check
rules; admins manage users."""


STATEMENT = (
    "neuroseq is an independent implementation of published ideas (Perry & Dobson 2013), "
    "not the official NMT™ Metric. It is decision support: it supports, and never "
    "replaces, clinical judgement."
)
"""What a plan, and every report and page made from it, says it is."""

SHORT_STATEMENT = (
    "neuroseq is an independent implementation of published ideas, not the official "
    "NMT™ Metric; it supports, never replaces, clinical judgement."
)
"""The same, in one line: score reports, comparisons and impact reports."""
