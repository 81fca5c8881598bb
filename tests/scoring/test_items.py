"""The 32 brain-mediated functions: numbered 1 to 32 in map order, six or more per region."""

from __future__ import annotations

import pytest

from neuroseq.scoring.items import ITEM_IDS, ITEMS, REGIONS, Item, items_in_region


def test_items_are_numbered_1_to_32_in_map_order() -> None:
    assert [item.number for item in ITEMS] == list(range(1, 33))
    assert ITEMS[0] == Item(1, "cardiovascular_ans", "brainstem", "Heart rate and autonomic tone")


def test_item_ids_are_unique_and_follow_the_items() -> None:
    assert ITEM_IDS == tuple(item.id for item in ITEMS)
    assert len(set(ITEM_IDS)) == 32


def test_items_in_region_partition_the_items_bottom_up() -> None:
    by_region = [items_in_region(region) for region in REGIONS]
    assert [item for items in by_region for item in items] == list(ITEMS)
    assert [len(items) for items in by_region] == [6, 8, 6, 6, 6]


@pytest.mark.parametrize("region", REGIONS)
def test_items_in_region_keep_map_order(region: str) -> None:
    numbers = [item.number for item in items_in_region(region)]  # type: ignore[arg-type]
    assert numbers == sorted(numbers)
    assert all(item.region == region for item in items_in_region(region))  # type: ignore[arg-type]


def test_item_labels_are_short_plain_words() -> None:
    assert all(0 < len(item.label) <= 60 and item.label[0].isupper() for item in ITEMS)
