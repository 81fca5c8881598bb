"""The bundled example files, shipped as package data (``neuroseq.examples``).

Every ``*.yaml`` file in this folder is an example: synthetic case and
caregiver files written for neuroseq, and ``blank.yaml``, an annotated
template. Each file's first comment line is its one-line description.
``neuroseq examples`` lists them and ``neuroseq examples NAME`` prints one;
they are read with importlib.resources, so they work from an installed wheel.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

__all__ = ["Example", "bundled_examples", "example_named"]


@dataclass(frozen=True)
class Example:
    """One bundled example: its name (the file name without .yaml) and description."""

    name: str
    description: str
    resource: Traversable

    @property
    def file_name(self) -> str:
        return f"{self.name}.yaml"

    def text(self) -> str:
        """The file exactly as shipped."""
        return self.resource.read_text(encoding="utf-8")


def _description(text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        words = stripped.lstrip("#").strip()
        if words:
            return words
    return "(no description: the file does not start with a comment)"


def bundled_examples() -> tuple[Example, ...]:
    """Every bundled example, sorted by name."""
    folder = resources.files("neuroseq.examples")
    found = []
    for entry in folder.iterdir():
        if entry.is_file() and entry.name.endswith(".yaml"):
            text = entry.read_text(encoding="utf-8")
            found.append(Example(entry.name.removesuffix(".yaml"), _description(text), entry))
    return tuple(sorted(found, key=lambda example: example.name))


def example_named(name: str) -> Example | None:
    """The example called ``name`` (with or without .yaml, any case), or None."""
    wanted = name.strip().lower().removesuffix(".yaml")
    for example in bundled_examples():
        if example.name.lower() == wanted:
            return example
    return None
