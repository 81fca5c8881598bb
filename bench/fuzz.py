"""neuroseq fuzzer: mutated inputs through the real CLI, one forked child per input.

    .venv/bin/python bench/fuzz.py                     # the full run (issue 12 counts)
    .venv/bin/python bench/fuzz.py --cases 2000 --rules 500 --jobs 2
    .venv/bin/python bench/fuzz.py --seed 7 --cases 20 --rules 4 --quick
    .venv/bin/python bench/fuzz.py --save /tmp/finds   # keep every input that failed

A fork server: this process imports neuroseq, click and jinja2 and runs one
plan to warm every module; each input then runs in a child forked from it, so
a child starts in milliseconds, cannot disturb the next one, and can crash,
hang or exhaust memory without taking the fuzzer down. Inputs are the bundled
examples (YAML and JSON), rule files, the catalogue, the norms, the caregiver
weights, caregiver files and report templates, mutated by seeded line-level
and byte-level edits that aim at the parser and the models (tags, huge
numbers, control and bidi characters, tabs, dates, deep nesting, aliases,
template expressions). Each child runs the CLI in process (click's
CliRunner, the very code `neuroseq` runs) and every outcome is classified:

* refusal   exit 1 or 2 with located messages and no traceback (good)
* success   exit 0 (good)
* internal  "internal error", a traceback, another exit status, or a refusal
            that quotes the secret free text planted in the input (a bug)
* hang      still running after --timeout seconds (the child is killed)
* crash     the child died from a signal (segfault, abort)

Exit status 1 when any input was internal, hang or crash. The same seed gives
the same inputs, so a failure reproduces with ``--seed S --only KIND:INDEX``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import select
import shutil
import signal
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SECRET = "Zqx disclosed harm"
"""Free text planted in case and caregiver inputs: no refusal may print it."""

GOOD = ("refusal", "success")
OUTCOMES = ("refusal", "success", "internal", "hang", "crash")

# --- mutation -------------------------------------------------------------------

YAML_VALUES = [
    '""',
    "''",
    '!!int ""',
    "!!int x",
    "!!bool maybe",
    "!!float nope",
    "!!str",
    "!!null x",
    "!!binary aGk=",
    "!!set {a: null}",
    "!!omap [a: 1]",
    "!!timestamp nope",
    "!!python/object/apply:os.system ['true']",
    "!local x",
    "!<tag:yaml.org,2002:int> 5",
    "0x" + "f" * 4000,
    "9" * 400,
    "9" * 5000,
    "-" + "9" * 30,
    "1e309",
    "-1e309",
    ".nan",
    ".inf",
    "-.inf",
    "0.5e-400",
    "1_000",
    "0o17",
    "0b101",
    "+12",
    "12:30:00",
    "-1",
    "0",
    "13",
    "99",
    "1.5",
    "12.25",
    "100000000000000000000",
    "[]",
    "{}",
    "[" * 60 + "]" * 60,
    "[[[[[[1]]]]]]",
    "null",
    "~",
    "yes",
    "no",
    "true",
    "2026-02-30",
    "15/03/2026",
    "2026-03-15T10:00:00",
    "2100-01-01",
    "1900-01-01",
    "&a x",
    "*a",
    "*undefined",
    '"\\x9b1m"',
    '"\\e[31mred"',
    '"\\u202eevil"',
    '"\\u2066x"',
    '"\\x85"',
    '"\\0"',
    '"\\ud83d"',
    "'" + "long " * 1200 + "'",
    "x" * 300,
    f"'{SECRET} by a stepparent at home'",
    f"{SECRET} again",
    "|\n  block text\n  more",
    "<<: {a: 1}",
    "{a: 1, a: 2}",
    "- x",
    "? complex",
    "@",
    "`",
    "%",
    "\t1",
    "a: b: c",
    "'unterminated",
    "Jane Smith",
    "CBT",
    "Therapeutic drumming",
    "full",
    "er",
    "follow_up",
    "brainstem",
    "recommend",
    "client",
    "regulate",
]

JSON_VALUES = [
    '""',
    '"\\u0000"',
    '"\\u001b[31m"',
    '"\\u009b"',
    '"\\u202e"',
    '"\\ud83d\\ude00"',
    '"\\ud83d"',
    '"\\/"',
    '"a\\/b"',
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "9" * 400,
    "9" * 4200,
    "9" * 5000,
    "-0",
    "0.1",
    "13",
    "null",
    "true",
    "[]",
    "{}",
    "[" * 300 + "]" * 300,
    '{"a": 1, "a": 2}',
    f'"{SECRET} at school"',
    '"15/03/2026"',
    '"2026-02-30"',
    '"CBT"',
]

TEMPLATE_SNIPPETS = [
    "{{ 'x'*10**13 }}",
    "{{ 'x'|truncate(-1) }}",
    "{{ 'x'|center(10**12) }}",
    "{{ '%99999999999s' % 'x' }}",
    "{{ '{:>99999999999}'.format(1) }}",
    "{{ 10**(10**10) }}",
    "{{ range(10**6)|list|length }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "{% for i in range(100000) %}{% for j in range(1000) %}xxxxxxxxxx{% endfor %}{% endfor %}",
    "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}"
    "{% endfor %}{{ ns.s|length }}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{% include 'plan.md.j2' %}",
    "{% include 'nope.j2' %}",
    "{% extends 'nope.j2' %}",
    "{{ 1/0 }}",
    "{{ 1 + 'a' }}",
    "{{ nothing_here }}",
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ lipsum(10**6) }}",
    "{{ [1]|batch(10**9)|list }}",
    "{{ 'x'|indent(10**9) }}",
    "{{ 'x'|wordwrap(0) }}",
    "{{ 'x'|round('a') }}",
    "{{ 'ab'|int(base=99) }}",
    "{{ {}|dictsort(by='nope') }}",
    "{{ 'x'|format(1, 2, 3) }}",
    "{{ '%d' % 'x' }}",
    "{%",
    "{{",
    "{% endfor %}",
    "{{ 'x' ~ }}",
    "\x00",
    "\udcff",
]


def _mutate_lines(text: str, rng: random.Random, values: list[str], rounds: int) -> str:
    lines = text.split("\n")
    for _ in range(rounds):
        if not lines:
            lines = [""]
        index = rng.randrange(len(lines))
        line = lines[index]
        choice = rng.randrange(12)
        if choice <= 3 and ":" in line:
            head = line.split(":", 1)[0]
            lines[index] = f"{head}: {rng.choice(values)}"
        elif choice == 4:
            del lines[index]
        elif choice == 5:
            lines.insert(index, line)
        elif choice == 6:
            other = rng.randrange(len(lines))
            lines[index], lines[other] = lines[other], line
        elif choice == 7:
            lines[index] = rng.choice(["\t", "  ", "", "    ", " "]) + line.lstrip()
        elif choice == 8:
            indent = line[: len(line) - len(line.lstrip())]
            key = rng.choice(["x", "notes", "id", "schema", "version", "when", "age_years"])
            lines.insert(index, f"{indent}{key}: {rng.choice(values)}")
        elif choice == 9 and line:
            at = rng.randrange(len(line) + 1)
            junk = rng.choice(["\u202e", "\u0085", "\t", "\u00a0", "#", "'", '"', "{", "\\"])
            lines[index] = line[:at] + junk + line[at:]
        elif choice == 10:
            lines = lines[: max(1, index)]
        else:
            lines[index] = f"{line} {rng.choice(values)}" if line else rng.choice(values)
    return "\n".join(lines)


def _mutate_bytes(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 4)):
        if not data:
            break
        at = rng.randrange(len(data))
        kind = rng.randrange(5)
        if kind == 0:
            data[at] ^= 1 << rng.randrange(8)
        elif kind == 1:
            del data[at : at + rng.randint(1, 40)]
        elif kind == 2:
            data[at:at] = bytes(rng.choice([0x00, 0x09, 0x1B, 0x7F, 0x9B, 0xC2, 0xFF, 0xEF]))
        elif kind == 3:
            size = rng.randint(1, 200)
            data[at:at] = data[at : at + size] * rng.randint(2, 20)
        else:
            data[at:at] = "\u202e\u0085\ufeff".encode()
    return bytes(data[:1_100_000])


_BREAKS_SYNTAX = ("{a: 1, a: 2}", "- x", "? complex", "@", "`", "%", "a: b: c", "'unterminated")


def _gentle(text: str, rng: random.Random, values: list[str], json_text: bool) -> str:
    """Edits that keep the file parseable most of the time, to reach the models and beyond."""
    lines = text.split("\n")
    safe = [v for v in values if v not in _BREAKS_SYNTAX and "\n" not in v]
    for _ in range(rng.randint(1, 3)):
        candidates = [i for i, line in enumerate(lines) if ":" in line]
        if not candidates:
            break
        index = rng.choice(candidates)
        line = lines[index]
        head = line.split(":", 1)[0]
        choice = rng.randrange(6)
        if choice <= 3:
            if json_text:
                tail = "," if line.rstrip().endswith(",") else ""
                lines[index] = f"{head}: {rng.choice(safe)}{tail}"
            elif head.strip() and not line.rstrip().endswith(":"):
                lines[index] = f"{head}: {rng.choice(safe)}"
        elif choice == 4 and not json_text:
            del lines[index]
        else:
            lines.insert(index, line)
    return "\n".join(lines)


def mutate(text: str, rng: random.Random, *, json_text: bool = False) -> bytes:
    """One mutation of a file's text: mostly gentle edits, some line damage, some byte damage."""
    values = JSON_VALUES if json_text else YAML_VALUES
    roll = rng.random()
    if roll < 0.1:
        return _mutate_bytes(text.encode(), rng)
    if roll < 0.35:
        text = _mutate_lines(text, rng, values, rng.randint(1, 3))
    else:
        text = _gentle(text, rng, values, json_text)
    return text.encode("utf-8", "surrogatepass")


def mutate_template(text: str, rng: random.Random) -> bytes:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        index = rng.randrange(len(lines) + 1)
        if rng.random() < 0.7:
            lines.insert(index, rng.choice(TEMPLATE_SNIPPETS))
        elif lines:
            del lines[min(index, len(lines) - 1)]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


# --- inputs -----------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """One fuzz input: files to write under a fresh folder and CLI calls to make there."""

    kind: str
    index: int
    files: dict[str, bytes]
    calls: tuple[tuple[str, ...], ...]
    links: tuple[tuple[str, str], ...] = ()
    copy_rules: bool = False


def _case_texts() -> list[tuple[str, str]]:
    """The bundled example cases with free text planted (notes, placement), as YAML and JSON."""
    import yaml

    seeds = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        if not isinstance(data, dict) or data.get("schema") != "neuroseq/case/v1":
            continue
        data["notes"] = f"{SECRET} in the notes"
        data["client"]["placement"] = f"{SECRET} placement"
        seeds.append((path.name, yaml.safe_dump(data, sort_keys=False, allow_unicode=True)))
        seeds.append((path.name.replace(".yaml", ".json"), json.dumps(data, indent=2, default=str)))
    return seeds


def build_inputs(seed: int, counts: dict[str, int]) -> list[Input]:
    cases = _case_texts()
    case_file = EXAMPLES / "typical-9-year-old.yaml"
    typical = case_file.read_bytes()
    rule_files = sorted((ROOT / "rules").glob("*.yaml"))
    catalog = (ROOT / "catalog" / "interventions.yaml").read_text()
    norms = (ROOT / "scoring" / "norms.yaml").read_text()
    weights = (ROOT / "scoring" / "caregiver_weights.yaml").read_text()
    carers = [p.read_text() for p in sorted(EXAMPLES.glob("caregiver-*.yaml"))]
    examples = {
        p.name: p.read_bytes() for p in EXAMPLES.glob("*.yaml") if "caregiver" not in p.name
    }
    templates = {
        name: (ROOT / "reports" / "templates" / name).read_text()
        for name in ("plan.md.j2", "plan.html.j2")
    }
    inputs: list[Input] = []
    for kind, count in counts.items():
        for index in range(count):
            rng = random.Random(f"{seed}:{kind}:{index}")
            inputs.append(
                _one(
                    kind,
                    index,
                    rng,
                    cases,
                    typical,
                    rule_files,
                    catalog,
                    norms,
                    weights,
                    carers,
                    templates,
                    examples,
                )
            )
    return inputs


def _one(
    kind: str,
    index: int,
    rng: random.Random,
    cases: list[tuple[str, str]],
    typical: bytes,
    rule_files: list[Path],
    catalog: str,
    norms: str,
    weights: str,
    carers: list[str],
    templates: dict[str, str],
    examples: dict[str, bytes],
) -> Input:
    base = {"typical-9-year-old.yaml": typical, **examples}
    if kind == "case":
        name, text = rng.choice(cases)
        target = "case.json" if name.endswith(".json") else "case.yaml"
        data = mutate(text, rng, json_text=name.endswith(".json"))
        command = rng.choice(
            [
                ("score", target),
                ("score", target, "--format", "json"),
                ("plan", target, "--format", "json"),
                ("plan", target),
                ("explain", target),
            ]
        )
        return Input(kind, index, {target: data}, (command,))
    if kind == "rule":
        path = rng.choice([*rule_files, rule_files[0].with_name("rulebase.yaml")])
        data = mutate(path.read_text(), rng)
        files = {**base, f"rules/{path.name}": data}
        calls = (
            ("rules", "check", "--rules", "rules"),
            ("plan", "typical-9-year-old.yaml", "--rules", "rules", "--format", "json"),
        )
        return Input(kind, index, files, calls, copy_rules=True)
    if kind == "catalog":
        files = {**base, "catalog.yaml": mutate(catalog, rng)}
        command = rng.choice(
            [
                ("catalog", "list", "--catalog", "catalog.yaml"),
                (
                    "plan",
                    "typical-9-year-old.yaml",
                    "--catalog",
                    "catalog.yaml",
                    "--format",
                    "json",
                ),
                ("rules", "check", "--catalog", "catalog.yaml"),
            ]
        )
        return Input(kind, index, files, (command,))
    if kind == "norms":
        files = {**base, "norms.yaml": mutate(norms, rng)}
        command = rng.choice(
            [
                ("score", "typical-9-year-old.yaml", "--norms", "norms.yaml"),
                ("plan", "typical-9-year-old.yaml", "--norms", "norms.yaml", "--format", "md"),
            ]
        )
        return Input(kind, index, files, (command,))
    if kind == "weights":
        files = {**base, "carer.yaml": carers[0].encode(), "weights.yaml": mutate(weights, rng)}
        return Input(kind, index, files, (("cce", "carer.yaml", "--weights", "weights.yaml"),))
    if kind == "caregiver":
        text = rng.choice(carers).rstrip("\n") + f"\nnotes: {SECRET} at home\n"
        files = {**base, "carer.yaml": mutate(text, rng)}
        command = rng.choice(
            [
                ("cce", "carer.yaml"),
                ("cce", "carer.yaml", "--format", "json"),
                (
                    "plan",
                    "typical-9-year-old.yaml",
                    "--caregiver",
                    "carer.yaml",
                    "--format",
                    "json",
                ),
            ]
        )
        return Input(kind, index, files, (command,))
    if kind == "template":
        name = rng.choice(sorted(templates))
        fmt = "md" if name.startswith("plan.md") else "html"
        files = {**base, f"templates/{name}": mutate_template(templates[name], rng)}
        links: tuple[tuple[str, str], ...] = ()
        if rng.random() < 0.05:
            links = ((f"templates/{name}", "/proc/self/environ"),)
        command = ("plan", "typical-9-year-old.yaml", "--format", fmt, "--templates", "templates")
        return Input(kind, index, files, (command,), links)
    raise ValueError(kind)


# --- running ------------------------------------------------------------------------


def _classify(code: int, output: str, exception: BaseException | None) -> tuple[str, str]:
    if exception is not None and not isinstance(exception, SystemExit):
        return "internal", f"{type(exception).__name__}: {exception}"[:300]
    for line in output.splitlines():
        if "internal error" in line or "Traceback (most recent call last)" in line:
            return "internal", " | ".join(output.strip().splitlines()[:6])[:600]
    if code == 0:
        return "success", ""
    if code in (1, 2):
        if SECRET in output:
            return "internal", "a refusal quoted the planted free text"
        return "refusal", output.strip().splitlines()[0][:200] if output.strip() else ""
    return "internal", f"exit status {code}"


def _child(item: Input, folder: Path) -> dict[str, Any]:
    from click.testing import CliRunner

    from neuroseq.cli import main

    # A child never takes more than 2 GB: a memory bomb fails inside it, not the machine.
    limit = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.chdir(folder)
    if item.copy_rules:
        shutil.copytree(ROOT / "rules", folder / "rules", dirs_exist_ok=True)
    for name, data in item.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for name, target in item.links:
        (folder / name).unlink(missing_ok=True)
        (folder / name).symlink_to(target)
    worst = ("success", "")
    rank = {name: i for i, name in enumerate(OUTCOMES)}
    for call in item.calls:
        result = CliRunner().invoke(main, list(call))
        outcome = _classify(result.exit_code, result.output, result.exception)
        outcome = (outcome[0], f"{' '.join(call)}: {outcome[1]}")
        if rank[outcome[0]] > rank[worst[0]] or worst[0] == "success":
            worst = outcome
    return {"outcome": worst[0], "detail": worst[1]}


def run_one(item: Input, timeout: float) -> tuple[str, str]:
    """Fork, run ``item`` in the child, and classify how the child ended."""
    folder = Path(tempfile.mkdtemp(prefix="neuroseq-fuzz-"))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        code = 0
        try:
            os.setpgid(0, 0)
            report = _child(item, folder)
        except BaseException as exc:  # anything escaping the CLI itself is a bug
            report = {"outcome": "internal", "detail": f"{type(exc).__name__}: {exc}"[:300]}
            code = 3
        try:
            os.write(write_end, json.dumps(report).encode())
        finally:
            os._exit(code)
    os.close(write_end)
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    status = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read_end)
            shutil.rmtree(folder, ignore_errors=True)
            return "hang", f"still running after {timeout:g} s"
        ready, _, _ = select.select([read_end], [], [], min(left, 0.5))
        if ready:
            chunk = os.read(read_end, 65536)
            if chunk:
                chunks.append(chunk)
                continue
            break
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    if status is None:
        _, status = os.waitpid(pid, 0)
    os.close(read_end)
    shutil.rmtree(folder, ignore_errors=True)
    if os.WIFSIGNALED(status):
        return "crash", f"killed by signal {os.WTERMSIG(status)}"
    try:
        report = json.loads(b"".join(chunks) or b"{}")
    except ValueError:
        report = {}
    if not report:
        return "crash", f"no report (exit status {os.waitstatus_to_exitcode(status)})"
    return str(report["outcome"]), str(report["detail"])


def _run_all(inputs: list[Input], jobs: int, timeout: float) -> Iterator[tuple[Input, str, str]]:
    """Run every input; with ``jobs`` > 1, in that many forked fork servers, each a share.

    Workers are forked before any thread exists (forking a threaded process is
    unsafe), and each sends one JSON line per input back through a pipe.
    """
    if jobs <= 1:
        for item in inputs:
            yield (item, *run_one(item, timeout))
        return
    pipes: dict[int, tuple[int, bytes]] = {}
    for worker in range(jobs):
        read_end, write_end = os.pipe()
        if os.fork() == 0:
            os.close(read_end)
            with os.fdopen(write_end, "w") as out:
                for number in range(worker, len(inputs), jobs):
                    outcome, detail = run_one(inputs[number], timeout)
                    out.write(json.dumps([number, outcome, detail]) + "\n")
                    out.flush()
            os._exit(0)
        os.close(write_end)
        pipes[read_end] = (worker, b"")
    while pipes:
        ready, _, _ = select.select(list(pipes), [], [])
        for fd in ready:
            worker, pending = pipes[fd]
            chunk = os.read(fd, 65536)
            if not chunk:
                os.close(fd)
                del pipes[fd]
                continue
            pending += chunk
            *complete, pending = pending.split(b"\n")
            pipes[fd] = (worker, pending)
            for line in complete:
                number, outcome, detail = json.loads(line)
                yield inputs[number], outcome, detail
    while True:
        try:
            os.wait()
        except ChildProcessError:
            break


def warm_up() -> None:
    """Import and exercise every module once in the server, so children start warm."""
    from click.testing import CliRunner

    from neuroseq.cli import main

    case = str(EXAMPLES / "typical-9-year-old.yaml")
    for call in (
        ["score", case],
        ["plan", case, "--format", "md"],
        ["plan", case, "--format", "html"],
        ["cce", str(EXAMPLES / "caregiver-strong.yaml")],
        ["rules", "check"],
    ):
        result = CliRunner().invoke(main, call)
        if result.exit_code != 0:
            raise SystemExit(f"fuzz: warm-up `{' '.join(call)}` failed:\n{result.output}")


def _save(folder: Path, item: Input, outcome: str, detail: str) -> None:
    target = folder / f"{item.kind}-{item.index}-{outcome}"
    target.mkdir(parents=True, exist_ok=True)
    for name, data in item.files.items():
        (target / name.replace("/", "__")).write_bytes(data)
    (target / "README.txt").write_text(
        f"{outcome}: {detail}\ncalls: {[' '.join(c) for c in item.calls]}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--rules", type=int, default=500)
    parser.add_argument("--catalog", type=int, default=150)
    parser.add_argument("--norms", type=int, default=150)
    parser.add_argument("--weights", type=int, default=100)
    parser.add_argument("--caregiver", type=int, default=150)
    parser.add_argument("--templates", type=int, default=150)
    parser.add_argument("--timeout", type=float, default=30.0, help="Seconds before a hang.")
    parser.add_argument("--jobs", type=int, default=1, help="Children run at once.")
    parser.add_argument("--only", help="Run one input, KIND:INDEX (to reproduce a find).")
    parser.add_argument("--save", type=Path, help="Write each failing input here.")
    parser.add_argument("--quiet", action="store_true", help="Print the summary only.")
    args = parser.parse_args(argv)
    counts = {
        "case": args.cases,
        "rule": args.rules,
        "catalog": args.catalog,
        "norms": args.norms,
        "weights": args.weights,
        "caregiver": args.caregiver,
        "template": args.templates,
    }
    if args.only:
        kind, _, number = args.only.partition(":")
        counts = {kind: int(number) + 1}
    inputs = build_inputs(args.seed, counts)
    if args.only:
        inputs = inputs[-1:]
    warm_up()
    started = time.monotonic()
    tally: dict[str, Counter[str]] = {kind: Counter() for kind in counts}
    finds: list[tuple[Input, str, str]] = []
    report: Callable[[Input, str, str], None]

    def report(item: Input, outcome: str, detail: str) -> None:
        tally[item.kind][outcome] += 1
        if outcome not in GOOD:
            finds.append((item, outcome, detail))
            if not args.quiet:
                print(f"{outcome:8} {item.kind}:{item.index}  {detail}", flush=True)
            if args.save:
                _save(args.save, item, outcome, detail)

    for item, outcome, detail in _run_all(inputs, args.jobs, args.timeout):
        report(item, outcome, detail)
    elapsed = time.monotonic() - started
    print(f"fuzz: seed {args.seed}, {len(inputs)} inputs in {elapsed:.0f} s")
    header = "  ".join(f"{o:>8}" for o in OUTCOMES)
    print(f"  {'input':10}{header}")
    totals: Counter[str] = Counter()
    for kind, counter in tally.items():
        totals.update(counter)
        print(f"  {kind:10}" + "  ".join(f"{counter[o]:>8}" for o in OUTCOMES))
    print(f"  {'total':10}" + "  ".join(f"{totals[o]:>8}" for o in OUTCOMES))
    bad = sum(totals[o] for o in OUTCOMES if o not in GOOD)
    print(f"fuzz: {bad} internal errors, hangs or crashes" if bad else "fuzz: all inputs handled")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
