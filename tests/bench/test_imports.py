"""Every tool in bench/ still imports: the bench is run by hand and by `make bench`, not by the
suite, and a tool left behind by a change of the code it measures fails only when someone needs
it (bench/pieces.py had, since the login's hardening changed its token calls)."""

import importlib
import pkgutil

import pytest

import bench

TOOLS = [m.name for m in pkgutil.iter_modules(bench.__path__, "bench.") if not m.name.endswith("__main__")]


@pytest.mark.parametrize("name", TOOLS)
def test_a_bench_tool_imports(name: str) -> None:
    importlib.import_module(name)
