"""The workflow modules stay deterministic: they import only what cannot reach the clock, chance,
the environment or the network, and they ask no clock but `workflow.now()`. The worker runs them
outside Temporal's sandbox (worker/main.py, `workflow_runner`), so this is checked here, on every
line, not only on the lines a test happens to run."""

import ast
from pathlib import Path

import pytest

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"

# Pure modules: data, dates as values, the Swedish calendar, Temporal's workflow API.
ALLOWED = {
    "annotated_types",
    "calendar",
    "collections",
    "collections.abc",
    "contextlib",
    "dataclasses",
    "datetime",
    "enum",
    "functools",
    "holidays",
    "itertools",
    "math",
    "re",
    "typing",
    "zoneinfo",
    "temporalio",
    "temporalio.common",
    "temporalio.exceptions",
    "temporalio.workflow",
}
# Calls that read the clock when made on a class (`datetime.now()`); `workflow.now()` is the
# workflow's own time, the same on every replay.
CLOCK_CALLS = {"now", "today", "utcnow", "fromtimestamp", "utcfromtimestamp"}
CLOCK_CLASSES = {"datetime", "date"}


def modules() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.py"))


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def clock_reads(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in CLOCK_CALLS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in CLOCK_CLASSES
        ):
            found.append((node.lineno, f"{node.func.value.id}.{node.func.attr}()"))
    return found


def test_the_workflow_modules_are_all_checked() -> None:
    names = {p.stem for p in modules()}
    assert {"journey", "track", "process", "calendar", "outbox"} <= names


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.name)
def test_a_workflow_module_imports_only_pure_modules(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    impure = [
        f"{path.name}:{line} imports {name}"
        for line, name in imported(tree)
        if name not in ALLOWED and name != "workflows" and not name.startswith("workflows.")
    ]
    assert not impure, "workflow code must stay deterministic:\n" + "\n".join(impure)


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.name)
def test_a_workflow_module_reads_no_clock_but_the_workflows(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    reads = [f"{path.name}:{line} calls {call}" for line, call in clock_reads(tree)]
    assert not reads, "use workflow.now() (the same on every replay):\n" + "\n".join(reads)


def test_the_checks_find_what_they_look_for() -> None:
    bad = ast.parse("import os\nfrom random import choice\nfrom datetime import datetime\nx = datetime.now()\n")
    assert [name for _, name in imported(bad)] == ["os", "random", "datetime"]
    assert clock_reads(bad) == [(4, "datetime.now()")]
    assert clock_reads(ast.parse("x = workflow.now()\ny = at.time()\n")) == []
