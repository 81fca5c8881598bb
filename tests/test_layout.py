"""The test layout guard: tests mirror the modules, and each test names its unit.

The rule, in one sentence: every module of a package listed in pyproject's
``[tool.setuptools] packages`` has a test file ``tests/<package folder>/test_<name>.py``,
and every test function (any name pytest collects, ``test*``) in a test file is named
``test_<unit>`` or ``test_<unit>_<behaviour>``, where ``<unit>`` is the name of a module
that file tests or a name bound at the top of one (def, class, assignment or ``__all__``;
leading and trailing underscores dropped, class and constant names in snake case), or,
for ``cli.py``, a command name (``score``, ``rules_check``).

How the pieces are read:

- A *module* is a ``.py`` file directly in a package folder; one with no statements
  (the empty ``__init__.py`` of engine/, reports/, rules/ and scoring/) has nothing to
  test. Its *name* is its file stem without underscores (``__main__`` -> ``main``),
  except that ``__init__`` is named ``package`` (its units include the package's name).
- A test file ``tests/<folder>/test_<stem>.py`` tests the module of that folder with the
  longest name such that ``<stem>`` is the name or starts with the name and ``_``: a
  module's tests may be split by aspect (``test_cli_input.py``, ``test_norms_validation.py``)
  and ``test_caregiver_loader.py`` still maps to ``caregiver_loader.py``, not ``caregiver.py``.
- A test file that maps to no module, or that tests several on purpose, is a cross-module
  suite and is listed in :data:`CROSS_MODULE_SUITES` with the modules it tests; a suite
  that checks a document or a harness of its own lists itself, so the names it defines
  (``RULES_README``, ``readme_commands``, ``browser``) are units too.
- A package listed in pyproject whose folder does not exist yet (a package being added on
  another branch, such as store/ or web/) is skipped; once its folder lands, its modules
  and ``tests/<folder>/`` are checked like the rest.
- ``bench/`` holds scripts, not a package, so it is not checked;
  ``tests/test_fuzz_slice.py`` tests ``bench/fuzz.py`` as a listed suite.
"""

from __future__ import annotations

import ast
import re
import tomllib
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"

CROSS_MODULE_SUITES: dict[str, tuple[str, ...]] = {
    # End to end: the real engine, from case file to rendered plan.
    "tests/engine/test_plan_end_to_end.py": ("cli.py", "engine/workflow.py"),
    "tests/engine/test_clinical_panel.py": ("cli.py", "engine/workflow.py"),
    "tests/caregiver/test_checks.py": ("scoring/caregiver_score.py", "engine/workflow.py"),
    "tests/reports/test_golden.py": ("reports/render.py",),
    "tests/reports/test_html_chromium.py": (
        "reports/render.py",
        "tests/reports/test_html_chromium.py",
    ),
    # Invariants over random inputs, and the engine's edges.
    "tests/scoring/test_properties.py": ("scoring/norms.py", "scoring/profile.py"),
    "tests/scoring/test_numbers_agree.py": (
        "scoring/norms.py",
        "scoring/profile.py",
        "reports/score_text.py",
    ),
    "tests/engine/test_check_plan_agreement.py": ("engine/rulebase.py", "engine/planner.py"),
    "tests/engine/test_engine_limits.py": (
        "engine/limits.py",
        "engine/adapter.py",
        "engine/packing.py",
    ),
    "tests/engine/test_watchdog.py": ("engine/adapter.py", "cli.py"),
    "tests/test_fuzz_slice.py": ("bench/fuzz.py",),
    # Data and documents checked against the code.
    "tests/catalog/test_content.py": ("catalog/model.py",),
    "tests/rules/test_rule_tests.py": ("engine/rule_tests.py",),
    "tests/caregiver/test_rules.py": ("engine/rule_tests.py", "engine/planner.py"),
    "tests/engine/test_rules_readme.py": (
        "engine/facts.py",
        "engine/compiler.py",
        "tests/engine/test_rules_readme.py",
    ),
    "tests/test_readme_commands.py": ("cli.py", "tests/test_readme_commands.py"),
    # Promises every stage keeps.
    "tests/test_error_family.py": (
        "errors.py",
        "cli.py",
        "source.py",
        "scoring/loader.py",
        "scoring/norms.py",
    ),
    "tests/test_privacy.py": (
        "cli.py",
        "source.py",
        "scoring/caregiver_loader.py",
        "scoring/caregiver_weights.py",
        "scoring/norms.py",
        "catalog/loader.py",
    ),
    "tests/test_robustness.py": ("cli.py", "source.py"),
    # This guard tests its own helpers.
    "tests/test_layout.py": ("tests/test_layout.py",),
    # The web app: the browser journeys run `neuroseq serve`; the security
    # tests check the guards and the routes they protect.
    "tests/web/test_journeys.py": ("cli_web.py", "web/app.py", "tests/web/test_journeys.py"),
    "tests/web/test_security.py": ("web/security.py", "web/app.py"),
    # Attacks on the web app, its CDS Hooks service and the store behind them.
    "tests/web/test_attacks.py": ("web/app.py", "web/cds.py", "web/security.py"),
    "tests/store/test_attacks.py": ("store/users.py", "store/case_store.py"),
}
"""Test files that are not one module's tests, each with the modules (repository paths)
whose units its test names may use."""


def _name(module: Path) -> str:
    """The name a module's test file and tests use: ``__init__`` is ``package``."""
    return "package" if module.stem == "__init__" else module.stem.strip("_")


def _snake(name: str) -> str:
    """``RuleEngine`` -> ``rule_engine``, ``ITEM_IDS`` -> ``item_ids``, ``_add`` -> ``add``."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name.strip("_"))
    return name.lower()


@cache
def package_folders() -> tuple[Path, ...]:
    """The folders of the packages pyproject lists that exist on this branch."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    roots = {name: ROOT / folder for name, folder in setuptools["package-dir"].items()}
    folders = []
    for package in setuptools["packages"]:
        top, _, rest = package.partition(".")
        folder = roots.get(top, ROOT / top).joinpath(*rest.split(".") if rest else [])
        if folder.is_dir():
            folders.append(folder)
    return tuple(folders)


def _has_statements(module: Path) -> bool:
    body = ast.parse(module.read_text(encoding="utf-8")).body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return bool(body)


@cache
def source_modules() -> tuple[Path, ...]:
    """Every module of the listed packages that has something to test."""
    return tuple(
        module
        for folder in package_folders()
        for module in sorted(folder.glob("*.py"))
        if _has_statements(module)
    )


def expected_test_file(module: Path) -> Path:
    """Where a module's tests live: ``scoring/norms.py`` -> ``tests/scoring/test_norms.py``."""
    return TESTS / module.parent.relative_to(ROOT) / f"test_{_name(module)}.py"


def modules_tested_by(test_file: Path) -> tuple[Path, ...]:
    """The modules a test file tests: listed for a cross-module suite, else by its name."""
    listed = CROSS_MODULE_SUITES.get(test_file.relative_to(ROOT).as_posix())
    if listed is not None:
        return tuple(ROOT / module for module in listed)
    folder = ROOT / test_file.parent.relative_to(TESTS)
    if folder not in package_folders():
        return ()
    stem = test_file.stem.removeprefix("test_")
    matches = [
        module
        for module in source_modules()
        if module.parent == folder
        and (stem == _name(module) or stem.startswith(_name(module) + "_"))
    ]
    return tuple(sorted(matches, key=lambda module: len(_name(module)))[-1:])


@cache
def cli_commands() -> frozenset[str]:
    """Every command and sub-command of ``neuroseq``, in snake case (``rules_check`` too)."""
    import click

    from neuroseq.cli import main

    names: set[str] = set()

    def walk(command: click.Command, prefix: str) -> None:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                names.update({name, prefix + name})
                walk(sub, prefix + name + "_")

    walk(main, "")
    return frozenset(name.replace("-", "_") for name in names)


def units_of(module: Path) -> frozenset[str]:
    """The unit names a test of this module may start with."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    names = {_name(module)}
    if module.stem == "__init__":
        names.add("neuroseq" if module.parent == ROOT else module.parent.name)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(target.id for target in targets if isinstance(target, ast.Name))
            if (
                any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)
                and node.value is not None
            ):
                names.update(ast.literal_eval(node.value))
    if module == ROOT / "cli.py":
        names |= cli_commands()
    return frozenset(_snake(name) for name in names if name.strip("_"))


def _test_functions(test_file: Path) -> list[str]:
    tree = ast.parse(test_file.read_text(encoding="utf-8"))
    nodes = list(tree.body)
    nodes += [sub for node in tree.body if isinstance(node, ast.ClassDef) for sub in node.body]
    return [
        node.name
        for node in nodes
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test")
    ]


def names_unit(test_name: str, units: frozenset[str]) -> bool:
    """Whether ``test_<unit>[_<behaviour>]`` starts with one of the units."""
    rest = test_name.removeprefix("test_")
    return any(rest == unit or rest.startswith(unit + "_") for unit in units)


def misnamed_tests() -> list[str]:
    """``path::name`` of every test whose name does not start with a unit it tests."""
    found = []
    for test_file in sorted(TESTS.rglob("test_*.py")):
        units = frozenset().union(*map(units_of, modules_tested_by(test_file)))
        for name in _test_functions(test_file):
            if not names_unit(name, units):
                found.append(f"{test_file.relative_to(ROOT)}::{name}")
    return found


def test_source_modules_each_have_their_test_file() -> None:
    missing = [
        f"{module.relative_to(ROOT)} (expected {expected_test_file(module).relative_to(ROOT)})"
        for module in source_modules()
        if not expected_test_file(module).is_file()
    ]
    assert missing == []


def test_modules_tested_by_every_test_file_are_known() -> None:
    orphans = [
        str(test_file.relative_to(ROOT))
        for test_file in sorted(TESTS.rglob("test_*.py"))
        if not modules_tested_by(test_file)
    ]
    assert orphans == [], "add each to CROSS_MODULE_SUITES or name it after its module"


def test_cross_module_suites_list_files_that_exist() -> None:
    stale = [
        path
        for path, modules in CROSS_MODULE_SUITES.items()
        for file in (path, *modules)
        if not (ROOT / file).is_file()
    ]
    assert stale == []


def test_misnamed_tests_are_none() -> None:
    assert misnamed_tests() == []


def test_package_folders_follow_pyproject() -> None:
    folders = {folder.relative_to(ROOT).as_posix() for folder in package_folders()}
    assert {".", "scoring", "engine", "catalog", "reports", "examples"} <= folders
    assert "tests" not in folders and "bench" not in folders


@pytest.mark.parametrize(
    ("test_file", "module"),
    [
        ("tests/test_cli.py", "cli.py"),
        ("tests/test_cli_input.py", "cli.py"),
        ("tests/test_main.py", "__main__.py"),
        ("tests/catalog/test_package.py", "catalog/__init__.py"),
        ("tests/scoring/test_caregiver_loader.py", "scoring/caregiver_loader.py"),
        ("tests/scoring/test_caregiver.py", "scoring/caregiver.py"),
        ("tests/scoring/test_norms_validation.py", "scoring/norms.py"),
    ],
    ids=lambda value: value.removeprefix("tests/"),
)
def test_modules_tested_by_a_file_name_map_by_the_longest_module_name(
    test_file: str, module: str
) -> None:
    assert modules_tested_by(ROOT / test_file) == (ROOT / module,)


def test_modules_tested_by_an_unlisted_theme_file_are_none() -> None:
    assert modules_tested_by(TESTS / "engine" / "test_everything_at_once.py") == ()
    assert modules_tested_by(TESTS / "nowhere" / "test_cli.py") == ()


def test_expected_test_file_of_dunder_modules() -> None:
    assert expected_test_file(ROOT / "__main__.py") == TESTS / "test_main.py"
    assert expected_test_file(ROOT / "catalog" / "__init__.py") == (
        TESTS / "catalog" / "test_package.py"
    )


def test_units_of_snake_cases_classes_and_constants_and_drops_underscores() -> None:
    planner = units_of(ROOT / "engine" / "planner.py")
    assert {"planner", "add_months"} <= planner
    assert "rule_engine" in units_of(ROOT / "engine" / "adapter.py")
    assert "item_ids" in units_of(ROOT / "scoring" / "items.py")


def test_units_of_cli_include_its_commands() -> None:
    units = units_of(ROOT / "cli.py")
    assert {"cli", "score", "plan", "rules", "rules_check", "catalog_show", "cce"} <= units


def test_units_of_a_package_include_its_exports() -> None:
    assert {"package", "catalog", "load_catalog"} <= units_of(ROOT / "catalog" / "__init__.py")


def test_names_unit_needs_the_whole_unit_then_an_underscore() -> None:
    units = frozenset({"score", "load_case"})
    assert names_unit("test_score", units)
    assert names_unit("test_score_rounds_half_points", units)
    assert names_unit("test_load_case_refuses_tabs", units)
    assert not names_unit("test_scores_json", units)
    assert not names_unit("test_load_refuses_tabs", units)
