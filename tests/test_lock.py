"""The lock files say exactly what `make run`, `make test`, CI and the Dockerfile install: they
must agree with pyproject.toml's dependencies, and this environment must be what they lock.
When a test here fails after a change to pyproject.toml, run `make lock`."""

import sys
import tomllib
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.imports import imported_modules

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "samverkan (pyproject.toml)"


@dataclass
class Pin:
    requirement: Requirement
    hashes: int = 0
    via: list[str] = field(default_factory=list)

    @property
    def version(self) -> str:
        return next(iter(self.requirement.specifier)).version


def pins(lock: Path) -> dict[str, Pin]:
    """The pins of a `uv pip compile --generate-hashes` file, with their hashes and `# via` lines."""
    found: dict[str, Pin] = {}
    current: Pin | None = None
    for line in lock.read_text().splitlines():
        text = line.strip().removesuffix("\\").strip()
        if not text or line.startswith("#"):
            continue
        if not line.startswith(" "):
            current = Pin(Requirement(text))
            found[canonicalize_name(current.requirement.name)] = current
        elif current is not None and text.startswith("--hash="):
            current.hashes += 1
        elif current is not None and text.startswith("#"):
            via = text.lstrip("#").strip().removeprefix("via").strip()
            if via:
                current.via.append(via)
    return found


def declared(extra: str | None = None) -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return {canonicalize_name(r.name): r for r in map(Requirement, listed)}


def direct(locked: dict[str, Pin]) -> set[str]:
    return {name for name, pin in locked.items() if PROJECT in pin.via}


@pytest.mark.parametrize(
    ("lock", "wanted"),
    [
        ("requirements.lock", [None]),
        ("requirements-dev.lock", [None, "dev"]),
        ("requirements-bench.lock", [None, "bench"]),
    ],
)
def test_lock_pins_exactly_the_declared_dependencies(lock: str, wanted: list[str | None]) -> None:
    locked = pins(ROOT / lock)
    needed = {name: r for extra in wanted for name, r in declared(extra).items()}
    stale = " Run `make lock`."
    unlocked, dropped = set(needed) - direct(locked), direct(locked) - set(needed)
    assert not unlocked and not dropped, (
        f"{lock}: not locked {sorted(unlocked)}, no longer declared {sorted(dropped)}.{stale}"
    )
    for name, requirement in needed.items():
        pin = locked[name]
        assert requirement.specifier.contains(pin.version, prereleases=True), (
            f"{lock} pins {name}=={pin.version}, outside pyproject.toml's {requirement}.{stale}"
        )
    unhashed = [name for name, pin in locked.items() if pin.hashes == 0]
    assert not unhashed, f"{lock} has pins without hashes: {unhashed}"


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-bench.lock"])
def test_other_locks_pin_the_dev_locks_versions(lock: str) -> None:
    other, dev = pins(ROOT / lock), pins(ROOT / "requirements-dev.lock")
    shared = [n for n in other if n in dev]
    differ = {n: (other[n].version, dev[n].version) for n in shared if other[n].version != dev[n].version}
    assert not differ, f"{lock} would run other versions than the tests: {differ}"


def test_the_image_runs_only_what_the_tests_ran() -> None:
    assert set(pins(ROOT / "requirements.lock")) <= set(pins(ROOT / "requirements-dev.lock"))


def test_this_environment_is_the_dev_lock() -> None:
    wrong: dict[str, str] = {}
    for name, pin in pins(ROOT / "requirements-dev.lock").items():
        if pin.requirement.marker is not None and not pin.requirement.marker.evaluate():
            continue
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "missing"
        if installed != pin.version:
            wrong[name] = f"{installed}, locked {pin.version}"
    assert not wrong, f"installed packages differ from requirements-dev.lock: {wrong}"



def test_the_image_installs_every_package_its_code_imports() -> None:
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    ours = {name.split(".")[0] for name in packages}
    sources = {path for name in ours for path in (ROOT / name).rglob("*.py")}
    top = {name.split(".")[0] for path in sources for name in imported_modules(path)}
    top -= ours | set(sys.stdlib_module_names)
    owners = packages_distributions()
    imported = {canonicalize_name(owner) for name in top for owner in owners.get(name, [name])}
    assert {"temporalio", "fastapi", "sqlmodel"} <= imported  # the scan sees the imports
    missing = imported - set(pins(ROOT / "requirements.lock"))
    assert not missing, f"the service imports {sorted(missing)}, which the image does not install"
