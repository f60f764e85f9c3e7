"""Recorded workflow histories, append-only.

Layout: `tests/histories/<scenario>/<UTC stamp>-<commit>.json`, e.g.
`journey-close/20261123T154612Z-8819198.json`: the name says when and from which code the
recording was made (`-dirty` when workflows/ had uncommitted changes). `manifest.json` lists
every recording with its sha256: `make histories` adds new files and their lines, and never
replaces a file, so an overwritten, edited or deleted recording fails tests/test_replay.py.
"""

import ast
import base64
import hashlib
import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TypeGuard

ROOT = Path(__file__).resolve().parent.parent
HISTORIES = ROOT / "tests" / "histories"
MANIFEST = HISTORIES / "manifest.json"
STAMP = "%Y%m%dT%H%M%SZ"
NAME = re.compile(r"^(?P<stamp>\d{8}T\d{6}Z)-(?P<commit>[0-9a-z]+(?:-dirty)?)\.json$")
PATCH_MARKER = "core_patch"

# Every `workflow.patched(...)` id, with when it came into the code (its commit's time, UTC).
# A scenario first recorded after a patch existed cannot have a recording from before it;
# every other scenario that crosses the patch must keep one. Add a new patch here when you
# add it to a workflow, with the time you add it.
PATCHES: dict[str, datetime] = {
    "track-workflow-owns-seats": datetime(2026, 11, 23, 15, 20, 44, tzinfo=UTC),  # fd9bbf4
    "outbox-one-pass-per-turn": datetime(2026, 11, 23, 15, 26, 10, tzinfo=UTC),  # 882d78f
    "process-of-the-agreements": datetime(2026, 11, 23, 21, 33, 30, tzinfo=UTC),  # ba01f44
    "target-groups-and-gender-search-attributes": datetime(2026, 11, 23, 22, 13, 30, tzinfo=UTC),  # 8dc0ad8
    "protected-identity-action": datetime(2026, 11, 24, 1, 41, 14, tzinfo=UTC),  # branch extract11
    "opened-at-the-referral": datetime(2026, 11, 24, 1, 32, 0, tzinfo=UTC),  # bench12
    "first-written-by-the-api": datetime(2026, 11, 24, 5, 45, 58, tzinfo=UTC),
    "every-patch-before-one-marker": datetime(2026, 11, 25, 6, 0, 0, tzinfo=UTC),
}


@dataclass(frozen=True)
class Recording:
    path: Path

    @property
    def name(self) -> str:
        """Its key in the manifest: `<scenario>/<file>`."""
        return self.path.relative_to(HISTORIES).as_posix()

    @property
    def scenario(self) -> str:
        return self.path.parent.name

    @property
    def made_at(self) -> datetime:
        found = NAME.match(self.path.name)
        assert found, f"{self.name} is not named <UTC stamp>-<commit>.json"
        return datetime.strptime(found["stamp"], STAMP).replace(tzinfo=UTC)

    @cached_property
    def text(self) -> str:
        return self.path.read_text()

    @cached_property
    def patches(self) -> frozenset[str]:
        """The patch ids whose markers this history recorded: the `workflow.patched` it crossed."""
        found = set()
        for event in json.loads(self.text)["events"]:
            marker = event.get("markerRecordedEventAttributes")
            if marker is None or marker["markerName"] != PATCH_MARKER:
                continue
            for payload in marker["details"]["patch-data"]["payloads"]:
                encoding = base64.b64decode(payload["metadata"]["encoding"]).decode()
                assert encoding == "json/plain", f"{self.name}: a patch marker encoded as {encoding}"
                found.add(json.loads(base64.b64decode(payload["data"]))["id"])
        return frozenset(found)


def is_recording(path: Path) -> bool:
    return path.parent.parent == HISTORIES and NAME.match(path.name) is not None


def recordings() -> list[Recording]:
    return sorted((Recording(p) for p in HISTORIES.glob("*/*.json")), key=lambda r: (r.scenario, r.made_at, r.name))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest() -> dict[str, str]:
    return dict(json.loads(MANIFEST.read_text())) if MANIFEST.exists() else {}


def code_version() -> str:
    """The commit the recording is made from; `-dirty` when workflows/ has changes not committed."""
    try:
        commit = _git("rev-parse", "--short=7", "HEAD").strip()
        dirty = _git("status", "--porcelain", "--", "workflows").strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}-dirty" if dirty else commit


def keep(scenario: str, history_json: str, made_at: datetime | None = None) -> Path:
    """A new recording of `scenario`, and its line in the manifest. Never replaces a file."""
    stamp = (made_at or datetime.now(UTC)).astimezone(UTC).strftime(STAMP)
    path = HISTORIES / scenario / f"{stamp}-{code_version()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x") as out:  # exclusive: an existing recording is never overwritten
        out.write(history_json)
    listed = manifest()
    listed[Recording(path).name] = sha256(path)
    MANIFEST.write_text(json.dumps(dict(sorted(listed.items())), indent=1) + "\n")
    return path


def patches_in_code() -> dict[str, str]:
    """Every patch id the workflow code asks `workflow.patched`/`deprecate_patch` about, with where;
    and through a method that passes its argument on to them (the journey's `_since`)."""
    found: dict[str, str] = {}
    for source in sorted((ROOT / "workflows").glob("*.py")):
        tree = ast.parse(source.read_text())
        asks, passed_on = {"patched", "deprecate_patch"}, set()
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef):
                params = {a.arg for a in fn.args.args}
                for call in ast.walk(fn):
                    if _asks(call, {"patched"}) and isinstance(call.args[0], ast.Name) and call.args[0].id in params:
                        asks.add(fn.name)
                        passed_on.add(call)
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        for call in ast.walk(tree):
            if not _asks(call, asks) or call in passed_on:
                continue
            arg = call.args[0]
            where = f"{source.relative_to(ROOT)}:{call.lineno}"
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found[arg.value] = where
            elif isinstance(arg, ast.Name) and arg.id in constants:
                found[constants[arg.id]] = where
            else:
                raise AssertionError(f"{where}: give the patch id as a string or a module-level constant")
    return found


def _asks(node: ast.AST, names: set[str]) -> TypeGuard[ast.Call]:
    """A call of `<something>.<one of names>(<argument>, ...)`."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    return node.func.attr in names and bool(node.args)


def changed_in_git() -> Iterator[str]:
    """Recordings (in this layout) that any commit modified or deleted. Raises OSError or
    CalledProcessError where there is no git or no repository."""
    log = _git("log", "--format=", "--name-status", "--no-renames", "--", "tests/histories")
    for line in log.splitlines():
        status, _, path = line.partition("\t")
        if status in ("M", "D") and is_recording(ROOT / path):
            yield f"{status} {path}"


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout
