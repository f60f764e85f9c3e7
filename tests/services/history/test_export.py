"""The export's SHA-256 is reproducible by anyone, and a history sent back is read or refused
with the field named."""

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from services.history.errors import InvalidField
from services.history.export import digest, read_document

DOCUMENT: dict[str, Any] = {
    "format": "samverkan-history-export/1",
    "workflow_id": "journey-abc",
    "exported_by": "granskare",
    "runs": [{"run_id": "r1", "history": {"events": [{"eventId": "1", "note": "Åsa möter AF"}]}}],
}


def test_digest_covers_everything_but_itself_in_any_key_order() -> None:
    reordered = dict(reversed(list(DOCUMENT.items())))
    assert digest(DOCUMENT) == digest(reordered) == digest(DOCUMENT | {"sha256": "anything"})
    changed = json.loads(json.dumps(DOCUMENT))
    changed["runs"][0]["history"]["events"][0]["note"] = "Åsa möter kommunen"
    assert digest(changed) != digest(DOCUMENT)


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_the_readme_recipe_with_jq_gives_the_same_sha256(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(DOCUMENT | {"sha256": digest(DOCUMENT)}, indent=2, ensure_ascii=False))
    canonical = subprocess.run(["jq", "-jcS", "del(.sha256)", str(path)], capture_output=True, check=True).stdout
    sha = subprocess.run(["sha256sum"], input=canonical, capture_output=True, check=True).stdout.split()[0]
    assert sha.decode() == digest(DOCUMENT)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "body"),
        ({}, "runs"),
        ({"runs": []}, "runs"),
        ({"runs": [{"history": {"events": []}}], "workflow_id": "journey-x"}, "runs.0.history"),
        ({"runs": [{"history": {"events": [{"eventId": "x"}]}}]}, "workflow_id"),
        ({"runs": [{"history": {"events": [{"eventType": "NOT_A_TYPE"}]}}], "workflow_id": "w"}, "runs.0.history"),
        ({"events": "none"}, "events"),
    ],
)
def test_what_is_not_a_history_is_refused_naming_the_field(body: Any, field: str) -> None:
    with pytest.raises(InvalidField) as refused:
        read_document(body)
    assert refused.value.field == field
