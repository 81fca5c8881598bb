"""The catalogue models: enums, ranges, phase consistency, unique ids, lookups."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from neuroseq.catalog.model import Catalog, Intervention
from neuroseq.errors import CatalogError


def entry(**changes: Any) -> dict[str, Any]:
    r = {"value": True, "how": "yes"}
    data: dict[str, Any] = {
        "id": "drumming",
        "name": "Drumming",
        "summary": "Drum.",
        "audience": "client",
        "mode": "somatosensory",
        "phase": "regulate",
        "targets": ["brainstem"],
        "domains": ["self_regulation"],
        "six_rs": {
            name: r for name in ("relational", "relevant", "repetitive", "rewarding", "rhythmic")
        }
        | {"respectful": r},
        "min_developmental_age": 1.0,
        "min_cmr": None,
        "settings": ["home"],
        "dosing": {"frequency": "daily", "episode": "5 minutes"},
        "contraindications": [],
        "interest_tags": ["music"],
        "evidence": {"note": "n", "source": "s"},
    }
    data.update(changes)
    return data


def catalog_data(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"schema": "neuroseq/catalog/v1", "version": "t", "interventions": list(entries)}


def test_intervention_valid_entry_is_frozen() -> None:
    item = Intervention.model_validate(entry())
    assert item.targets == ("brainstem",)
    with pytest.raises(ValidationError):
        item.id = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("mode", "phase"),
    [("somatosensory", "regulate"), ("relational", "relate"), ("cognitive", "reason")],
)
def test_intervention_client_phase_follows_mode(mode: str, phase: str) -> None:
    assert Intervention.model_validate(entry(mode=mode, phase=phase)).phase == phase


def test_intervention_client_phase_mismatch_rejected() -> None:
    with pytest.raises(
        ValidationError, match=r"phase 'reason' does not match mode 'somatosensory'"
    ):
        Intervention.model_validate(entry(phase="reason"))


def test_intervention_client_without_phase_rejected() -> None:
    with pytest.raises(ValidationError, match=r"a client entry needs a phase"):
        Intervention.model_validate(entry(phase=None))


def test_intervention_client_systemic_rejected() -> None:
    with pytest.raises(ValidationError, match=r"mode 'systemic' is for family or therapeutic_web"):
        Intervention.model_validate(entry(mode="systemic"))


@pytest.mark.parametrize("audience", ["family", "therapeutic_web"])
def test_intervention_non_client_phase_rejected(audience: str) -> None:
    with pytest.raises(ValidationError, match=r"phase is only for client entries"):
        Intervention.model_validate(entry(audience=audience, mode="systemic"))


def test_intervention_non_client_cognitive_mode_rejected() -> None:
    with pytest.raises(ValidationError, match=r"uses mode systemic or relational"):
        Intervention.model_validate(entry(audience="family", mode="cognitive", phase=None))


def test_intervention_family_relational_accepted() -> None:
    item = Intervention.model_validate(entry(audience="family", mode="relational", phase=None))
    assert item.phase is None
    assert not item.is_cognitive_predominant


@pytest.mark.parametrize(
    ("changes", "pattern"),
    [
        ({"min_developmental_age": 26}, r"less than or equal to 25"),
        ({"min_developmental_age": -1}, r"greater than or equal to 0"),
        ({"min_cmr": -0.5}, r"greater than or equal to 0"),
        ({"audience": "school"}, r"audience"),
        ({"targets": ["amygdala"]}, r"targets"),
        ({"domains": ["motor"]}, r"domains"),
        ({"settings": ["prison"]}, r"settings"),
        ({"settings": []}, r"at least one setting"),
        ({"targets": ["brainstem", "brainstem"]}, r"listed more than once: brainstem"),
        ({"id": "Drumming"}, r"String should match pattern"),
        ({"interest_tags": ["Music"]}, r"String should match pattern"),
        ({"name": ""}, r"at least 1 character"),
        ({"colour": "red"}, r"Extra inputs are not permitted"),
    ],
)
def test_intervention_bad_values_rejected(changes: dict[str, Any], pattern: str) -> None:
    with pytest.raises(ValidationError, match=pattern):
        Intervention.model_validate(entry(**changes))


def test_intervention_six_rs_unknown_key_rejected() -> None:
    data = entry()
    data["six_rs"] = dict(data["six_rs"]) | {"resonant": {"value": True, "how": "x"}}
    with pytest.raises(ValidationError, match=r"Extra inputs are not permitted"):
        Intervention.model_validate(data)


def test_intervention_cognitive_predominant() -> None:
    item = Intervention.model_validate(entry(mode="cognitive", phase="reason", min_cmr=1.0))
    assert item.is_cognitive_predominant


def test_six_rs_flags_in_published_order() -> None:
    flags = Intervention.model_validate(entry()).six_rs.flags()
    assert list(flags) == [
        "relational",
        "relevant",
        "repetitive",
        "rewarding",
        "rhythmic",
        "respectful",
    ]
    assert all(flags.values())


def test_catalog_duplicate_ids_rejected() -> None:
    data = catalog_data(entry(), entry(id="yoga"), entry())
    with pytest.raises(
        ValidationError,
        match=r"duplicate intervention id 'drumming' at interventions\[2\] "
        r"\(first at interventions\[0\]\)",
    ):
        Catalog.model_validate(data)


def test_catalog_empty_rejected() -> None:
    with pytest.raises(ValidationError, match=r"at least one intervention"):
        Catalog.model_validate(catalog_data())


def test_catalog_wrong_schema_rejected() -> None:
    data = catalog_data(entry()) | {"schema": "neuroseq/catalog/v0"}
    with pytest.raises(ValidationError, match=r"neuroseq/catalog/v1"):
        Catalog.model_validate(data)


def test_catalog_ids_get_find_contains() -> None:
    catalog = Catalog.model_validate(catalog_data(entry(), entry(id="yoga")))
    assert catalog.ids == ("drumming", "yoga")
    assert catalog.get("yoga").id == "yoga"
    assert catalog.find("reiki") is None
    assert "yoga" in catalog
    assert "reiki" not in catalog


def test_catalog_get_unknown_id_suggests_close_match() -> None:
    catalog = Catalog.model_validate(catalog_data(entry(), entry(id="yoga")))
    with pytest.raises(
        CatalogError, match=r"unknown intervention id 'druming'; did you mean 'drumming'\?"
    ):
        catalog.get("druming")
    with pytest.raises(CatalogError, match=r"^<input>: unknown intervention id 'zzz'$"):
        catalog.get("zzz")


def test_catalog_dumps_schema_key_by_alias() -> None:
    catalog = Catalog.model_validate(catalog_data(entry()))
    assert catalog.model_dump(by_alias=True)["schema"] == "neuroseq/catalog/v1"
    assert "schema" in Catalog.model_json_schema()["properties"]
