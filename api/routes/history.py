"""Case histories for auditors: timeline, state as of a moment, verification, export."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query, status

from api.deps import SessionDep, TemporalDep, require
from services.history import audit
from services.history.audit import CaseTimeline
from services.history.errors import HistoryNotHeld, InvalidField, NoSuchCase, ReplayFailed, Undecodable
from services.history.replay import StateAsOf
from services.history.verdict import Verdict
from store.case_keys import CaseErased
from store.models import User
from workflows.calendar import STOCKHOLM
from workflows.domain import Role

router = APIRouter(tags=["audit"])
Auditor = Annotated[User, Depends(require(Role.AUDITOR))]


@contextmanager
def _answers(where: str) -> Iterator[None]:
    """The history service's errors as HTTP: `where` is `query` or `body` for a bad field."""
    try:
        yield
    except HistoryNotHeld as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Temporal no longer holds this case's history") from err
    except NoSuchCase as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such case") from err
    except InvalidField as err:
        detail = [{"loc": [where, err.field], "msg": err.message, "type": "value_error"}]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from err
    except Undecodable as err:
        erased = str(err) == CaseErased.__name__
        gone = "the case was erased: its history no longer decodes" if erased else "the history no longer decodes"
        raise HTTPException(status.HTTP_410_GONE, gone) from err
    except ReplayFailed as err:
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, f"the record did not replay: {err}") from err


@router.get("/cases/{case_id}/history")
async def read_history(case_id: str, user: Auditor, session: SessionDep, client: TemporalDep) -> CaseTimeline:
    """Every run of the case as one timeline: who did what, when, with what, and the phase after;
    the clocks that rang, reminders and escalations sent, messages with tracks."""
    with _answers("query"):
        return await audit.case_timeline(session, client, user, case_id)


@router.get("/cases/{case_id}/history/state")
async def read_state_at(
    case_id: str,
    user: Auditor,
    session: SessionDep,
    client: TemporalDep,
    at: Annotated[datetime, Query(description="ISO-8601; without an offset, Stockholm time")],
) -> StateAsOf:
    """The case's state as it was at `at`, rebuilt by replaying its record up to then."""
    when = at if at.tzinfo is not None else at.replace(tzinfo=STOCKHOLM)
    with _answers("query"):
        return await audit.case_state_at(session, client, user, case_id, when)


@router.get("/cases/{case_id}/history/export")
async def export_history(case_id: str, user: Auditor, session: SessionDep, client: TemporalDep) -> dict[str, Any]:
    """The record in the JSON of `temporal workflow show --output json` (one per run, payloads
    decoded), with its `sha256`: SHA-256 of the document without that field as canonical JSON."""
    with _answers("query"):
        return await audit.export_case(session, client, user, case_id)


@router.post("/cases/{case_id}/history/verify")
async def verify_history(case_id: str, user: Auditor, session: SessionDep, client: TemporalDep) -> Verdict:
    """Replay the recorded history against the current workflow code."""
    with _answers("query"):
        return await audit.verify_case(session, client, user, case_id)


@router.post("/history/verify")
async def verify_exported_history(
    user: Auditor,
    session: SessionDep,
    client: TemporalDep,
    body: Annotated[dict[str, Any], Body(description="an export of this service, or a bare history (`events`)")],
) -> Verdict:
    """Verify an exported history: its sha256, that this service made it, and its replay."""
    with _answers("body"):
        return await audit.verify_export(session, client, user, body)
