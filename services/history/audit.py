"""What an auditor does with a case's history, once for the JSON API and the pages: each call
finds the case, writes the read to the access log with its purpose, then answers from Temporal.

`via` names the call or page in the access log; the API's defaults are given, a page passes its own.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import defer
from sqlmodel import Session
from temporalio.client import Client

from core.words import N_
from services.access_flags import Reader
from services.access_log import record_reads
from services.history.errors import InvalidField, NoSuchCase, Undecodable
from services.history.export import export_document, read_document
from services.history.masking import mask_names
from services.history.payloads import decoded
from services.history.replay import StateAsOf, state_at
from services.history.runs import CaseRecord, Run, fetch_record
from services.history.timeline import HistoryEntry, timeline
from services.history.verdict import Verdict, judge_received, judge_record
from services.protected_identity import view_for
from store.history_exports import issued_export, record_export
from store.models import CaseSummary

HISTORY = "/api/v1/cases/{case_id}/history"


@dataclass
class CaseTimeline:
    case_id: str
    workflow_id: str
    complete: bool  # false: the oldest runs are past Temporal's retention
    runs: list[str]
    events: list[HistoryEntry]


def _case(session: Session, case_id: str) -> CaseSummary:
    case = session.get(CaseSummary, case_id, options=[defer(CaseSummary.view)])  # type: ignore[arg-type]
    if case is None:
        raise NoSuchCase(case_id)
    return case


async def _record(client: Client, case_id: str) -> CaseRecord:
    """Every run of the case with its payloads decoded by the service's codec."""
    record = await fetch_record(client, case_id)
    codec = client.data_converter.payload_codec
    if codec is not None:
        record.runs = [Run(run.run_id, await decoded(run.events, codec)) for run in record.runs]
    return record


async def _read(session: Session, client: Client, reader: Reader, case_id: str, via: str, purpose: str) -> CaseRecord:
    record_reads(session, reader, [_case(session, case_id)], via=via, purpose=purpose)
    return await _record(client, case_id)


async def case_timeline(
    session: Session, client: Client, reader: Reader, case_id: str, *, via: str = f"GET {HISTORY}"
) -> CaseTimeline:
    record = await _read(session, client, reader, case_id, via, N_("audit: the case's history"))
    return _timeline_of(record, client)


async def unlogged_timeline(client: Client, case_id: str) -> CaseTimeline:
    """The timeline for a caller that writes the access log itself (a register extract)."""
    return _timeline_of(await _record(client, case_id), client)


def _timeline_of(record: CaseRecord, client: Client) -> CaseTimeline:
    case_id = record.case_id
    entries = timeline(record.runs, client.data_converter.payload_converter)
    runs = [run.run_id for run in record.runs]
    return CaseTimeline(case_id, record.workflow_id, not record.earlier_runs_gone, runs, entries)


async def case_state_at(
    session: Session, client: Client, reader: Reader, case_id: str, at: datetime, *, via: str = f"GET {HISTORY}/state"
) -> StateAsOf:
    record = await _read(session, client, reader, case_id, via, N_("audit: the case's state at a moment"))
    found = await state_at(record.workflow_id, record.runs, at, client.data_converter)
    if found is None:
        begins = record.runs[0].started_at.isoformat()
        # reason: a page says it with its values (core/i18n.py)
        raise InvalidField("at", N_("before the case's record, which begins %(begins)s") % {"begins": begins})
    found.state = view_for(found.state, reader.username)
    return found


async def verify_case(
    session: Session, client: Client, reader: Reader, case_id: str, *, via: str = f"POST {HISTORY}/verify"
) -> Verdict:
    record = await _read(session, client, reader, case_id, via, N_("audit: does the record reproduce"))
    return await judge_record(record.workflow_id, record.runs, client.data_converter)


async def export_case(
    session: Session, client: Client, reader: Reader, case_id: str, *, via: str = f"GET {HISTORY}/export"
) -> dict[str, Any]:
    record = await _read(session, client, reader, case_id, via, N_("audit: export of the record"))
    if _case(session, case_id).protected_identity:
        for run in record.runs:
            mask_names(run.events)
    now = datetime.now(UTC)
    document = export_document(
        case_id=case_id,
        workflow_id=record.workflow_id,
        runs=record.runs,
        exported_by=reader.username,
        exported_at=now,
        complete=not record.earlier_runs_gone,
    )
    record_export(
        session,
        sha256=document["sha256"],
        case_id=case_id,
        exported_by=reader.username,
        exported_at=now,
        runs=len(record.runs),
        events=sum(len(run.events) for run in record.runs),
    )
    return document


async def verify_export(
    session: Session, client: Client, reader: Reader, body: Any, *, via: str = "POST /api/v1/history/verify"
) -> Verdict:
    """An export (or a bare history) sent in the body. Its encrypted payloads, if any, are
    decoded with the service's codec first, so a history recorded as Temporal stores it
    verifies as well as an export."""
    received = read_document(body)
    case = session.get(CaseSummary, received.case_id, options=[defer(CaseSummary.view)]) if received.case_id else None  # type: ignore[arg-type]
    if case is not None:
        record_reads(session, reader, [case], via=via, purpose=N_("audit: does an exported record reproduce"))
    codec = client.data_converter.payload_codec
    if codec is not None:
        try:
            received.runs = [Run(run.run_id, await decoded(run.events, codec)) for run in received.runs]
        except Undecodable:
            raise InvalidField("body", N_("holds payloads encrypted with a key this service does not have")) from None
    matches = received.carried_sha256 is not None and received.carried_sha256 == received.computed_sha256
    issued = issued_export(session, received.carried_sha256) if matches and received.carried_sha256 else None
    return await judge_received(received, issued, client.data_converter)
