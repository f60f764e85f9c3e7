"""A Temporal server that takes calls and never answers them (a dev server of its own, stopped
with SIGSTOP: its port still takes connections) costs an opening and a history read the
service's deadline, and then a 503 to come back, not the SDK's own 30 s per call and, for the
history, an error page. On SQLite and PostgreSQL."""

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from temporalio.client import Client

from core.secrets import person_key_secret
from services import cases
from services.cases import CaseCreate
from services.errors import Unavailable
from services.history import audit, runs
from store.cases import person_key
from store.db import session_scope
from store.models import CaseSummary, OpenPerson
from store.users import get_user
from tests.stack import Stack, case_body, dev_server

DEADLINE = 1.0


@contextmanager
def stopped(target: str) -> Iterator[None]:
    """The dev server at `target` stopped (SIGSTOP) until the block ends."""
    port = target.rsplit(":", 1)[1]
    found = subprocess.run(["pgrep", "-f", f"start-dev --port {port} "], capture_output=True, text=True, check=True)
    pid = int(found.stdout.split()[0])
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


async def test_a_temporal_that_never_answers_is_a_503_within_the_deadline(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = stack.settings.model_copy(update={"action_timeout": DEADLINE})
    monkeypatch.setattr(runs, "CALL_DEADLINE", DEADLINE)
    body = CaseCreate.model_validate(case_body())
    existing = await stack.open_case()
    async with dev_server() as env:
        target = env.client.service_client.config.target_host
        silent = await Client.connect(target, data_converter=stack.temporal.data_converter)
        with session_scope(settings.database_url) as session, stopped(target):
            user = get_user(session, "handlaggare")
            auditor = get_user(session, "granskare")
            assert user is not None and auditor is not None
            session.expunge_all()

            began = time.monotonic()
            with pytest.raises(Unavailable):
                await cases.open_case(session, settings, silent, user, body)
            # The start and the question whether it began, each within the deadline (the SDK
            # alone gave each 30 s).
            assert time.monotonic() - began < 4 * DEADLINE + 2
            # The start may have reached Temporal: the person stays reserved, the row stays.
            held = session.get(OpenPerson, person_key(person_key_secret(settings), body.personal_number))
            assert held is not None and session.get(CaseSummary, held.case_id) is not None

            began = time.monotonic()
            with pytest.raises(Unavailable):
                await audit.case_timeline(session, silent, auditor, existing["case_id"])
            assert time.monotonic() - began < 2 * DEADLINE + 2
