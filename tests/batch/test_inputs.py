"""Which files a batch reads and where their plans go."""

from __future__ import annotations

from pathlib import Path

import pytest

from neuroseq.batch.inputs import case_files, plan_path
from neuroseq.errors import CaseError


def test_case_files_searches_folders_recursively_in_order(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.json", "sub/c.yml", "sub/.hidden.yaml", ".git/x.yaml", "notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = case_files([tmp_path])
    assert [relative.as_posix() for _, relative in found] == ["a", "b", "sub/c"]


def test_case_files_takes_a_file_given_twice_once(tmp_path: Path) -> None:
    path = tmp_path / "one.yaml"
    path.write_text("x")
    assert len(case_files([path, path])) == 1


def test_case_files_refuses_an_empty_folder_and_a_missing_path(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(CaseError) as refused:
        case_files([tmp_path / "empty", tmp_path / "missing.yaml"])
    assert len(refused.value.problems) == 2


def test_plan_path_keeps_the_folder_and_names_the_format(tmp_path: Path) -> None:
    assert plan_path(tmp_path, Path("sub/c"), "html") == tmp_path / "sub" / "c.plan.html"
    assert plan_path(tmp_path, Path("c"), "json").name == "c.plan.json"
