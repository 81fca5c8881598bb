"""Every command in the README's "Using it" section runs as shown (issue 11, point 5).

The commands are read from the ```sh blocks of that section, in order, and
run from a scratch folder that links the repository's examples/, rules/ and
catalog/ (so files they write, such as report.html, land there). A command
may read standard input with `< FILE`. `.venv/bin/neuroseq` runs in-process
through click's CliRunner; `.venv/bin/python -m neuroseq` runs as a process
with this interpreter. A command naming a file under examples/ that is not
in the repository yet is skipped, saying which file.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from neuroseq.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
LINKED = ("examples", "rules", "catalog")


def readme_commands(text: str) -> list[str]:
    """The command lines of the ```sh blocks in the "Using it" section, in order."""
    section = text.split("\n## Using it\n", 1)[1].split("\n## ", 1)[0]
    commands: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words:
                commands.append(" ".join(shlex.quote(word) for word in words))
    return commands


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))


def test_readme_commands_are_found_and_all_use_the_venv() -> None:
    assert len(COMMANDS) >= 25
    for command in COMMANDS:
        assert command.startswith((".venv/bin/neuroseq ", ".venv/bin/python -m neuroseq ")), command
    assert not [command for command in COMMANDS if re.search(r"\b[A-Z]{3,}\b|\[|\|", command)]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("readme")
    for name in LINKED:
        (folder / name).symlink_to(ROOT / name, target_is_directory=True)
    return folder


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_commands_run(command: str, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    words = shlex.split(command)
    for word in words:
        if word.startswith("examples/") and not (ROOT / word).exists():
            pytest.skip(f"{word} is not in the repository yet")
    monkeypatch.chdir(workdir)
    stdin = None
    if "<" in words:
        at = words.index("<")
        stdin = (workdir / words[at + 1]).read_text(encoding="utf-8")
        words = words[:at] + words[at + 2 :]
    outputs = [workdir / words[i + 1] for i, word in enumerate(words) if word == "-o"]
    if words[0] == ".venv/bin/python":
        result = subprocess.run(
            [sys.executable, *words[1:]], capture_output=True, text=True, cwd=workdir, check=False
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip()
        return
    assert words[0] == ".venv/bin/neuroseq"
    invoked = CliRunner().invoke(main, words[1:], input=stdin)
    assert invoked.exit_code == 0, invoked.output + invoked.stderr
    if outputs:
        assert all(path.stat().st_size > 0 for path in outputs)
    else:
        assert invoked.stdout.strip()
