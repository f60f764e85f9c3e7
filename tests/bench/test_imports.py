"""Every tool in bench/ names only what exists: the bench is run by hand and by `make bench`,
not by the suite, and a tool left behind by a change of the code it measures fails only when
someone needs it (bench/pieces.py had, since the login's hardening changed its token calls).

Read from the source, not imported: the tools need the bench's extra (aiohttp, pyinstrument),
which `make test` does not install. Each `from <our module> import <name>` must find the name,
each other package must be locked for the tests or for the bench."""

import ast
import importlib
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from tests.test_lock import ROOT, pins

OURS = ("core", "store", "workflows", "activities", "services", "api", "worker", "bench", "tests")
TOOLS = sorted((ROOT / "bench").glob("*.py"))


def defined_in(module: str) -> set[str]:
    """The names a bench module defines at its top level, read from its source."""
    tree = ast.parse((ROOT / (module.replace(".", "/") + ".py")).read_text())
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def missing_names(module: str, names: list[str]) -> list[str]:
    if module == "bench" or module.startswith("bench."):
        if module == "bench":  # `from bench import client`: a module of the package
            return [n for n in names if not (ROOT / "bench" / f"{n}.py").exists()]
        return [n for n in names if n not in defined_in(module)]
    imported = importlib.import_module(module)
    return [n for n in names if not hasattr(imported, n) and not (ROOT / module.replace(".", "/") / f"{n}.py").exists()]


@pytest.mark.parametrize("tool", TOOLS, ids=lambda p: p.stem)
def test_a_bench_tool_names_only_what_exists(tool: Path) -> None:
    locked = set(pins(ROOT / "requirements-dev.lock")) | set(pins(ROOT / "requirements-bench.lock"))
    owners = packages_distributions()
    wrong: list[str] = []
    for node in ast.walk(ast.parse(tool.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            top = node.module.split(".")[0]
            if top in OURS:
                wrong += [f"{node.module}.{n}" for n in missing_names(node.module, [a.name for a in node.names])]
                continue
            packages = [top]
        elif isinstance(node, ast.Import):
            packages = [a.name.split(".")[0] for a in node.names if a.name.split(".")[0] not in OURS]
        else:
            continue
        for top in packages:
            if top in sys.stdlib_module_names:
                continue
            if not {canonicalize_name(d) for d in owners.get(top, [top])} & locked:
                wrong.append(f"{top} (not locked)")
    assert not wrong, f"{tool.name} imports what is not there: {wrong}"
