"""Secrets at start, on SQLite and PostgreSQL: made once (atomically, owner-only) while no case
exists; once a case exists, a lost payload key, person-hash key or master key stops the start
instead of being silently replaced by a new one that would orphan every case."""

import base64
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from core.secrets import MissingSecret
from core.settings import Settings
from store.case_keys import case_keys_for, checked_ring
from store.migrate import upgrade

MASTER = base64.urlsafe_b64encode(bytes(range(32))).decode()


def settings(data_dir: Path, database_url: str, **values: Any) -> Settings:
    return Settings(data_dir=data_dir, database_url=database_url, _env_file=None, **values)


def test_secrets_are_made_before_the_first_case_and_never_after(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    plain = settings(tmp_path, database_url)
    ring = checked_ring(plain)  # no case yet: the payload and person-hash keys are made
    for name in ("payload-key", "person-key"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600, name
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    case_keys_for(database_url, ring).key("c-secrets-1")  # a case exists from here on
    assert checked_ring(plain).keys == ring.keys  # the same keys, read back

    for name in ("payload-key", "person-key"):
        kept = (tmp_path / name).read_bytes()
        (tmp_path / name).unlink()
        with pytest.raises(MissingSecret, match=name):
            checked_ring(plain)
        assert not (tmp_path / name).exists()  # not regenerated
        (tmp_path / name).write_bytes(kept)

    # A case key wrapped under a master key that later leaves the ring: an error at start.
    rotated = settings(tmp_path, database_url, master_keys=json.dumps({"m-2": MASTER}), master_key_id="m-2")
    case_keys_for(database_url, checked_ring(rotated)).key("c-secrets-2")
    with pytest.raises(MissingSecret, match="m-2"):
        checked_ring(plain)
    assert checked_ring(rotated).current_id == "m-2"
