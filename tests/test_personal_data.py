"""The personal number and names stay inside: encrypted in Temporal, absent from ids, search
attributes and every log line, the failures' too, on SQLite and PostgreSQL."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from temporalio.client import Client

from core.logging import configure_logging
from store.db import engine_for, session_scope
from store.models import CaseSummary
from store.seed import DEMO_PASSWORD
from tests.stack import Stack, eventually, personal_number

W = "handlaggare"
# A case worker with a short name: SQLAlchemy quotes the first 150 characters of a long
# parameter (the case's view), where the participant's names then fall.
SHORT = "ea"
# Names long enough that no id, key or ciphertext in a debug log holds them by chance.
GIVEN, FAMILY = "Yusufiya", "Abdirahmanova"
REFUSAL = "refused by the test"


async def test_temporal_sees_only_ciphertext(any_stack: Stack) -> None:
    stack = any_stack
    number = personal_number()
    case = await stack.open_case(personal_number=number, given_name="Zainab", family_name="Warsame")
    cid = case["case_id"]
    await stack.act("handlaggare", cid, "complete-introduction", {"note": "Zainab mådde bra"})
    # A client without the key sees what the server stores.
    raw = await Client.connect(stack.temporal.service_client.config.target_host, namespace=stack.temporal.namespace)
    history = await raw.get_workflow_handle(f"journey-{cid}").fetch_history()
    blob = history.to_json()
    digits = number.replace("-", "")
    for secret in (digits, digits[2:], "Zainab", "Warsame"):
        assert secret not in blob
    assert "YmluYXJ5L2VuY3J5cHRlZA==" in blob  # base64 of the "binary/encrypted" encoding
    assert digits not in cid and f"journey-{cid}" == history.workflow_id


class Everything(logging.Handler):
    """Keeps every record of the standard library's logging (the Temporal SDK, SQLAlchemy,
    uvicorn…) whole: message, arguments, traceback and the extra fields."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        return "\n".join(f"{self.format(r)} {vars(r)!r}" for r in self.records)


@contextmanager
def every_log_line() -> Iterator[Everything]:
    """Every logger at debug, every record kept; structlog renders JSON (to stdout)."""
    root, handler = logging.getLogger(), Everything()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    configure_logging("json", "debug")
    try:
        yield handler
    finally:
        configure_logging("console", "warning")
        root.setLevel(level)
        root.removeHandler(handler)


@contextmanager
def refusing_to_close(url: str, case_id: str) -> Iterator[None]:
    """A database that refuses the write of the case's closing (which carries its whole view,
    names and all, as a parameter), until the block ends."""
    name = f"refuse_{case_id}"
    when = f"NEW.case_id = '{case_id}' AND NEW.status = 'closed'"
    if url.startswith("sqlite"):
        create = [f"CREATE TRIGGER {name} BEFORE UPDATE ON case_summary WHEN {when} "
                  f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"]
        drop = [f"DROP TRIGGER {name}"]
    else:
        create = [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$",
            f"CREATE TRIGGER {name} BEFORE UPDATE ON case_summary FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION {name}()",
        ]
        drop = [f"DROP TRIGGER {name} ON case_summary", f"DROP FUNCTION {name}()"]
    engine = engine_for(url)
    with engine.begin() as conn:
        for statement in create:
            conn.execute(text(statement))
    try:
        yield
    finally:
        with engine.begin() as conn:
            for statement in drop:
                conn.execute(text(statement))


async def test_no_log_line_carries_personal_data(any_stack: Stack, capfd: pytest.CaptureFixture[str]) -> None:
    stack = any_stack
    number = personal_number()
    user = {"username": SHORT, "password": DEMO_PASSWORD, "role": "case_worker", "organisation": "0581",
            "display_name": "E A"}
    r = await stack.api.post("/api/v1/users", json=user, headers=await stack.headers("admin"))
    assert r.status_code in (201, 409), r.text
    with every_log_line() as logs:
        case = await stack.open_case(SHORT, personal_number=number, given_name=GIVEN, family_name=FAMILY)
        cid = case["case_id"]
        await stack.act(W, cid, "record-exit", {"reason": "moved"})
        await stack.api.post("/api/v1/cases", json={"personal_number": number}, headers=await stack.headers(W))
        await eventually(lambda: _listed(stack, cid, "exited"))

        # The projection of the closing fails in the database, with the names in the statement's
        # parameters: the SDK logs the failed activity with its traceback, and retries.
        with refusing_to_close(stack.settings.resolved_database_url, cid):
            await stack.act(W, cid, "close", {"reason": "flyttat"})
            failed = await eventually(lambda: _failed_projection(logs))
        await eventually(lambda: _listed(stack, cid, "closed"), timeout=30)
        captured = capfd.readouterr()

    assert failed.exc_info is not None and REFUSAL in logging.Formatter().formatException(failed.exc_info)
    everything = "\n".join([logs.text(), captured.out, captured.err])
    assert "case_projected" in everything  # structlog's lines were captured too
    digits = number.replace("-", "")
    for secret in (number, digits, digits[2:], number[2:], GIVEN, FAMILY):
        assert secret not in everything, f"{secret!r} in the logs"


async def _failed_projection(logs: Everything) -> logging.LogRecord:
    """The SDK's warning that the projection activity failed (it retries after)."""
    sdk_warnings = [r for r in logs.records if r.name == "temporalio.activity" and r.levelno == logging.WARNING]
    [record, *_] = [r for r in sdk_warnings if "project_case" in str(vars(r))]
    return record


async def _listed(stack: Stack, case_id: str, phase: str) -> None:
    """The read model has the case in `phase`."""
    with session_scope(stack.settings.resolved_database_url) as session:
        row = session.get(CaseSummary, case_id)
        assert row is not None and row.phase == phase
