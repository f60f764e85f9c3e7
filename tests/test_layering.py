"""The layers, read from the code's own imports (every import in a module, a function's too):
workflows import nothing impure (tests/workflows/test_determinism.py), `core` nothing of the
layers above it, `api` nothing of the worker's side, a route or page module no other route
module, and no module imports itself back through others."""

from pathlib import Path

import pytest

from tests.imports import imported_modules

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "store", "workflows", "activities", "services", "api", "worker")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def our_imports(path: Path) -> set[str]:
    """The modules of ours `path` imports (`from package import module` names the module)."""
    return {name for name in imported_modules(path) if name in MODULES}


MODULES = {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
# A package may name itself to import its own modules (`from api.web import pages` in api/web).
IMPORTS = {name: our_imports(path) - {name} for name, path in MODULES.items()}


def importers(prefix: str) -> dict[str, set[str]]:
    return {name: found for name, found in IMPORTS.items() if name == prefix or name.startswith(prefix + ".")}


@pytest.mark.parametrize(
    ("layer", "never"),
    [
        ("core", ("workflows", "activities", "services", "api", "worker", "store")),
        ("store", ("activities", "services", "api", "worker")),
        ("services", ("activities", "api", "worker")),
        ("activities", ("api", "worker")),
        ("api", ("activities", "worker")),
    ],
)
def test_a_layer_imports_nothing_of_the_layers_it_must_not_know(layer: str, never: tuple[str, ...]) -> None:
    wrong = {
        name: sorted(m for m in found if m.split(".")[0] in never) for name, found in importers(layer).items()
    }
    assert not {name: found for name, found in wrong.items() if found}


def test_a_route_or_page_module_imports_no_route_module() -> None:
    """What two route modules share lives beside them (api.deps, api.moments, the answers)."""
    wrong = {
        name: sorted(m for m in found if m.startswith("api.routes.") and m != name)
        for name, found in IMPORTS.items()
        if name.startswith(("api.routes.", "api.web"))
    }
    assert not {name: found for name, found in wrong.items() if found}


def test_no_module_imports_itself_back() -> None:
    def cycle_from(start: str) -> list[str] | None:
        stack, seen = [(start, [start])], set()
        while stack:
            name, path = stack.pop()
            for nxt in IMPORTS.get(name, ()):
                if nxt == start:
                    return [*path, start]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
        return None

    cycles = [c for c in map(cycle_from, sorted(IMPORTS)) if c]
    assert not cycles, cycles[:3]
