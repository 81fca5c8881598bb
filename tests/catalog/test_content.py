"""The bundled catalogue's content: required ids, coverage and the model's principles."""

from __future__ import annotations

from collections import Counter

import pytest

from neuroseq.catalog.model import PHASE_FOR_MODE, Catalog

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
    assert catalog.get("tf_cbt").min_developmental_age == 6.0
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
    assert any("declines" in text for text in reiki.contraindications)
