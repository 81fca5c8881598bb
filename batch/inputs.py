"""Which case files a batch reads, and where each one's plan goes.

INPUT is files or folders; folders are searched recursively for ``.yaml``,
``.yml`` and ``.json`` files (hidden ones skipped), in sorted order. A plan
keeps the file's path under its folder (``cases/a/b.yaml`` becomes
``OUT/a/b.plan.json``); a file named directly goes to the top of OUT.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from neuroseq.errors import CaseError, Problem, SourceLocation

__all__ = ["CASE_SUFFIXES", "case_files", "plan_path"]

CASE_SUFFIXES = (".yaml", ".yml", ".json")
_FORMAT_SUFFIX = {
    "json": ".plan.json",
    "md": ".plan.md",
    "html": ".plan.html",
    "fhir": ".plan.fhir.json",
}


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def case_files(inputs: Sequence[Path]) -> list[tuple[Path, Path]]:
    """Every case file with its path relative to the output folder (without suffix).

    A missing input, an input that holds no case file, and two inputs whose
    plans would land on the same name are refused, every one in one error.
    """
    problems: list[Problem] = []
    found: list[tuple[Path, Path]] = []
    for given in inputs:
        if given.is_dir():
            inside = sorted(
                p
                for p in given.rglob("*")
                if p.suffix.lower() in CASE_SUFFIXES and p.is_file() and not _hidden(p, given)
            )
            if not inside:
                problems.append(
                    Problem(SourceLocation(str(given)), "", "holds no .yaml, .yml or .json file")
                )
            found.extend((p, p.relative_to(given).with_suffix("")) for p in inside)
        elif given.is_file():
            found.append((given, Path(given.stem)))
        else:
            problems.append(Problem(SourceLocation(str(given)), "", "no such file or folder"))
    seen: dict[Path, Path] = {}
    for path, relative in found:
        if relative in seen and seen[relative] != path:
            problems.append(
                Problem(
                    SourceLocation(str(path)),
                    "",
                    f"its plan would overwrite the plan of {seen[relative]}; rename one of them",
                )
            )
        seen.setdefault(relative, path)
    if problems:
        raise CaseError(problems)
    unique: dict[Path, tuple[Path, Path]] = {}
    for path, relative in found:
        unique.setdefault(path.resolve(), (path, relative))
    return list(unique.values())


def plan_path(output: Path, relative: Path, fmt: str) -> Path:
    """Where the plan of a case goes."""
    return output / relative.parent / (relative.name + _FORMAT_SUFFIX[fmt])
