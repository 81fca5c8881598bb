"""Issue 12 section 7: output files are private, keep their mode, leave nothing behind."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from neuroseq.cli import main
from neuroseq.fileio import NEW_FILE_MODE, write_atomic

ROOT = Path(__file__).resolve().parent.parent
TYPICAL = ROOT / "examples" / "typical-9-year-old.yaml"


def test_write_atomic_new_file_is_0600(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    old = os.umask(0)
    try:
        write_atomic(target, "text\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == NEW_FILE_MODE == 0o600


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644])
def test_write_atomic_existing_file_keeps_its_mode(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old\n")
    target.chmod(mode)
    code = CliRunner().invoke(main, ["score", str(TYPICAL), "-o", str(target)]).exit_code
    assert code == 0
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert "neuroseq score" in target.read_text()


def test_write_atomic_through_a_link_keeps_the_target_mode(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    write_atomic(link, "new\n")
    assert link.is_symlink() and target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


_INTERRUPTED_WRITE = """
import os, signal, sys
from pathlib import Path
from neuroseq import fileio

def fsync_then_signal(fd):
    os.kill(os.getpid(), getattr(signal, sys.argv[2]))

fileio.os.fsync = fsync_then_signal
fileio.write_atomic(Path(sys.argv[1]), "case data\\n" * 1000)
"""


@pytest.mark.parametrize(("name", "status"), [("SIGTERM", 143), ("SIGINT", -2)])
def test_write_atomic_interrupted_leaves_no_temporary_file(
    tmp_path: Path, name: str, status: int
) -> None:
    target = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-c", _INTERRUPTED_WRITE, str(target), name],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == status, done.stderr
    if name == "SIGINT":
        assert "KeyboardInterrupt" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_restores_the_sigterm_handler(tmp_path: Path) -> None:
    import signal

    before = signal.getsignal(signal.SIGTERM)
    write_atomic(tmp_path / "a.txt", "x\n")
    assert signal.getsignal(signal.SIGTERM) is before


# --- the terminal --------------------------------------------------------------------
