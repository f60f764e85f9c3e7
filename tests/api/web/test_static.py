"""htmx is served from the project (no CDN), as the npm package pinned in package.json, with its licence."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
VENDORED = ROOT / "static" / "vendor" / "htmx"
PACKAGE = ROOT / "node_modules" / "htmx.org"


def test_the_vendored_htmx_is_the_pinned_package_with_its_licence() -> None:
    assert (VENDORED / "htmx.min.js").stat().st_size > 10_000
    assert "Zero-Clause BSD" in (VENDORED / "LICENSE").read_text()
    if not PACKAGE.exists():
        pytest.skip("node_modules/htmx.org is not installed (npm ci): the copy cannot be compared")
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["htmx.org"]
    assert json.loads((PACKAGE / "package.json").read_text())["version"] == pinned
    assert (VENDORED / "htmx.min.js").read_bytes() == (PACKAGE / "dist" / "htmx.min.js").read_bytes(), "make vendor"
