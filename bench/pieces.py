"""The pieces of a request timed alone (no server): the database calls each route makes, the
token check, and turning a case's state into JSON and into an encrypted payload. Printed by
`python -m bench.pieces`; bench/PROFILE.md quotes the figures."""

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.routing import APIRoute
from sqlalchemy.orm import defer
from sqlmodel import Session

from api.auth import issue_token, read_token
from api.routes import cases
from bench.stack import prepare_database, service_settings
from services.temporal import data_converter
from store.access_log import Entry, write_entries
from store.db import engine_for
from store.models import CaseSummary
from store.policies import policy_for
from store.users import get_user
from tests.stack import fresh_postgres_database, postgres_answers, today
from tests.workflows.cases import MUNICIPAL_WORKER, NOW, new_case
from workflows import actions as a
from workflows import process
from workflows.actions import Action
from workflows.case import CaseState, CaseView
from workflows.phases import record
from workflows.views import view_of

RUNS = 300


def median_ms(call: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def case_with_follow_ups(n: int) -> CaseState:
    """A case as the workflow holds it after `n` follow-ups (pure process code, no server)."""
    state = new_case()
    body = a.RecordFollowUp(held_on=NOW.date(), attendees=["AF"], progress="bench " * 20, next_steps="mer " * 20)
    for i in range(n):
        at = NOW + timedelta(minutes=i)
        record(state, at, MUNICIPAL_WORKER, Action.RECORD_FOLLOW_UP.value,
               process.record_follow_up(state, body, MUNICIPAL_WORKER, at), None)
    return state


def read_entry() -> Entry:
    return Entry(at=datetime.now(UTC), username="handlaggare", case_id="0123456789abcdef", via="bench")


def database_pieces(url: str, data_dir: Path) -> list[tuple[str, float]]:
    settings = service_settings("127.0.0.1:0", data_dir, url)
    prepare_database(settings)
    engine = engine_for(url)
    with Session(engine, expire_on_commit=False) as session:
        session.add(
            CaseSummary(
                case_id="0123456789abcdef",
                phase="introduction",
                status="active",
                municipality="0581",
                responsible_worker="handlaggare",
                given_name="A",
                family_name="H",
                gender="woman",
                birth_date=today(),
                opened_at=datetime.now(UTC),
            )
        )
        session.commit()
    token = issue_token("handlaggare", settings)

    def with_session(work: Callable[[Session], object]) -> Callable[[], object]:
        def run() -> object:
            with Session(engine, expire_on_commit=False) as session:
                return work(session)

        return run

    return [
        (
            "open a session, get the user (every request's auth)",
            median_ms(with_session(lambda s: get_user(s, "handlaggare"))),
        ),
        (
            "check the token (signature, issuer, audience, expiry)",
            median_ms(lambda: read_token(token, settings)),
        ),
        (
            "case in scope (session.get, view deferred)",
            median_ms(
                with_session(lambda s: s.get(CaseSummary, "0123456789abcdef", options=[defer(CaseSummary.view)]))
            ),
        ),  # type: ignore[arg-type]
        (
            "access log: insert + commit (every read)",
            median_ms(with_session(lambda s: write_entries(s, [read_entry()]))),
        ),
        ("policy for the municipality (opening)", median_ms(with_session(lambda s: policy_for(s, "0581")))),
    ]


def encoding_pieces() -> list[tuple[str, float]]:
    settings = service_settings("127.0.0.1:0", Path(tempfile.gettempdir()), "sqlite://")
    # The read route's own response field: what FastAPI does with the CaseView it is handed.
    read = next(r for r in cases.router.routes if isinstance(r, APIRoute) and r.name == "read_case")
    field = read.response_field
    assert field is not None
    out = []
    for n in (1, 12, 60):
        view = view_of(case_with_follow_ups(n), NOW)

        def answer(v: CaseView = view) -> bytes:
            value, _ = field.validate(v, {}, loc=("response",))
            return field.serialize_json(value)

        size = len(answer())
        out.append((f"CaseView with {n} follow-ups ({size:,} bytes): response validation + JSON", median_ms(answer)))
    converter = data_converter(settings)
    view = view_of(case_with_follow_ups(12), NOW)

    def round_trip() -> object:
        import asyncio

        async def go() -> object:
            payloads = await converter.encode([view])
            return await converter.decode(payloads, [CaseView])

        return asyncio.run(go())

    out.append(
        ("CaseView (12 follow-ups) to encrypted payload and back (client side of a query)", median_ms(round_trip, 100))
    )
    return out


def main() -> None:
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += [(f"SQLite: {n}", ms) for n, ms in database_pieces(f"sqlite:///{tmp}/p.db", Path(tmp))]
        if postgres_answers():
            with fresh_postgres_database("samverkan_pieces") as url:
                rows += [(f"PostgreSQL: {n}", ms) for n, ms in database_pieces(url, Path(tmp))]
    rows += encoding_pieces()
    width = max(len(n) for n, _ in rows)
    for name, ms in rows:
        print(f"{name.ljust(width)}  {ms:7.3f} ms")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
