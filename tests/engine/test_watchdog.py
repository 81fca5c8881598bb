"""The planning watchdog: a spinning engine call ends in a located EngineError, and Ctrl-C works.

durable_rules spins forever in ``assertFacts`` on a node with 512 equality
constants, holding the GIL. ``rules check`` refuses such a rule base, so each
child process here first switches off the static guards (the compiler's and the
adapter's) to reach the engine with it. Every test runs in a child process: the
abandoned call keeps spinning in a helper thread until that process exits.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_SPINNING_RULE_BASE = """
    import shutil, sys, pathlib
    import neuroseq.engine.adapter as adapter
    import neuroseq.engine.compiler as compiler
    import neuroseq.engine.limits as limits

    adapter.ruleset_problems = lambda definition: []
    compiler.rule_problems = lambda name, definition: []
    limits.WATCHDOG_SECONDS = {timeout}
    folder = pathlib.Path(sys.argv[1]) / "spin_rules"
    shutil.copytree({rules!r}, folder)
    values = ", ".join(f"{{0.001 * (i + 1):.3f}}" for i in range(512))
    (folder / "spin.yaml").write_text(
        "schema: neuroseq/rules/v1\\nrules:\\n"
        "  - id: spin.one_of\\n    title: Many values\\n"
        "    when: {{all: [{{cmr: {{value: {{one_of: [" + values + "]}}}}}}, "
        "{{intervention: {{id: tf_cbt}}}}]}}\\n"
        "    then: {{defer: {{}}}}\\n    rationale: r\\n    source: s\\n"
    )
    from neuroseq.cli import main
    print("ready", flush=True)
    main(["plan", {case!r}, "--rules", str(folder), "--format", "json"])
"""


def _script(timeout: float) -> str:
    return textwrap.dedent(
        _SPINNING_RULE_BASE.format(
            timeout=timeout,
            rules=str(ROOT / "rules"),
            case=str(ROOT / "examples" / "typical-9-year-old.yaml"),
        )
    )


def test_watchdog_plan_on_a_spinning_rule_base_ends_with_a_located_engine_error(
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-c", _script(1.0), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert child.returncode == 1, child.stderr
    assert f"{tmp_path / 'spin_rules'}: the rule engine ran past 1 s in ruleset" in child.stderr
    assert "neuroseq: 1 problem in the engine; nothing was written." in child.stderr
    assert elapsed < 30


def test_watchdog_ctrl_c_during_planning_interrupts(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _script(120.0), str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(3.0)  # loading and compiling done: the engine is spinning
        child.send_signal(signal.SIGINT)
        _out, err = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 130, err
    assert "neuroseq: interrupted" in err


def test_watchdog_engine_refuses_every_later_call_after_a_timeout() -> None:
    script = textwrap.dedent(
        """
        import neuroseq.engine.adapter as adapter
        from neuroseq.errors import EngineError

        adapter.ruleset_problems = lambda definition: []
        values = [round(0.001 * (i + 1), 3) for i in range(512)]
        one_of = {"$or": [{"value": v} for v in values]}
        spin = {"r": {"all": [{"m": {"$and": [{"type": "cmr"}, one_of]}}]}}
        fine = {"low": {"all": [{"m": {"$and": [{"type": "cmr"}, {"$lt": {"value": 1}}]}}]}}
        calm = adapter.RuleEngine({"calm": fine}, timeout=0.5)
        assert len(calm.evaluate([{"type": "cmr", "id": "c", "value": 0.5}])) == 1
        engine = adapter.RuleEngine({"spin": spin}, timeout=0.5, source="my_rules")
        for attempt in range(2):
            try:
                engine.evaluate([{"type": "cmr", "id": "c", "value": 0.001}])
            except EngineError as error:
                print(error)
        try:
            calm.evaluate([{"type": "cmr", "id": "c", "value": 0.5}])
        except EngineError as error:
            print(error)
        """
    )
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert child.returncode == 0, child.stderr
    lines = child.stdout.splitlines()
    assert lines[0].startswith("my_rules: the rule engine ran past 0.5 s in ruleset 'spin'")
    assert lines[1].startswith("my_rules: an earlier engine call ran past 0.5 s")
    assert lines[2].startswith("<engine>: an earlier engine call ran past 0.5 s")
    assert len(lines) == 3


def test_watchdog_works_in_a_forked_child() -> None:
    # a child forked after the parent's first engine call (multiprocessing, dask)
    # has no helper thread; it starts its own instead of waiting for the parent's
    script = textwrap.dedent(
        """
        import os
        from neuroseq.engine.adapter import RuleEngine

        rule = {"low": {"all": [{"m": {"$and": [{"type": "cmr"}, {"$lt": {"value": 1}}]}}]}}
        engine = RuleEngine({"main": rule}, timeout=2)
        fact = [{"type": "cmr", "id": "c", "value": 0.5}]
        print("parent", len(engine.evaluate(fact)), flush=True)
        pid = os.fork()
        if pid == 0:
            print("child", len(engine.evaluate(fact)), flush=True)
            os._exit(0)
        os.waitpid(pid, 0)
        """
    )
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.splitlines() == ["parent 1", "child 1"]


def test_watchdog_stops_collecting_a_runaway_join() -> None:
    # 4 item patterns naming no id over 32 items: 863,040 firings, about 30 s, spent
    # joining inside assertFacts and then collecting the firings; either is stopped
    script = textwrap.dedent(
        """
        import time
        from neuroseq.engine.adapter import RuleEngine
        from neuroseq.errors import EngineError

        patterns = [{f"i{k}": {"$and": [{"type": "item"}, {"$gte": {"score": 0}}]}}
                    for k in range(4)]
        engine = RuleEngine({"main": {"join": {"all": patterns}}}, timeout=1.0)
        facts = [{"type": "item", "id": f"x{i}", "score": 1} for i in range(32)]
        started = time.monotonic()
        try:
            engine.evaluate(facts)
        except EngineError as error:
            print(error)
        print(round(time.monotonic() - started))
        """
    )
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert child.returncode == 0, child.stderr
    lines = child.stdout.splitlines()
    assert lines[0].startswith("<engine>: the rule engine ran past 1 s")
    assert "in ruleset 'main' and was stopped" in lines[0]
    assert int(lines[1]) < 10
