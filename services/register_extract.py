"""A register extract (registerutdrag, GDPR art. 15): everything the service holds on one
person, across all their cases, open or closed, for an auditor.

The person is found by the keyed hash of their personal number (store.cases.cases_of_person),
never by the number itself; the extract is written to the access log as a read of each case
(by case id: the log never holds the number)."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlmodel import Session
from temporalio.client import Client

from core.secrets import person_key_secret
from core.settings import Settings
from core.words import N_
from services.access_flags import Reader
from services.access_log import journaled_entries_in, record_reads, record_unnamed_read
from services.cases import checked_personal_number
from services.errors import InvalidFields
from services.history.audit import unlogged_timeline
from services.history.errors import HistoryNotHeld, Undecodable
from services.history.timeline import HistoryEntry
from services.journeys import query_state
from services.temporal import keys_of
from store.case_keys import CaseErased, CaseKeys
from store.cases import cases_of_person, person_key, summaries_with_views
from store.models import CaseSummary
from store.person_data import held_on_cases
from store.sealing import personal_of, stored_view_of
from workflows.case import CaseView

VIA = "POST /api/v1/register-extract"
PURPOSE = N_("register extract (GDPR art. 15)")
_stored_view = TypeAdapter(CaseView)


@dataclass
class CaseExtract:
    """One case of the person: its read-model row, its state (live, or as stored at close), its
    whole decoded history, its tasks, the messages sent about it and who read it."""

    case_id: str
    summary: dict[str, Any] | None
    state: CaseView | None
    history: list[HistoryEntry] | None  # None: Temporal no longer holds it (`history_note` says why)
    history_note: str | None
    tasks: list[dict[str, Any]]
    mails: list[dict[str, Any]]
    access_log: list[dict[str, Any]]


@dataclass
class RegisterExtract:
    personal_number: str
    made_at: datetime
    made_by: str
    cases: list[CaseExtract] = field(default_factory=list)


def _row(row: Any, *leave_out: str) -> dict[str, Any]:
    """A stored row as plain values; times in UTC with their offset (SQLite gives them naive)."""
    values: dict[str, Any] = row.model_dump(exclude=set(leave_out))
    return {k: v.replace(tzinfo=UTC) if isinstance(v, datetime) and v.tzinfo is None else v for k, v in values.items()}


def _summary(keys: CaseKeys, row: CaseSummary) -> dict[str, Any]:
    """The read-model row with its sealed fields opened (empty once the case is erased)."""
    values = _row(row, "view", "personal", "sealed_view")
    personal = personal_of(keys, row)
    names = {"given_name": personal.given_name, "family_name": personal.family_name}
    return values | names | {"birth_date": personal.birth_date, "erased": personal.erased}


async def _history(client: Client, case_id: str) -> tuple[list[HistoryEntry] | None, str | None]:
    try:
        return (await unlogged_timeline(client, case_id)).events, None
    except HistoryNotHeld:
        return None, "past Temporal's retention: the state below is the one stored at close"
    except Undecodable:
        return None, "no longer decodes (erased)"


async def _state(client: Client, case_id: str, summary: CaseSummary | None) -> CaseView | None:
    live = await query_state(client, case_id)
    if live is not None or summary is None:
        return live
    try:
        stored = stored_view_of(keys_of(client), summary)
    except CaseErased:
        return None
    return _stored_view.validate_python(stored) if stored else None


async def register_extract(
    session: Session, settings: Settings, client: Client, reader: Reader, personal_number: str, *, via: str = VIA
) -> RegisterExtract:
    """Everything held on the person with this personal number; InvalidFields when it is not one."""
    try:
        number = checked_personal_number(personal_number)
    except ValueError as exc:
        raise InvalidFields.one("personal_number", str(exc)) from None
    case_ids = cases_of_person(session, person_key(person_key_secret(settings), number.normalised))
    summaries = summaries_with_views(session, case_ids)
    journaled_entries_in()  # the reads of the person's cases up to now are part of the extract
    held = held_on_cases(session, case_ids)
    extract = RegisterExtract(number.normalised, datetime.now(UTC), reader.username)
    opened = sorted(case_ids, key=lambda c: (summaries[c].opened_at.isoformat() if c in summaries else "", c))
    for case_id in opened:
        summary = summaries.get(case_id)
        history, note = await _history(client, case_id)
        extract.cases.append(
            CaseExtract(
                case_id=case_id,
                summary=_summary(keys_of(client), summary) if summary is not None else None,
                state=await _state(client, case_id, summary),
                history=history,
                history_note=note,
                tasks=[_row(t) for t in held[case_id].tasks],
                mails=[_row(m) for m in held[case_id].mails],
                access_log=[_row(r) for r in held[case_id].access_log],
            )
        )
    # The extract is itself a read of each case; a person without cases is a read naming none.
    if summaries:
        record_reads(session, reader, list(summaries.values()), via=via, purpose=PURPOSE)
    else:
        record_unnamed_read(session, reader, via=via, purpose=PURPOSE)
    return extract
