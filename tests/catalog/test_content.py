"""The bundled catalogue's content: required ids, coverage and the model's principles."""

from __future__ import annotations

from collections import Counter

import pytest

from neuroseq.catalog.model import PHASE_FOR_MODE, Catalog, Intervention

REQUIRED_IDS = (
    "tf_cbt",
    "tutoring",
    "speech_language_therapy",
    "school_psychoeducation",
    "caregiver_psychoeducation",
    "caregiver_self_care",
    "sibling_inclusion",
    "in_room_aide",
    "regulation_breaks_school",
    "drumming",
    "music_movement",
    "therapeutic_massage",
    "yoga",
    "animal_assisted",
    "play_therapy",
    "emdr",
    "reiki",
    "art_therapy",
    "drama_therapy",
)


@pytest.mark.parametrize("ident", REQUIRED_IDS)
def test_catalog_required_id_exists(catalog: Catalog, ident: str) -> None:
    assert ident in catalog


def test_catalog_has_at_least_45_entries(catalog: Catalog) -> None:
    assert len(catalog.interventions) >= 45


def test_catalog_covers_every_kind(catalog: Catalog) -> None:
    kinds = Counter((item.audience, item.mode) for item in catalog.interventions)
    assert kinds[("client", "somatosensory")] >= 10
    assert kinds[("client", "relational")] >= 8
    assert kinds[("client", "cognitive")] >= 8
    assert kinds[("therapeutic_web", "systemic")] >= 6
    assert kinds[("family", "systemic")] + kinds[("family", "relational")] >= 6


def test_catalog_client_phase_consistent_with_mode(catalog: Catalog) -> None:
    for item in catalog.interventions:
        if item.audience == "client":
            assert item.phase == PHASE_FOR_MODE[item.mode], item.id
        else:
            assert item.phase is None, item.id


def test_catalog_regulating_entries_include_rhythmic_ones(catalog: Catalog) -> None:
    rhythmic = [
        item.id
        for item in catalog.interventions
        if item.phase == "regulate" and item.six_rs.rhythmic.value
    ]
    assert len(rhythmic) >= 3
    assert {"drumming", "music_movement", "rocking_swinging"} <= set(rhythmic)


def test_catalog_regulating_entries_target_lower_brain(catalog: Catalog) -> None:
    for item in catalog.interventions:
        if item.phase == "regulate":
            assert set(item.targets) & {"brainstem", "diencephalon_cerebellum"}, item.id
            assert item.min_cmr is None, item.id


def test_catalog_regulating_entries_mostly_brief_and_frequent(catalog: Catalog) -> None:
    regulating = [item for item in catalog.interventions if item.phase == "regulate"]
    daily = [item.id for item in regulating if "day" in item.dosing.frequency]
    assert len(daily) >= len(regulating) * 2 // 3
    multi_setting = [item.id for item in regulating if len(item.settings) >= 3]
    assert len(multi_setting) >= len(regulating) // 2


def test_catalog_cognitive_entries_gated_on_cmr(catalog: Catalog) -> None:
    cognitive = [item for item in catalog.interventions if item.is_cognitive_predominant]
    assert cognitive
    for item in cognitive:
        assert item.min_cmr == 1.0, item.id
        assert item.min_developmental_age >= 1.0, item.id
    assert catalog.get("tf_cbt").min_developmental_age == 4.0  # TF-CBT is adapted down to age 3
    assert catalog.get("dbt_skills").min_developmental_age == 12.0


def test_catalog_only_cognitive_entries_have_cmr_gate(catalog: Catalog) -> None:
    gated = {item.id for item in catalog.interventions if item.min_cmr is not None}
    assert gated == {item.id for item in catalog.interventions if item.is_cognitive_predominant}


def test_catalog_client_entries_name_domains_and_targets(catalog: Catalog) -> None:
    for item in catalog.interventions:
        if item.audience == "client":
            assert item.domains, item.id
            assert item.targets, item.id


def test_catalog_evidence_cites_no_doi(catalog: Catalog) -> None:
    for item in catalog.interventions:
        assert "doi" not in item.evidence.source.lower(), item.id


def test_catalog_reiki_is_declinable_and_not_rhythmic(catalog: Catalog) -> None:
    reiki = catalog.get("reiki")
    assert reiki.phase == "regulate"
    assert not reiki.six_rs.rhythmic.value
    assert any("decline" in c.text for c in reiki.cautions if c.if_ == "not_requested")


# --- planner fields: aim, age fit, overlap, who and review, cautions as data ---------------


def _client(catalog: Catalog) -> list[Intervention]:
    return [item for item in catalog.interventions if item.audience == "client"]


def _effects(item: Intervention, condition: str) -> set[str]:
    return set(_effects_list(item, condition))


def test_catalog_client_entries_name_their_domain_and_items(catalog: Catalog) -> None:
    for item in _client(catalog):
        assert item.domain is not None, item.id
        assert item.domain in item.domains, item.id
        assert 2 <= len(item.works_on) <= 6, item.id
    for item in catalog.interventions:
        assert len(item.works_on) <= 6, item.id


def test_catalog_domain_is_what_the_activity_demands(catalog: Catalog) -> None:
    expected = {
        "ot_sensory_integration": "sensory_integration",
        "drumming": "self_regulation",
        "play_therapy": "relational",
        "speech_language_therapy": "cognitive",
        "tutoring": "cognitive",
        "tf_cbt": "cognitive",
        "hippotherapy": "sensory_integration",
    }
    for ident, domain in expected.items():
        assert catalog.get(ident).domain == domain, ident


def test_catalog_no_two_client_entries_of_a_phase_share_works_on(catalog: Catalog) -> None:
    seen: dict[tuple[str, frozenset[str]], str] = {}
    for item in _client(catalog):
        key = (str(item.phase), frozenset(item.works_on))
        assert key not in seen, f"{item.id} has the same works_on as {seen.get(key)}"
        seen[key] = item.id


def test_catalog_specific_works_on(catalog: Catalog) -> None:
    assert set(catalog.get("tutoring").works_on) >= {
        "math_symbolic_cognition",
        "reading_verbal",
        "concrete_cognition",
    }
    assert set(catalog.get("speech_language_therapy").works_on) == {
        "communication_expressive_receptive",
        "speech_articulation",
    }
    assert catalog.get("sleep_routine").works_on == ("sleep",)
    assert set(catalog.get("feeding_review").works_on) == {"feeding_appetite", "suck_swallow_gag"}


def test_catalog_every_entry_names_who_and_what_to_review(catalog: Catalog) -> None:
    for item in catalog.interventions:
        assert item.responsible, item.id
        assert item.review and len(item.review) >= 20, item.id


def test_catalog_new_entries_exist_with_their_audience(catalog: Catalog) -> None:
    expected = {
        "sleep_routine": ("family", "caregiver"),
        "feeding_review": ("therapeutic_web", "doctor"),
        "medication_review": ("therapeutic_web", "prescriber"),
        "full_assessment_booking": ("therapeutic_web", None),
        "consistent_adults": ("therapeutic_web", None),
    }
    for ident, (audience, first) in expected.items():
        item = catalog.get(ident)
        assert item.audience == audience, ident
        assert item.mode == "systemic", ident
        if first is not None:
            assert item.responsible[0] == first, ident


def test_catalog_bundled_file_uses_cautions_not_prose(catalog: Catalog) -> None:
    for item in catalog.interventions:
        assert item.contraindications == (), item.id


def test_catalog_always_cautions_are_few(catalog: Catalog) -> None:
    for item in catalog.interventions:
        assert len(_effects_list(item, "always")) <= 2, item.id


def _effects_list(item: Intervention, condition: str) -> list[str]:
    return [c.then for c in item.cautions if c.if_ == condition]


def test_catalog_always_cautions_only_caution(catalog: Catalog) -> None:
    # 'always' + exclude/hold would make an entry unusable for everyone
    for item in catalog.interventions:
        assert _effects(item, "always") <= {"caution"}, item.id


@pytest.mark.parametrize("ident", ["therapeutic_massage", "reiki"])
@pytest.mark.parametrize("condition", ["sexual_abuse_history", "touch_defensive"])
def test_catalog_touch_work_excluded_after_abuse_or_touch_defensiveness(
    catalog: Catalog, ident: str, condition: str
) -> None:
    assert _effects(catalog.get(ident), condition) == {"exclude"}


@pytest.mark.parametrize("ident", ["weighted_pressure", "yoga", "dyadic_attachment_play"])
@pytest.mark.parametrize("condition", ["sexual_abuse_history", "touch_defensive"])
def test_catalog_touch_optional_work_carries_a_consent_caution(
    catalog: Catalog, ident: str, condition: str
) -> None:
    item = catalog.get(ident)
    assert _effects(item, condition) == {"caution"}, ident
    assert any("consent" in c.text.lower() for c in item.cautions if c.if_ == condition)


def test_catalog_reiki_only_on_request(catalog: Catalog) -> None:
    assert _effects(catalog.get("reiki"), "not_requested") == {"exclude"}
    others = [i.id for i in catalog.interventions if "not_requested" in {c.if_ for c in i.cautions}]
    assert others == ["reiki"]


def test_catalog_trauma_processing_waits_for_regulation(catalog: Catalog) -> None:
    emdr = catalog.get("emdr")
    assert _effects(emdr, "dissociation_significant") == {"hold"}
    assert _effects(emdr, "cmr_below_2") == {"hold"}
    tf_cbt = catalog.get("tf_cbt")
    # shown, and the plan restarts it after other cognitive work (staging)
    assert _effects(tf_cbt, "dissociation_significant") == {"later"}
    assert any(
        "narrative" in c.text for c in tf_cbt.cautions if c.if_ == "dissociation_significant"
    )
    assert _effects(catalog.get("life_story_work"), "dissociation_significant")


def test_catalog_adult_trauma_focused_therapy_takes_over_from_tf_cbt_at_18(
    catalog: Catalog,
) -> None:
    adult = catalog.get("adult_trauma_focused_therapy")
    tf_cbt = catalog.get("tf_cbt")
    assert adult.ages.min == tf_cbt.ages.max == 18
    assert adult.ages.max is None and not adult.ages.holds(17.9) and adult.ages.holds(18.0)
    assert adult.phase == "reason" and adult.min_cmr == 1.0
    assert adult.overlap == tf_cbt.overlap
    # the same safety cautions as EMDR and TF-CBT: dissociation and the CMR
    assert _effects(adult, "dissociation_significant") == {"hold"}
    assert _effects(adult, "cmr_below_2") == {"later"}
    assert any("danger" in c.text for c in adult.cautions if c.if_ == "always")


def test_catalog_unit_routines_are_for_a_staffed_unit(catalog: Catalog) -> None:
    for ident, home_form in (
        ("unit_daily_rhythm", "family_routines"),
        ("unit_bedtime_routine", "sleep_routine"),
    ):
        unit, home = catalog.get(ident), catalog.get(home_form)
        assert unit.audience == home.audience == "family", ident
        assert unit.settings == ("residential",), ident
        assert unit.responsible[0] == "care_staff", ident
        assert "caregiver" not in unit.responsible, ident
        assert set(home.works_on) == set(unit.works_on), ident
        assert "home" not in f"{unit.name} {unit.summary}".lower(), ident


def test_catalog_cmr_gate_is_not_duplicated_in_cautions(catalog: Catalog) -> None:
    # The age-aware CMR gate lives in min_cmr and the rules; a caution that
    # excluded or held below 1.0 would bypass it (and cmr_gated_from_age).
    for item in catalog.interventions:
        assert _effects(item, "cmr_below_1") <= {"caution"}, item.id


@pytest.mark.parametrize(
    "ident",
    ["parent_child_interaction_therapy", "child_parent_psychotherapy", "dyadic_attachment_play"],
)
def test_catalog_dyadic_therapies_need_a_stable_caregiver_and_a_young_child(
    catalog: Catalog, ident: str
) -> None:
    item = catalog.get(ident)
    assert _effects(item, "no_stable_caregiver") == {"exclude"}
    assert _effects(item, "placement_unknown") == {"caution"}
    assert item.ages.max is not None and item.ages.max <= 12, ident
    assert not item.ages.holds(15.0) and not item.ages.holds(30.0), ident
    assert item.overlap == ("dyadic_therapy",)
    assert item.sustained_relational


def test_catalog_preschool_therapies_end_early(catalog: Catalog) -> None:
    assert catalog.get("parent_child_interaction_therapy").ages.max == 7
    assert catalog.get("child_parent_psychotherapy").ages.max == 6
    for ident in ("play_therapy", "special_time"):
        assert catalog.get(ident).ages.max == 12, ident


def test_catalog_teen_and_adult_work_has_a_minimum_age(catalog: Catalog) -> None:
    assert catalog.get("dbt_skills").ages.min >= 12
    assert catalog.get("executive_function_coaching").ages.min >= 10


@pytest.mark.parametrize(
    ("ident", "condition", "effect"),
    [
        ("equine_assisted", "impulsivity_significant", "caution"),
        ("hippotherapy", "impulsivity_significant", "caution"),
        ("equine_assisted", "animal_averse", "exclude"),
        ("hippotherapy", "animal_averse", "exclude"),
        ("animal_assisted", "animal_averse", "exclude"),
        ("swimming", "water_averse", "exclude"),
        ("drumming", "sound_sensitive", "caution"),
        ("ensemble_music", "sound_sensitive", "caution"),
        ("trampoline", "movement_sensitive", "caution"),
        ("rocking_swinging", "movement_sensitive", "caution"),
    ],
)
def test_catalog_sensitivity_cautions(
    catalog: Catalog, ident: str, condition: str, effect: str
) -> None:
    assert _effects(catalog.get(ident), condition) == {effect}


def test_catalog_overlap_groups(catalog: Catalog) -> None:
    groups: dict[str, set[str]] = {}
    for item in catalog.interventions:
        for group in item.overlap:
            groups.setdefault(group, set()).add(item.id)
    assert groups["dyadic_therapy"] == {
        "parent_child_interaction_therapy",
        "child_parent_psychotherapy",
        "dyadic_attachment_play",
    }
    assert groups["trauma_processing"] == {"tf_cbt", "emdr", "adult_trauma_focused_therapy"}
    assert groups["cognitive_behavioural"] == {
        "cbt",
        "dbt_skills",
        "tf_cbt",
        "adult_trauma_focused_therapy",
    }
    assert groups["school_planning"] == {"school_psychoeducation", "educational_plan_review"}
    assert groups["horse_work"] == {"equine_assisted", "hippotherapy"}
    for name, members in groups.items():
        assert len(members) >= 2, name


def test_catalog_speech_language_gate_starts_at_school_age(catalog: Catalog) -> None:
    assert catalog.get("speech_language_therapy").cmr_gated_from_age == 6.0
    others = [
        i.id
        for i in catalog.interventions
        if i.cmr_gated_from_age != 0.0 and i.id != "speech_language_therapy"
    ]
    assert others == []


def test_catalog_sustained_relational_only_on_relate_therapies(catalog: Catalog) -> None:
    flagged = {i.id for i in catalog.interventions if i.sustained_relational}
    assert all(catalog.get(i).phase == "relate" for i in flagged)
    assert {"play_therapy", "drama_therapy"} <= flagged
    # relational experience with an attuned adult or animal stays available meanwhile
    assert not catalog.get("special_time").sustained_relational
    assert not catalog.get("animal_assisted").sustained_relational


def test_catalog_regulating_work_has_an_age_respectful_form(catalog: Catalog) -> None:
    for item in catalog.interventions:
        if item.phase == "regulate" and item.id != "reiki":
            assert item.ages.max is None, item.id
            assert item.older_form, item.id
        if item.phase == "relate" and item.ages.max is None:
            assert item.older_form, item.id
    for ident in ("rocking_swinging", "music_movement", "dyadic_attachment_play"):
        assert catalog.get(ident).max_developmental_age is not None, ident
