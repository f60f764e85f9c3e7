"""The auditor's pages: a start page to reach a case by its reference, and each case's history
(who did what, when; the state as of a moment; does the record reproduce; an export to hand on,
and the check of an export received). Every read goes through the same service calls as the
JSON API (services/history/audit.py), so it is access-logged alike, with the page as `via`."""

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile

from api.deps import SessionDep, TemporalDep
from api.web.deps import CheckedForm, PagesDep, page_for
from api.web.forms import FormErrors
from core.words import N_
from services.access_log import journaled_entries_in
from services.history import audit
from services.history.errors import HistoryNotHeld, InvalidField, NoSuchCase, Undecodable
from services.history.replay import StateAsOf, warm_replays
from services.history.verdict import Verdict
from store.case_keys import CaseErased
from store.models import AccessLog, CaseSummary, HistoryExport, Municipality, User
from store.users import display_names
from workflows.calendar import STOCKHOLM
from workflows.domain import AF, Role

router = APIRouter(include_in_schema=False)
AuditorPage = Annotated[User, Depends(page_for(Role.AUDITOR))]
RECENT = 15
UPLOAD_MAX = 20 * 1024 * 1024  # an export of a long case is a few MB


def _page(case_id: str) -> str:
    return f"page /cases/{case_id}/history"


def organisation_names(session: Session) -> dict[str, str]:
    names = {m.code: m.name for m in session.exec(select(Municipality))}
    return names | {AF: "Arbetsförmedlingen"}


# --- the start page ------------------------------------------------------------------------


@dataclass(frozen=True)
class RecentCase:
    case_id: str
    municipality: str
    phase: str
    opened_at: datetime
    read_at: datetime | None = None


def _recent_cases(session: Session, username: str) -> tuple[list[RecentCase], list[RecentCase]]:
    """The cases this auditor read last (from the access log), and the cases opened last."""
    journaled_entries_in()
    reads = session.exec(
        select(AccessLog.case_id, AccessLog.at)
        .where(AccessLog.username == username, col(AccessLog.case_id).is_not(None))
        .order_by(col(AccessLog.at).desc())
        .limit(200)
    ).all()
    last_read: dict[str, datetime] = {}
    for case_id, at in reads:
        if case_id is not None and case_id not in last_read:
            last_read[case_id] = at
    wanted = list(last_read)[:RECENT]
    columns = (CaseSummary.case_id, CaseSummary.municipality, CaseSummary.phase, CaseSummary.opened_at)
    found = {row[0]: row for row in session.exec(select(*columns).where(col(CaseSummary.case_id).in_(wanted)))}
    read = [RecentCase(*found[c], read_at=last_read[c]) for c in wanted if c in found]
    opened = session.exec(select(*columns).order_by(col(CaseSummary.opened_at).desc()).limit(RECENT)).all()
    return read, [RecentCase(*row) for row in opened]


@router.get("/audit")
def audit_start(request: Request, pages: PagesDep, user: AuditorPage, session: SessionDep) -> Response:
    errors = FormErrors()
    reference = request.query_params.get("case", "").strip()
    if "case" in request.query_params:
        if not reference:
            errors.add("case", N_("Enter the case's reference"))
        elif session.get(CaseSummary, reference) is None:
            errors.add("case", N_("No case has this reference"))
        else:
            return RedirectResponse(f"/cases/{reference}/history", status.HTTP_303_SEE_OTHER)
    read, opened = _recent_cases(session, user.username)
    code = status.HTTP_422_UNPROCESSABLE_CONTENT if errors else status.HTTP_200_OK
    return pages.render(
        request, "audit.html", code, errors=errors, reference=reference, read=read, opened=opened,
        organisations=organisation_names(session),
    )


# --- a case's history -----------------------------------------------------------------------


def _moment(value: str) -> datetime | None:
    """The picker's local time (Stockholm), or any ISO-8601 moment."""
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=STOCKHOLM)


def _picker_value(at: datetime) -> str:
    return at.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M:%S")


async def _history_page(
    request: Request,
    pages: PagesDep,
    user: User,
    session: Session,
    client: TemporalDep,
    case_id: str,
    *,
    verdict: Verdict | None = None,
    export: dict[str, Any] | None = None,
) -> Response:
    via = _page(case_id)
    errors = FormErrors()
    try:
        history = await audit.case_timeline(session, client, user, case_id, via=via)
    except NoSuchCase as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from err
    except (HistoryNotHeld, Undecodable) as err:
        erased = str(err) == CaseErased.__name__
        return pages.render(
            request, "case_history.html", case_id=case_id, unreadable=True, erased=erased, errors=errors
        )
    state: StateAsOf | None = None
    at_text = request.query_params.get("at", "").strip()
    at = _moment(at_text) if at_text else None
    if at_text and at is None:
        errors.add("at", N_("Enter the moment as a date and a time"))
    elif at is not None:
        try:
            state = await audit.case_state_at(session, client, user, case_id, at, via=f"{via}?at")
        except InvalidField:
            errors.add("at", N_("Choose a moment after the case was opened"))
    actors = {e.actor.username for e in history.events}
    exports = session.exec(
        select(HistoryExport).where(HistoryExport.case_id == case_id).order_by(col(HistoryExport.exported_at).desc())
    ).all()
    download = None
    if export is not None:
        body = json.dumps(export, ensure_ascii=False, indent=2).encode()
        download = "data:application/json;base64," + base64.b64encode(body).decode()
    return pages.render(
        request,
        "case_history.html",
        status.HTTP_422_UNPROCESSABLE_CONTENT if errors else status.HTTP_200_OK,
        case_id=case_id,
        unreadable=False,
        history=history,
        names=display_names(session, actors),
        organisations=organisation_names(session),
        errors=errors,
        at_value=_picker_value(at) if at is not None else at_text,
        state=state,
        verdict=verdict,
        export=export,
        download=download,
        exports=exports,
    )


@router.get("/cases/{case_id}/history")
async def case_history(
    case_id: str, request: Request, pages: PagesDep, user: AuditorPage, session: SessionDep, client: TemporalDep
) -> Response:
    warm_replays()  # the page's "as it was" and "verify" replay the record
    return await _history_page(request, pages, user, session, client, case_id)


class CaseStep(StrEnum):
    """The history page's two buttons."""

    VERIFY = "verify"
    EXPORT = "export"


@router.post("/cases/{case_id}/history/{step}")
async def history_step(
    case_id: str, step: CaseStep, request: Request, pages: PagesDep, user: AuditorPage, session: SessionDep,
    client: TemporalDep, _: CheckedForm,
) -> Response:
    """Verify the record, or export it: the page again, with the answer or the file."""
    via = f"{_page(case_id)} {step.value}"
    try:
        if step is CaseStep.VERIFY:
            verdict = await audit.verify_case(session, client, user, case_id, via=via)
            return await _history_page(request, pages, user, session, client, case_id, verdict=verdict)
        document = await audit.export_case(session, client, user, case_id, via=via)
    except NoSuchCase as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from err
    return await _history_page(request, pages, user, session, client, case_id, export=document)


# --- an export received ---------------------------------------------------------------------


@router.post("/audit/verify")
async def verify_upload(
    request: Request, pages: PagesDep, user: AuditorPage, session: SessionDep, client: TemporalDep, form: CheckedForm
) -> Response:
    errors = FormErrors()
    upload = form.get("export_file")
    body: Any = None
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors.add("export_file", N_("Choose the exported file"))
    else:
        content = await upload.read(UPLOAD_MAX + 1)
        try:
            body = json.loads(content) if len(content) <= UPLOAD_MAX else None
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            errors.add("export_file", N_("The file is not an export of a case's history (JSON)"))
    verdict = None
    if not errors:
        try:
            verdict = await audit.verify_export(session, client, user, body, via="page /audit/verify")
        except InvalidField:
            errors.add("export_file", N_("The file is not an export of a case's history (JSON)"))
    case_id = body.get("case_id") if isinstance(body, dict) else None
    known = isinstance(case_id, str) and session.get(CaseSummary, case_id) is not None
    return pages.render(
        request,
        "history_check.html",
        status.HTTP_422_UNPROCESSABLE_CONTENT if errors else status.HTTP_200_OK,
        errors=errors,
        verdict=verdict,
        filename=upload.filename if isinstance(upload, UploadFile) else "",
        case_id=case_id if known else None,
        names=display_names(session, {verdict.issued.exported_by} if verdict and verdict.issued else set()),
    )



@router.get("/audit/verify")
async def check_form(request: Request, pages: PagesDep, _: AuditorPage) -> Response:
    warm_replays()  # the file sent is replayed
    return pages.render(request, "history_check.html", errors=FormErrors(), verdict=None, filename="", case_id=None,
                        names={})
