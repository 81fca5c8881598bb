"""Values worked out once per object, for the planner's hot path.

Compiled rules, patterns, catalogue entries and catalogues never change once
built, but not all of them are hashable, so :func:`per_object` caches by the
object's identity. The cache keeps each key alive (so its ``id`` cannot be
reused by another object) and is cleared when it reaches its limit, so a
process that loads many rule bases does not grow without bound.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["PerObject", "per_object"]

K = TypeVar("K")
V = TypeVar("V")


class PerObject(Generic[K, V]):
    """``build(key)``, computed once per key object (compared by identity)."""

    __slots__ = ("_build", "_entries", "_limit")

    def __init__(self, build: Callable[[K], V], limit: int) -> None:
        self._build = build
        self._entries: dict[int, tuple[K, V]] = {}
        self._limit = limit

    def __call__(self, key: K) -> V:
        hit = self._entries.get(id(key))
        if hit is not None and hit[0] is key:
            return hit[1]
        value = self._build(key)
        if len(self._entries) >= self._limit:
            self._entries.clear()
        self._entries[id(key)] = (key, value)
        return value


def per_object(limit: int = 8192) -> Callable[[Callable[[K], V]], PerObject[K, V]]:
    """Decorate a one-argument function so that it runs once per argument object."""

    def wrap(build: Callable[[K], V]) -> PerObject[K, V]:
        return PerObject(build, limit)

    return wrap
