"""The fact vocabulary rules can name, and the facts asserted for one case.

:data:`FACT_TYPES` is the single list of fact types and fields that
conditions may test (``rules/README.md`` documents it for trainers and a
test keeps the two in step). :func:`case_facts` turns a scored case and the
catalogue into plain dict facts, each with a ``type`` and a unique ``id``.

Some fields are *derived* before assertion so that no rule ever needs an
ordering comparison between two facts (which crashes durable_rules 2.0.28):
an intervention fact carries, for this client, whether it is a current
service, declined, matches an interest, and the client's developmental age
in the intervention's domains.

List-valued catalogue attributes (``targets``, ``domains``, ``settings``,
``interest_tags``) are asserted as flags ``<field>__<value>: true|false`` so
that ``contains`` compiles to an equality test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from neuroseq.catalog.model import Catalog, Intervention
from neuroseq.engine.conditions import client_conditions
from neuroseq.engine.memo import per_object
from neuroseq.engine.planning import DEFAULT_PLANNING, PlanningSettings
from neuroseq.engine.profile_facts import cmr_opens_at
from neuroseq.scoring.case import PERIODS, Case
from neuroseq.scoring.items import ITEM_IDS, REGIONS
from neuroseq.vocabulary import (
    ACTIONS,
    AUDIENCES,
    BANDS,
    CMR_BANDS,
    DOMAINS,
    IMPAIRMENTS,
    PHASES,
)

__all__ = [
    "DOMAINS",
    "FACT_TYPES",
    "applicable_cautions",
    "FactField",
    "FactType",
    "case_facts",
    "catalog_facts",
    "flag",
]

RISK_CATEGORIES = ("low", "moderate", "high", "very_high", "not_assessed")
MODES = ("somatosensory", "relational", "cognitive", "systemic")
SETTINGS = ("home", "school", "clinic", "community", "residential")
METRICS = ("full", "follow_up", "er")
RESERVE_CATEGORIES = ("depleted", "strained", "adequate", "strong")
KNOWN = ("yes", "no", "unknown")
PLACEMENT_KINDS = (
    "biological",
    "foster",
    "kinship",
    "adoptive",
    "residential",
    "shelter",
    "independent",
    "other",
    "unknown",
)
PLACEMENT_TYPES = ("biological", "foster", "kinship", "adoptive", "respite")


@dataclass(frozen=True)
class FactField:
    """One field a condition can test: its kind and the values or range it allows."""

    name: str
    kind: str  # "number", "text", "bool", "list"
    doc: str
    values: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    static: bool = False  # known at compile time (catalogue attributes)


@dataclass(frozen=True)
class FactType:
    """A kind of fact: its fields and, for fixed sets, the ids it can have."""

    name: str
    doc: str
    fields: tuple[FactField, ...]
    ids: tuple[str, ...] = ()  # empty: ids are open (the catalogue's)
    single: bool = True  # exactly one fact per id is always asserted

    def field(self, name: str) -> FactField | None:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        return None


def _num(name: str, doc: str, low: float | None = None, high: float | None = None) -> FactField:
    return FactField(name, "number", doc, low=low, high=high)


def _text(name: str, doc: str, values: Sequence[str] = ()) -> FactField:
    return FactField(name, "text", doc, values=tuple(values))


def _bool(name: str, doc: str) -> FactField:
    return FactField(name, "bool", doc)


_LEVEL = (
    _num("score", "the client's score (item) or sum of scores (region, domain)", 0, 384),
    _num("typical", "the typical score for a same-age peer", 0, 384),
    _num("ratio", "score / typical (1.0 = typical for age)", 0, 10),
    _text(
        "impairment",
        "significant, moderate or typical against a same-age peer (cut-offs: the norms file)",
        IMPAIRMENTS,
    ),
)
_DEV = (
    _num("developmental_age", "age in years at which a typical peer scores the same", 0, 99),
    _bool("at_or_above_age", "true when the client reaches the typical score for their age"),
    _num("age_gap", "chronological age minus developmental age, in years", 0, 99),
)

_INTERVENTION_STATIC = (
    _text("audience", "who the intervention is for", AUDIENCES),
    _text("mode", "how it works", MODES),
    _text("phase", "client phase (none for family and web items)", (*PHASES, "none")),
    FactField("targets", "list", "brain regions it targets", values=REGIONS, static=True),
    FactField("domains", "list", "functional domains it serves", values=DOMAINS, static=True),
    FactField("settings", "list", "where it can happen", values=SETTINGS, static=True),
    FactField("interest_tags", "list", "interests it fits", static=True),
    _num("min_developmental_age", "minimum developmental age in its domains, years", 0, 25),
    _num("min_cmr", "minimum CMR (0 when none is set)", 0, 20),
    _bool("relational", "6 R's: relational"),
    _bool("relevant", "6 R's: relevant"),
    _bool("repetitive", "6 R's: repetitive"),
    _bool("rewarding", "6 R's: rewarding"),
    _bool("rhythmic", "6 R's: rhythmic"),
    _bool("respectful", "6 R's: respectful"),
    FactField(
        "sustained_relational",
        "bool",
        "a relate-phase therapy that needs sustained relational interaction (held as next "
        "while the lower levels are significantly impaired and the CMR is below 1.0)",
        static=True,
    ),
)

FACT_TYPES: dict[str, FactType] = {
    t.name: t
    for t in (
        FactType(
            "item",
            "one of the 32 brain-mediated functions",
            (
                _text("region", "the item's brain region", REGIONS),
                _num("score", "the client's score, 0-12", 0, 12),
                _num("typical", "typical score for a same-age peer, 0-12", 0, 12),
                _num("ratio", "score / typical", 0, 10),
                _text("band", "colour band of the score", BANDS),
                _text("impairment", "significant, moderate or typical", IMPAIRMENTS),
            ),
            ids=ITEM_IDS,
        ),
        FactType(
            "region",
            "a brain region, bottom-up: brainstem (level 1) to frontal_cortex (level 5)",
            (*_LEVEL, *_DEV, _num("level", "1 brainstem ... 5 frontal_cortex", 1, 5)),
            ids=REGIONS,
        ),
        FactType("domain", "a functional domain", (*_LEVEL, *_DEV), ids=DOMAINS),
        FactType(
            "cmr",
            "the cortical modulation ratio (id: cmr)",
            (
                _num("value", "the client's CMR", 0, 100),
                _num("typical", "the CMR of a typical same-age peer", 0, 100),
                _text(
                    "band",
                    "against the published floor alone: deferred, brief_segments or "
                    "available (thresholds: the norms file's cmr section)",
                    CMR_BANDS,
                ),
                _num("age_ratio", "value / typical: the CMR against a same-age peer's", 0, 100),
                _num(
                    "opens_at",
                    "the CMR at which a deferred gate opens: 1.0, or what is typical for age "
                    "(planning cmr_for_age x typical) when that is lower, as for a young child",
                    0,
                    100,
                ),
                _text(
                    "gate",
                    "what cognitive-predominant work may do, weighing the floor and the age: "
                    "available when the band is or the CMR is typical for age (age_ratio at or "
                    "above the moderate impairment cut-off), else the band",
                    CMR_BANDS,
                ),
            ),
            ids=("cmr",),
        ),
        FactType(
            "risk",
            "developmental risk from history: one per period given, and overall",
            (
                _num("value", "timing-weighted risk, 0-1", 0, 1),
                _text(
                    "category",
                    "low, moderate, high, very_high (not_assessed without history)",
                    RISK_CATEGORIES,
                ),
            ),
            ids=(*PERIODS, "overall"),
            single=False,
        ),
        FactType(
            "relational_health",
            "current relational health, Part D, each 0-3 (id: current); -1 when not given",
            (
                _num("family", "family connections", -1, 3),
                _num("peers", "peer connections", -1, 3),
                _num("school", "school connections", -1, 3),
                _num("community", "community connections", -1, 3),
                _bool("assessed", "true when Part D was given"),
            ),
            ids=("current",),
        ),
        FactType(
            "client",
            "the client and context (id: client)",
            (
                _num("age", "chronological age in years", 0, 99),
                _text("metric", "full, follow_up or er", METRICS),
                _bool(
                    "at_school",
                    "true when a school setting is given that names a school, college or "
                    "nursery (not 'none', 'at home' or work: planning not_at_school_words)",
                ),
                _num(
                    "placements_count",
                    "out-of-home placements so far (-1 when not given: unknown)",
                    -1,
                    200,
                ),
                _num(
                    "siblings_in_home",
                    "siblings living in the home (-1 when not given: unknown)",
                    -1,
                    30,
                ),
                _text("sibling_conflict", "siblings in conflict: yes, no or unknown", KNOWN),
                _text(
                    "caregiver_trauma_informed",
                    "caregiver already trauma-informed: yes, no or unknown",
                    KNOWN,
                ),
                _text(
                    "caregiver_own_adversity",
                    "caregiver has their own history of adversity: yes, no or unknown",
                    KNOWN,
                ),
                _text(
                    "placement_kind",
                    "the placement read from its words (residential: unit, group or children's "
                    "home; shelter: shelter or emergency placement; independent: lives on their own, "
                    "e.g. supported housing); unknown when not given",
                    PLACEMENT_KINDS,
                ),
                _text(
                    "trauma_exposure",
                    "the history records adversity of severity 2 or more in some period: yes, "
                    "no (a history is given and none does) or unknown (no history)",
                    KNOWN,
                ),
                _num(
                    "psychotropic_count",
                    "current psychotropic medications (client.medications)",
                    0,
                    50,
                ),
                _text(
                    "worst_impairment",
                    "the worst impairment of any region or domain: significant, moderate or typical",
                    IMPAIRMENTS,
                ),
                _num("current_services", "number of current services", 0, 100),
                _text(
                    "lowest_impaired_region",
                    "lowest significantly impaired region, or none",
                    (*REGIONS, "none"),
                ),
                _num("lowest_impaired_level", "its level 1-5, or 0 when none", 0, 5),
                _text("start_phase", "phase the client sequence starts in", (*PHASES, "none")),
                _bool("has_previous", "a previous assessment was given (follow-up)"),
                _num(
                    "cmr_change",
                    "CMR now minus CMR at the previous assessment (0 without one)",
                    -100,
                    100,
                ),
                _text(
                    "placement",
                    "the placement as written in the case (free text; '' when not given)",
                ),
                _text(
                    "school_setting", "the school setting as written (free text; '' when not given)"
                ),
                FactField(
                    "interests", "list", "the client's stated interests, lower case (contains only)"
                ),
                FactField("services", "list", "catalogue ids of current services"),
                FactField("declined", "list", "catalogue ids the client or family declined"),
            ),
            ids=("client",),
        ),
        FactType(
            "intervention",
            "a catalogue intervention, with what it means for this client",
            (
                *_INTERVENTION_STATIC,
                _bool("current", "the client receives it now (current_services)"),
                _bool("declined", "the client or family declined it"),
                _bool("interest_match", "it fits one of the client's interests"),
                _num(
                    "domain_developmental_age",
                    "client's developmental age in the domain the activity demands (its domain)",
                    0,
                    99,
                ),
                _bool("developmentally_ready", "domain_developmental_age >= min_developmental_age"),
                _bool("cmr_ready", "the client's CMR >= min_cmr"),
                _bool(
                    "cmr_gated",
                    "cognitive-predominant for this client: a reason-phase entry and the client "
                    "at least its cmr_gated_from_age",
                ),
                _bool("age_fit", "the client's chronological age is inside the entry's ages"),
                _text("ages", "the entry's ages in words, e.g. 'ages 2 to 7'"),
                _bool(
                    "contraindicated", "an 'exclude' caution of the entry applies to this client"
                ),
                _bool("held", "a 'hold' caution of the entry applies to this client"),
                _text("exclude_reason", "the text of the first exclude caution that applies"),
                _text("hold_reason", "the text of the first hold caution that applies"),
                _text(
                    "previous_action",
                    "what the previous plan said (follow-up), or none",
                    (*ACTIONS, "none"),
                ),
            ),
            single=False,
        ),
        FactType(
            "caregiver",
            "the caregiving reserve of the home (id: caregiver); asserted only when a "
            "caregiver file is given (neuroseq plan --caregiver, neuroseq cce)",
            (
                _num("reserve", "resources minus challenge, in points", -1000, 100),
                _text(
                    "reserve_category",
                    "depleted, strained, adequate or strong (cut-offs: caregiver weights)",
                    RESERVE_CATEGORIES,
                ),
                _num("challenge", "challenge points of the children and household", 0, 1000),
                _num("internal", "internal resources, 0-100", 0, 100),
                _num("external", "external resources, 0-100", 0, 100),
                _num("resources", "internal and external resources combined, 0-100", 0, 100),
                _text("placement_type", "the kind of placement", PLACEMENT_TYPES),
                _num("children", "number of children in the home", 0, 12),
                _num("highest_child_severity", "the most affected child's severity, 0-1", 0, 1),
                _num("household_points", "challenge points of other household demands", 0, 1000),
                *(
                    _num(name, doc, 0, 3)
                    for name, doc in (
                        ("physical_health", "rating 0-3 (3 good)"),
                        ("mental_health", "rating 0-3 (3 good)"),
                        ("own_adversity_history", "rating 0-3 (3 severe; reverse-scored)"),
                        ("parenting_experience", "rating 0-3 (3 extensive)"),
                        ("trauma_informed_knowledge", "rating 0-3 (3 trained and practised)"),
                        ("regulation_under_stress", "rating 0-3 (3 reliably regulated)"),
                        ("current_stress", "rating 0-3 (3 severe; reverse-scored)"),
                        ("co_caregiver", "rating 0-3 (3 strong)"),
                        ("extended_family", "rating 0-3 (3 strong)"),
                        ("respite_access", "rating 0-3 (3 strong)"),
                        ("community_faith", "rating 0-3 (3 strong)"),
                        ("financial_stability", "rating 0-3 (3 strong)"),
                        ("service_access", "rating 0-3 (3 strong)"),
                        ("school_partnership", "rating 0-3 (3 strong)"),
                    )
                ),
            ),
            ids=("caregiver",),
            single=False,
        ),
    )
}


def flag(field: str, value: str) -> str:
    """The flag key asserted for one value of a list field: ``targets__brainstem``."""
    return f"{field}__{value}"


def _intervention_static(item: Intervention, all_tags: Sequence[str]) -> dict[str, Any]:
    fact: dict[str, Any] = {
        "type": "intervention",
        "id": item.id,
        "name": item.name,
        "audience": item.audience,
        "mode": item.mode,
        "phase": item.phase or "none",
        "min_developmental_age": float(item.min_developmental_age),
        "min_cmr": float(item.min_cmr or 0.0),
        "sustained_relational": item.sustained_relational,
    }
    fact.update(item.six_rs.flags())
    lists: Mapping[str, tuple[Sequence[str], Sequence[str]]] = {
        "targets": (REGIONS, item.targets),
        "domains": (DOMAINS, item.domains),
        "settings": (SETTINGS, item.settings),
    }
    for field, (universe, chosen) in lists.items():
        for value in universe:
            fact[flag(field, value)] = value in chosen
    # Every tag in the catalogue gets a flag on every entry, so that `lacks`
    # compiles to a test on a field that is always there.
    for tag in all_tags:
        fact[flag("interest_tags", tag)] = tag in item.interest_tags
    return fact


def catalog_facts(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """The case-independent part of every intervention fact, by id."""
    tags = sorted({tag for item in catalog.interventions for tag in item.interest_tags})
    return {item.id: _intervention_static(item, tags) for item in catalog.interventions}


class _Entry(NamedTuple):
    """What :func:`case_facts` needs of one catalogue entry, worked out once."""

    id: str
    domain: str | None
    min_developmental_age: float
    min_cmr: float
    tags: frozenset[str]
    ages_min: float
    ages_max: float | None
    ages_words: str
    cognitive: bool
    cmr_gated_from_age: float
    # (condition, text) of the exclude and the hold cautions, in catalogue order
    excludes: tuple[tuple[str, str], ...]
    holds: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _CatalogIndex:
    """What :func:`case_facts` needs of every catalogue entry, worked out once."""

    entries: tuple[_Entry, ...]
    # (intervention id, its ``services__`` flag, its ``declined__`` flag) per entry
    flags: tuple[tuple[str, str, str], ...]


@per_object(limit=16)  # each entry holds its catalogue alive; a process needs few
def _catalog_index(catalog: Catalog) -> _CatalogIndex:
    return _CatalogIndex(
        tuple(
            _Entry(
                item.id,
                item.demanded_domain,
                item.min_developmental_age,
                item.min_cmr or 0.0,
                frozenset(tag.lower() for tag in item.interest_tags),
                item.ages.min,
                item.ages.max,
                item.ages.words(),
                item.is_cognitive_predominant,
                item.cmr_gated_from_age,
                tuple((c.if_, c.text) for c in item.all_cautions if c.then == "exclude"),
                tuple((c.if_, c.text) for c in item.all_cautions if c.then == "hold"),
            )
            for item in catalog.interventions
        ),
        tuple(
            (item_id, flag("services", item_id), flag("declined", item_id))
            for item_id in catalog.ids
        ),
    )


_FlagPairs = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]
_FLAG_CACHE: dict[tuple[int, frozenset[str] | None], tuple[_CatalogIndex, _FlagPairs]] = {}


def _client_flags(index: _CatalogIndex, fields: set[str] | None) -> _FlagPairs:
    """The (id, flag) pairs of the client's ``services__`` and ``declined__`` flags a
    rule reads (all of them when ``fields`` is None), worked out once per catalogue
    and field set: a rule base usually reads none, and the loop ran for every entry."""
    wanted = None if fields is None else frozenset(fields)
    key = (id(index), wanted)
    found = _FLAG_CACHE.get(key)
    if found is not None and found[0] is index:
        return found[1]
    pairs: _FlagPairs = (
        tuple((i, s) for i, s, _d in index.flags if wanted is None or s in wanted),
        tuple((i, d) for i, _s, d in index.flags if wanted is None or d in wanted),
    )
    if len(_FLAG_CACHE) >= 64:
        _FLAG_CACHE.clear()
    _FLAG_CACHE[key] = (index, pairs)
    return pairs


def _first_applying(
    cautions: Sequence[tuple[str, str]], conditions: frozenset[str], requested: bool
) -> str:
    """The text of the first (condition, text) caution that holds for this client, or ''."""
    for condition, text in cautions:
        if condition in conditions or (condition == "not_requested" and not requested):
            return text
    return ""


def applicable_cautions(
    cautions: Sequence[tuple[str, str, str]], conditions: frozenset[str], requested: bool
) -> list[tuple[str, str, str]]:
    """The (condition, effect, text) cautions of an entry that apply to this client."""
    return [
        c for c in cautions if c[0] in conditions or (c[0] == "not_requested" and not requested)
    ]


def case_facts(
    case: Case,
    profile: Any,
    catalog: Catalog,
    *,
    static: Mapping[str, Mapping[str, Any]] | None = None,
    previous: Mapping[str, str] | None = None,
    previous_cmr: float | None = None,
    wanted: Mapping[str, frozenset[str] | None] | None = None,
    fields: Mapping[str, set[str]] | None = None,
    planning: PlanningSettings = DEFAULT_PLANNING,
    keep: frozenset[str] = frozenset(),
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """All facts for one case. ``wanted`` limits them to types (and ids) rules use.

    Intervention facts are always kept (assembly reads them); ``keep`` names
    other fact types to keep whether or not a rule uses them. ``overrides``
    (rule tests only) replaces fields of scored facts before the intervention
    facts are worked out from them (see :func:`override_facts`).
    """
    from neuroseq.engine.profile_facts import profile_facts

    facts = profile_facts(case, profile, previous_cmr=previous_cmr, planning=planning)
    if overrides:
        facts = override_facts(facts, overrides, planning)
    by_id = {f["id"]: f for f in facts}
    client = by_id["client"]
    conditions = client_conditions(case, by_id)
    client["placement"] = case.client.placement or ""
    client["school_setting"] = case.client.school_setting or ""
    for word in case.client.interests:
        client[flag("interests", word.strip().lower())] = True
    client_fields = fields.get("client") if fields is not None else None
    index = _catalog_index(catalog)
    current = set(case.current_services)
    declined = set(case.client.declined)
    services_flags, declined_flags = _client_flags(index, client_fields)
    for item_id, service_key in services_flags:
        client[service_key] = item_id in current
    for item_id, declined_key in declined_flags:
        client[declined_key] = item_id in declined
    static = static if static is not None else catalog_facts(catalog)
    interests = {word.strip().lower() for word in case.client.interests}
    # the developmental age each entry is matched to, rounded once per domain
    domain_ages = {f["id"]: f["developmental_age"] for f in facts if f["type"] == "domain"}
    rounded_ages = {domain: round(age, 2) for domain, age in domain_ages.items()}
    cmr = by_id["cmr"]["value"]
    previous = previous or {}
    client_age = case.client.age
    rounded_client_age = round(client_age, 2)
    requested = set(case.client.requested)
    for (
        item_id,
        domain,
        min_developmental_age,
        min_cmr,
        tags,
        ages_min,
        ages_max,
        ages_words,
        cognitive,
        cmr_gated_from_age,
        excludes,
        holds,
    ) in index.entries:
        # The domain the activity demands is the one whose developmental age
        # it must match (the 6 R's: relevant).
        if domain and domain in domain_ages:
            age = domain_ages[domain]
            shown_age = rounded_ages[domain]
        else:
            age = client_age
            shown_age = rounded_client_age
        exclude = hold = ""
        if excludes:
            exclude = _first_applying(excludes, conditions, item_id in requested)
        if holds:
            hold = _first_applying(holds, conditions, item_id in requested)
        fact = {
            **static[item_id],
            "current": item_id in current,
            "declined": item_id in declined,
            "interest_match": not interests.isdisjoint(tags),
            "domain_developmental_age": shown_age,
            "developmentally_ready": age >= min_developmental_age,
            "cmr_ready": cmr >= min_cmr,
            "cmr_gated": cognitive and client_age >= cmr_gated_from_age,
            "age_fit": ages_min <= client_age and (ages_max is None or client_age < ages_max),
            "ages": ages_words,
            "contraindicated": bool(exclude),
            "held": bool(hold),
            "exclude_reason": exclude,
            "hold_reason": hold,
            "previous_action": previous.get(item_id, "none"),
        }
        if overrides:
            fact.update(overrides.get(f"intervention.{item_id}", {}))
        facts.append(fact)
    if wanted is None:
        return facts
    kept = []
    for fact in facts:
        kind = fact["type"]
        if kind == "intervention" or kind in keep:
            kept.append(fact)
            continue
        if kind not in wanted:
            continue
        ids = wanted[kind]
        if ids is None or fact["id"] in ids:
            kept.append(fact)
    return kept


def override_facts(
    facts: list[dict[str, Any]],
    overrides: Mapping[str, Mapping[str, Any]],
    planning: PlanningSettings = DEFAULT_PLANNING,
) -> list[dict[str, Any]]:
    """Scored facts with fields replaced (rule tests: ``given: {facts: ...}``).

    Keys are ``type.id`` or ``type``: ``{"cmr": {"value": 0.8}}``. A CMR whose
    value is replaced gets its band and gate worked out again unless given too.
    """
    out = []
    for fact in facts:
        for key in (f"{fact['type']}.{fact['id']}", fact["type"]):
            if key in overrides:
                fact = {**fact, **overrides[key]}
                if fact["type"] == "cmr" and "value" in overrides[key]:
                    _recompute_cmr(fact, overrides[key], planning)
                break
        out.append(fact)
    return out


def _recompute_cmr(
    fact: dict[str, Any], given: Mapping[str, Any], planning: PlanningSettings
) -> None:
    value = float(fact["value"])
    typical = float(fact["typical"])
    if "band" not in given:
        fact["band"] = (
            "deferred" if value < 1.0 else "brief_segments" if value < 2.0 else "available"
        )
    if "age_ratio" not in given:
        fact["age_ratio"] = round(value / typical, 2) if typical > 0 else 0.0
    if "opens_at" not in given:
        fact["opens_at"] = cmr_opens_at(typical, planning.cmr_for_age)
    if "gate" not in given:
        typical_for_age = typical > 0 and value >= planning.cmr_for_age * typical
        fact["gate"] = "available" if typical_for_age else fact["band"]
