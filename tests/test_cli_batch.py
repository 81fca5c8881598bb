"""neuroseq batch and neuroseq rules impact on the command line: exit codes, resume, progress."""

from __future__ import annotations

import json
import os
import pty
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from neuroseq.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _corpus(folder: Path, copies: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(copies):
        for name in (
            "severe-young-child.yaml",
            "typical-9-year-old.yaml",
            "uneven-adolescent.yaml",
        ):
            shutil.copy(EXAMPLES / name, folder / f"{n:03d}-{name}")
    return folder


def test_batch_exits_1_and_names_every_bad_file(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in")
    (corpus / "bad.yaml").write_text("schema: neuroseq/case/v1\n")
    result = CliRunner().invoke(
        main, ["batch", str(corpus), "-o", str(tmp_path / "out"), "--jobs", "1"]
    )
    assert result.exit_code == 1
    assert "3 planned, 1 refused" in result.output and "bad.yaml:1: client:" in result.output
    assert len(list((tmp_path / "out").glob("*.plan.json"))) == 3


def test_batch_plan_equals_plan_command(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in")
    runner = CliRunner()
    assert (
        runner.invoke(
            main, ["batch", str(corpus), "-o", str(tmp_path / "out"), "--format", "md"]
        ).exit_code
        == 0
    )
    name = "000-uneven-adolescent"
    planned = runner.invoke(main, ["plan", str(corpus / f"{name}.yaml"), "--format", "json"]).output
    assert runner.invoke(main, ["batch", str(corpus), "-o", str(tmp_path / "js")]).exit_code == 0
    assert (tmp_path / "js" / f"{name}.plan.json").read_text() == planned


def test_batch_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    out = str(tmp_path / "o")
    assert runner.invoke(main, ["batch", "-o", out]).exit_code == 2
    assert (
        runner.invoke(main, ["batch", str(EXAMPLES), "-o", out, "--scheduler", "x:1"]).exit_code
        == 2
    )
    assert runner.invoke(main, ["batch", str(EXAMPLES), "-o", out, "--db", "x.db"]).exit_code == 2


def test_batch_killed_then_resumed_with_skip_existing(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in", copies=20)
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "neuroseq",
        "batch",
        str(corpus),
        "-o",
        str(out),
        "--jobs",
        "1",
    ]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("*.plan.json"))) < 5:
        time.sleep(0.05)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=60)
    done = list(out.glob("*.plan.json"))
    assert 5 <= len(done) < 60
    for path in done:
        json.loads(path.read_text())  # every plan file there is whole
    resumed = subprocess.run(
        [*command, "--skip-existing"], capture_output=True, text=True, timeout=600
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(done)} skipped" in resumed.stdout
    assert len(list(out.glob("*.plan.json"))) == 60


def test_batch_shows_a_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in")
    command = [sys.executable, "-m", "neuroseq", "batch", str(corpus), "--jobs", "1"]
    quiet = subprocess.run(
        [*command, "-o", str(tmp_path / "a")], capture_output=True, text=True, timeout=300
    )
    assert quiet.returncode == 0 and "planning" not in quiet.stderr
    leader, follower = pty.openpty()
    try:
        shown = subprocess.run(
            [*command, "-o", str(tmp_path / "b")],
            stdout=subprocess.DEVNULL,
            stderr=follower,
            timeout=300,
        )
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    assert shown.returncode == 0
    assert b"planning" in seen and b"100%" in seen


def test_rules_impact_exit_codes(tmp_path: Path) -> None:
    from neuroseq.engine.rulebase import bundled_rules_folder

    corpus = _corpus(tmp_path / "in")
    same = tmp_path / "same"
    shutil.copytree(bundled_rules_folder(), same)
    changed = tmp_path / "changed"
    shutil.copytree(bundled_rules_folder(), changed)
    base = changed / "rulebase.yaml"
    base.write_text(base.read_text().replace("client_per_phase: 5", "client_per_phase: 1"))
    runner = CliRunner()
    unchanged = runner.invoke(main, ["rules", "impact", str(same), str(corpus), "--fail-on-change"])
    assert unchanged.exit_code == 0 and unchanged.output.startswith("0 of 3 plans change")
    gate = runner.invoke(main, ["rules", "impact", str(changed), str(corpus), "--fail-on-change"])
    assert gate.exit_code == 3
    report = tmp_path / "impact.json"
    assert (
        runner.invoke(
            main, ["rules", "impact", str(changed), str(corpus), "-o", str(report)]
        ).exit_code
        == 0
    )
    data = json.loads(report.read_text())
    assert data["changed"] >= 1 and data["cases"] == 3
    (corpus / "bad.yaml").write_text("schema: neuroseq/case/v1\n")
    assert runner.invoke(main, ["rules", "impact", str(same), str(corpus)]).exit_code == 1
    (changed / "broken.yaml").write_text("rules: [{id: x")
    broken = runner.invoke(main, ["rules", "impact", str(changed), str(corpus)])
    assert broken.exit_code == 1 and "broken.yaml" in broken.output
