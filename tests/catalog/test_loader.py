"""Loading the catalogue: the bundled file, strictness, located problems, fingerprint."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from neuroseq.catalog.loader import bundled_catalog_path, catalog_sha256, load_catalog
from neuroseq.catalog.model import Catalog
from neuroseq.errors import CatalogError

CATALOG_DIR = Path(__file__).resolve().parents[2] / "catalog"

WriteCatalog = Callable[[str], Path]
CatalogText = Callable[..., str]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


def test_load_catalog_bundled_loads() -> None:
    catalog = load_catalog()
    assert isinstance(catalog, Catalog)
    assert catalog.schema_ == "neuroseq/catalog/v1"
    assert catalog.version == "2026.12.2"


def test_load_catalog_bundled_is_the_repository_file() -> None:
    with bundled_catalog_path() as path:
        assert path.read_bytes() == (CATALOG_DIR / "interventions.yaml").read_bytes()
    assert load_catalog(CATALOG_DIR / "interventions.yaml") == load_catalog()


def test_load_catalog_own_file(write_catalog: WriteCatalog, catalog_text: CatalogText) -> None:
    catalog = load_catalog(write_catalog(catalog_text("one", "two")))
    assert catalog.ids == ("one", "two")


def test_load_catalog_duplicate_id_reported_at_second_line(
    write_catalog: WriteCatalog, catalog_text: CatalogText
) -> None:
    text = catalog_text("drumming", "yoga", "drumming")
    first, second = line_of(text, "id: drumming"), line_of(text, "id: drumming", 2)
    path = write_catalog(text)
    with pytest.raises(CatalogError, match=r"duplicate intervention id 'drumming'") as info:
        load_catalog(path)
    (problem,) = info.value.problems
    assert problem.location.path == str(path)
    assert problem.location.line == second
    assert problem.field == "interventions[2].id"
    assert f"first given on line {first}" in problem.message
    assert str(problem).startswith(f"{path}:{second}: interventions[2].id: duplicate")


def test_load_catalog_duplicate_and_other_problems_reported_together(
    write_catalog: WriteCatalog, catalog_text: CatalogText
) -> None:
    text = catalog_text("drumming", "yoga", "drumming").replace(
        "min_developmental_age: 1.0", "min_developmental_age: 40", 1
    )
    with pytest.raises(CatalogError) as info:
        load_catalog(write_catalog(text))
    assert [(p.field, p.location.line) for p in info.value.problems] == [
        ("interventions[0].min_developmental_age", line_of(text, "min_developmental_age: 40")),
        ("interventions[2].id", line_of(text, "id: drumming", 2)),
    ]


def test_load_catalog_unknown_key_rejected_with_line(
    write_catalog: WriteCatalog, catalog_text: CatalogText
) -> None:
    text = catalog_text("drumming").replace(
        "    min_cmr: null\n", "    min_cmr: null\n    cost: 3\n"
    )
    with pytest.raises(CatalogError, match=r"unknown key 'cost'") as info:
        load_catalog(write_catalog(text))
    (problem,) = info.value.problems
    assert problem.location.line == line_of(text, "cost: 3")
    assert problem.field == "interventions[0].cost"


def test_load_catalog_misspelt_key_suggests_the_right_one(
    write_catalog: WriteCatalog, catalog_text: CatalogText
) -> None:
    text = catalog_text("drumming").replace("interest_tags:", "interests_tags:")
    with pytest.raises(CatalogError, match=r"did you mean 'interest_tags'\?"):
        load_catalog(write_catalog(text))


def test_load_catalog_phase_on_family_entry_rejected(
    write_catalog: WriteCatalog, catalog_text: CatalogText
) -> None:
    text = catalog_text("caregiver_thing").replace(
        "audience: client\n    mode: somatosensory", "audience: family\n    mode: systemic"
    )
    with pytest.raises(CatalogError, match=r"phase is only for client entries"):
        load_catalog(write_catalog(text))


def test_load_catalog_wrong_schema_rejected(
    write_catalog: WriteCatalog, catalog_text: CatalogText
) -> None:
    text = catalog_text("drumming").replace("neuroseq/catalog/v1", "neuroseq/catalog/v2")
    with pytest.raises(CatalogError, match=r"'neuroseq/catalog/v2' is not allowed") as info:
        load_catalog(write_catalog(text))
    assert info.value.problems[0].location.line == 1


def test_load_catalog_duplicate_yaml_key_rejected(
    write_catalog: WriteCatalog, catalog_text: CatalogText
) -> None:
    text = catalog_text("drumming").replace(
        "    name: Entry drumming\n", "    name: Entry drumming\n    name: Again\n"
    )
    with pytest.raises(CatalogError, match=r"duplicate key 'name'"):
        load_catalog(write_catalog(text))


def test_load_catalog_object_tag_rejected(write_catalog: WriteCatalog) -> None:
    with pytest.raises(CatalogError, match=r"tag .* is not allowed"):
        load_catalog(write_catalog('schema: !!python/object/apply:os.system ["true"]\n'))


def test_load_catalog_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"file not found"):
        load_catalog(tmp_path / "absent.yaml")


def test_load_catalog_empty_list_rejected(write_catalog: WriteCatalog) -> None:
    with pytest.raises(CatalogError, match=r"interventions"):
        load_catalog(
            write_catalog('schema: neuroseq/catalog/v1\nversion: "x"\ninterventions: []\n')
        )


def test_load_catalog_non_mapping_entries_skip_duplicate_check(write_catalog: WriteCatalog) -> None:
    text = 'schema: neuroseq/catalog/v1\nversion: "x"\ninterventions: [3, {id: 4}]\n'
    with pytest.raises(CatalogError) as info:
        load_catalog(write_catalog(text))
    assert not any("duplicate" in p.message for p in info.value.problems)


def test_load_catalog_interventions_not_a_list(write_catalog: WriteCatalog) -> None:
    text = 'schema: neuroseq/catalog/v1\nversion: "x"\ninterventions: {a: 1}\n'
    with pytest.raises(CatalogError, match=r"interventions"):
        load_catalog(write_catalog(text))


def test_catalog_sha256_bundled_matches_file_bytes() -> None:
    expected = hashlib.sha256((CATALOG_DIR / "interventions.yaml").read_bytes()).hexdigest()
    assert catalog_sha256() == expected
    assert catalog_sha256(CATALOG_DIR / "interventions.yaml") == expected


def test_catalog_sha256_changes_with_content(
    write_catalog: WriteCatalog, catalog_text: CatalogText
) -> None:
    first = catalog_sha256(write_catalog(catalog_text("one")))
    second = catalog_sha256(write_catalog(catalog_text("two")))
    assert len(first) == 64
    assert first != second


def test_catalog_sha256_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"absent.yaml: file not found"):
        catalog_sha256(tmp_path / "absent.yaml")


def test_load_catalog_overlap_takes_one_group_or_a_list(
    write_catalog: WriteCatalog, catalog_text: CatalogText
) -> None:
    one = catalog_text("drumming").replace(
        "    min_cmr: null\n", "    min_cmr: null\n    overlap: rhythm_work\n"
    )
    assert load_catalog(write_catalog(one)).get("drumming").overlap == ("rhythm_work",)
    both = one.replace("overlap: rhythm_work", "overlap: [rhythm_work, music_work]")
    assert load_catalog(write_catalog(both)).get("drumming").overlap == (
        "rhythm_work",
        "music_work",
    )


def test_load_catalog_overlap_group_listed_twice_rejected_with_line(
    write_catalog: WriteCatalog, catalog_text: CatalogText
) -> None:
    text = catalog_text("drumming").replace(
        "    min_cmr: null\n", "    min_cmr: null\n    overlap: [rhythm_work, rhythm_work]\n"
    )
    with pytest.raises(CatalogError) as info:
        load_catalog(write_catalog(text))
    (problem,) = info.value.problems
    assert problem.field.startswith("interventions[0].overlap")
    assert problem.location.line == line_of(text, "overlap:")


def test_load_catalog_overlap_group_not_snake_case_rejected(
    write_catalog: WriteCatalog, catalog_text: CatalogText
) -> None:
    text = catalog_text("drumming").replace(
        "    min_cmr: null\n", "    min_cmr: null\n    overlap: [Rhythm Work]\n"
    )
    with pytest.raises(CatalogError, match=r"overlap"):
        load_catalog(write_catalog(text))
