"""The per-object cache of the planner's hot path."""

from __future__ import annotations

from neuroseq.engine.memo import per_object


def test_per_object_builds_once_per_object_by_identity() -> None:
    calls: list[object] = []

    @per_object(limit=2)
    def size(value: list[int]) -> int:
        calls.append(value)
        return len(value)

    first, twin = [1, 2], [1, 2]  # equal, but two objects
    assert size(first) == 2 and size(first) == 2
    assert size(twin) == 2
    assert calls == [first, twin]
    size([3])  # the limit is reached: the cache starts afresh
    size(first)
    assert calls[-1] is first and len(calls) == 4
