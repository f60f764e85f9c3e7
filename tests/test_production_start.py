"""A production start (compose's `prestart`, or `python -m worker.launch` without `make run`)
creates the administrator and no demo user: their password is in the README."""

import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from store.db import session_scope
from store.models import User
from store.seed import DEMO_USERS

ROOT = Path(__file__).resolve().parent.parent


def prestart(tmp_path: Path, **extra: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMVERKAN_")}
    env |= {"SAMVERKAN_DATA_DIR": str(tmp_path / "data"), "SAMVERKAN_ADMIN_PASSWORD": "a-long-admin-password"}
    env |= {"PYTHONPATH": str(ROOT), "SAMVERKAN_LOG_LEVEL": "warning"} | extra
    # In an empty directory: no .env of a developer's machine is read.
    command = [sys.executable, "-m", "store.prestart"]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with session_scope(f"sqlite:///{tmp_path / 'data' / 'samverkan.db'}") as session:
        return set(session.exec(select(User.username)).all())


def test_a_production_start_seeds_no_demo_user(tmp_path: Path) -> None:
    assert prestart(tmp_path) == {"admin"}


def test_the_demo_users_come_only_when_asked_as_make_run_does(tmp_path: Path) -> None:
    assert prestart(tmp_path, SAMVERKAN_SEED_DEMO="true") == {"admin"} | {u[0] for u in DEMO_USERS}
