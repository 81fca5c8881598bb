"""Plain-text renderers for ``neuroseq catalog list`` and ``neuroseq catalog show``."""

from __future__ import annotations

from neuroseq.catalog.model import Catalog
from neuroseq.catalog.show import render_catalog_list, render_intervention


def test_render_catalog_list_one_line_per_intervention(catalog: Catalog) -> None:
    text = render_catalog_list(catalog)
    assert text.startswith(f"Catalogue 2026.12.2: {len(catalog.interventions)} interventions\n")
    entry_lines = [line for line in text.splitlines() if line.startswith("  ")]
    assert len(entry_lines) == len(catalog.interventions)
    assert [line.split()[0] for line in entry_lines].count("drumming") == 1


def test_render_catalog_list_columns(catalog: Catalog) -> None:
    lines = render_catalog_list(catalog).splitlines()
    (drumming,) = [line for line in lines if line.split()[:1] == ["drumming"]]
    assert drumming.split()[1:3] == ["client", "regulate/somatosensory"]
    assert drumming.endswith("Therapeutic drumming")
    (aide,) = [line for line in lines if line.split()[:1] == ["in_room_aide"]]
    assert aide.split()[1:3] == ["therapeutic_web", "systemic"]


def test_render_catalog_list_grouped_web_family_then_client_phases(catalog: Catalog) -> None:
    text = render_catalog_list(catalog)
    headings = [line for line in text.splitlines() if line.endswith(":") and line[0] != " "]
    assert headings == [
        "Therapeutic web:",
        "Family:",
        "Client - regulate:",
        "Client - relate:",
        "Client - reason:",
    ]
    assert text.index("school_psychoeducation") < text.index("caregiver_self_care")
    assert text.index("caregiver_self_care") < text.index("drumming")
    assert text.index("drumming") < text.index("play_therapy") < text.index("tf_cbt")


def test_render_intervention_shows_every_field(catalog: Catalog) -> None:
    item = catalog.get("tf_cbt")
    text = render_intervention(item)
    assert text.startswith("Trauma-focused cognitive behavioural therapy (tf_cbt)\n")
    for expected in (
        item.summary,
        "Audience:                client",
        "Mode:                    cognitive",
        "Phase:                   reason",
        "Targets (regions):       cortex, frontal_cortex",
        "Domains:                 cognitive",
        "Min. developmental age:  4.0 years",
        "Min. CMR:                1.0",
        "Settings:                clinic, school, home",
        f"Frequency:               {item.dosing.frequency}",
        f"Episode:                 {item.dosing.episode}",
        "The 6 R's:",
        "  rhythmic    no   Not rhythmic.",
        "  relational  yes  ",
        "Cautions (when it applies: what it does):",
        f"  - {item.cautions[0].if_}: {item.cautions[0].then}: {item.cautions[0].text}",
        "Works on (items):        affect_regulation_mood",
        "Ages:                    ages 3 to 18",
        item.evidence.note,
        f"Source: {item.evidence.source}",
    ):
        assert expected in text


def test_render_intervention_family_entry_has_no_phase_or_gate(catalog: Catalog) -> None:
    text = render_intervention(catalog.get("caregiver_self_care"))
    assert "Phase:                   - (not a client phase)" in text
    assert "Min. CMR:                - (no CMR gate)" in text
    assert "Targets (regions):       -" in text
    assert "  - none listed" in text
