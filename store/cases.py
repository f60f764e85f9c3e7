"""The case read model: at most one open case per person, summaries kept by version."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from store.case_keys import CaseErased, CaseKeys
from store.models import CaseKey, CaseSummary, OpenPerson, PersonCase
from store.sealing import sealed_values, sealed_with
from workflows.domain import TargetGroup

# The read model's column for each target group filter of the case list.
TARGET_GROUP_COLUMNS = {
    TargetGroup.YOUTH: CaseSummary.youth,
    TargetGroup.KAA: CaseSummary.kaa,
    TargetGroup.NEWLY_ARRIVED: CaseSummary.newly_arrived,
    TargetGroup.SOCIAL_ASSISTANCE: CaseSummary.social_assistance,
    TargetGroup.DISABILITY: CaseSummary.disability,
}


class PersonHasOpenCase(Exception):
    pass


def person_key(secret: bytes, normalised_personal_number: str) -> str:
    return hmac.new(secret, normalised_personal_number.encode(), hashlib.sha256).hexdigest()


def reserve_case(session: Session, keys: CaseKeys, *, person: str, values: dict[str, Any]) -> None:
    """Claim the person's one open case and write the first summary (its personal fields
    sealed with the case's new data key), in one transaction; the case stays linked to the
    person (by the hash) after it closes, for a register extract.

    Four statements built once (the key, the claim, the link, the summary), no ORM object:
    every opening writes them, and the ORM's objects and flush cost the web more CPU than the
    writes themselves."""
    case_id = values["case_id"]
    connection = session.connection()
    try:
        key = keys.new_key(case_id, session)
        connection.execute(_CLAIM, {"person_key": person, "case_id": case_id})
        connection.execute(_LINK, {"case_id": case_id, "person_key": person})
        insert_summary(session, sealed_with(key, values))
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        keys.rolled_back(session)
        raise PersonHasOpenCase from exc
    keys.committed(session)


_CLAIM = insert(OpenPerson)
_LINK = insert(PersonCase)
_INSERT_SUMMARY = insert(CaseSummary)
# The model's defaults, which a statement (unlike an ORM object) does not fill in itself.
_SUMMARY_DEFAULTS = {
    name: field.get_default(call_default_factory=True)
    for name, field in CaseSummary.model_fields.items()
    if not field.is_required()
}


def insert_summary(session: Session, sealed: dict[str, Any]) -> None:
    """A case's first row, its values sealed (`sealed_with`)."""
    session.connection().execute(_INSERT_SUMMARY, _SUMMARY_DEFAULTS | sealed)


# Built once: every read of a case asks it (see `live_user`).
_SUMMARY_AND_ERASURE = (
    select(CaseSummary, CaseKey.erased_at)
    .outerjoin(CaseKey, col(CaseKey.case_id) == CaseSummary.case_id)
    .where(CaseSummary.case_id == bindparam("case_id"))
    .options(defer(CaseSummary.view))  # type: ignore[arg-type]
)


def summary_and_erasure(session: Session, case_id: str) -> tuple[CaseSummary | None, datetime | None]:
    """The case's summary (with its sealed view, without the old clear one) and when its data
    key was destroyed (None while it lives), in one query: every read of a case asks both."""
    row = session.exec(_SUMMARY_AND_ERASURE, params={"case_id": case_id}).first()
    return (None, None) if row is None else (row[0], row[1])


_SUMMARY_ALONE = (
    select(CaseSummary)
    .where(CaseSummary.case_id == bindparam("case_id"))
    .options(defer(CaseSummary.view), defer(CaseSummary.sealed_view))  # type: ignore[arg-type]
)


def summary_alone(session: Session, case_id: str) -> CaseSummary | None:
    """The case's summary without its stored views (scope needs the municipality alone): every
    action asks it (a statement built once, see `summary_and_erasure`)."""
    return session.exec(_SUMMARY_ALONE, params={"case_id": case_id}).first()


def open_case_of(session: Session, person: str) -> CaseSummary | None:
    """The person's open case, if any (its summary without the stored view)."""
    claim = session.get(OpenPerson, person)
    if claim is None:
        return None
    return session.get(CaseSummary, claim.case_id, options=[defer(CaseSummary.view)])  # type: ignore[arg-type]


def forget_case(session: Session, case_id: str) -> None:
    """Undo `reserve_case` when the workflow could not be started."""
    for row in session.exec(select(OpenPerson).where(OpenPerson.case_id == case_id)):
        session.delete(row)
    link = session.get(PersonCase, case_id)
    if link is not None:
        session.delete(link)
    summary = session.get(CaseSummary, case_id)
    if summary is not None:
        session.delete(summary)
    session.commit()


def unstarted_reservation(session: Session, person: str, *, older_than: timedelta) -> str | None:
    """The case holding the person's reservation when it was opened longer ago than
    `older_than`: an opening that may never have started its journey, which the caller asks
    Temporal about (the row alone cannot tell: the API writes a case's first row, and its
    journey writes the next only at its first change)."""
    held = session.exec(select(OpenPerson).where(OpenPerson.person_key == person)).first()
    if held is None:
        return None
    summary = session.get(CaseSummary, held.case_id, options=[defer(CaseSummary.view)])  # type: ignore[arg-type]
    if summary is None:
        return held.case_id
    opened_at = summary.opened_at if summary.opened_at.tzinfo else summary.opened_at.replace(tzinfo=UTC)
    if opened_at < datetime.now(UTC) - older_than:
        return held.case_id
    return None


def release_person(session: Session, case_id: str) -> None:
    for row in session.exec(select(OpenPerson).where(OpenPerson.case_id == case_id)):
        session.delete(row)


# Built once: the projection asks them at every change of every case (store/projection.py).
_STORED_VERSION = select(CaseSummary.version).where(CaseSummary.case_id == bindparam("case_id"))
_SUMMARIES = CaseSummary.__table__  # type: ignore[attr-defined]
# Never backwards even when two writes of one case race: the row's version is compared in the
# write itself. The columns set are the parameters' (all but `b_case_id` and `b_version`).
_NEWER_SUMMARY = update(_SUMMARIES).where(
    _SUMMARIES.c.case_id == bindparam("b_case_id"), _SUMMARIES.c.version < bindparam("b_version")
)


def apply_summary(session: Session, keys: CaseKeys, values: dict[str, Any]) -> bool:
    """Upsert a summary unless a newer version is stored (or the case was erased: its key is
    gone, and so is anything to seal with); True when written.

    An existing row is changed with one UPDATE of its columns (no ORM object loaded, none
    flushed): the projection writes a case at every change, and the ORM's load, compare and
    flush cost the worker more CPU than the write itself. The UPDATE is tried first: the row
    exists but at a case's first write, and its version need not be asked before (one round
    trip less to PostgreSQL at every change)."""
    case_id = values["case_id"]
    try:
        sealed = sealed_values(keys, values, session)
    except CaseErased:
        return False
    sealed["updated_at"] = datetime.now(UTC)
    columns = {k: v for k, v in sealed.items() if k != "case_id"}
    changed = session.connection().execute(
        _NEWER_SUMMARY, columns | {"b_case_id": case_id, "b_version": values["version"]}
    )
    if changed.rowcount:
        return True
    if session.connection().execute(_STORED_VERSION, {"case_id": case_id}).scalar() is not None:
        return False  # as new a state or a newer one is stored
    insert_summary(session, sealed)
    return True


@dataclass
class CaseFilter:
    municipalities: list[str] | None = None  # None: every municipality
    phase: str | None = None
    municipality: str | None = None
    track: str | None = None
    responsible: str | None = None
    overdue: bool | None = None
    target_group: TargetGroup | None = None


def list_cases(session: Session, f: CaseFilter, *, limit: int, offset: int) -> tuple[list[CaseSummary], int]:
    """A page of summaries (without the stored view, which a list never needs) and the total."""
    query = select(CaseSummary)
    if f.municipalities is not None:
        query = query.where(col(CaseSummary.municipality).in_(f.municipalities))
    if f.phase:
        query = query.where(CaseSummary.phase == f.phase)
    if f.municipality:
        query = query.where(CaseSummary.municipality == f.municipality)
    if f.track:
        query = query.where(CaseSummary.track_id == f.track)
    if f.responsible:
        query = query.where(CaseSummary.responsible_worker == f.responsible)
    if f.overdue is not None:
        query = query.where(CaseSummary.overdue == f.overdue)
    if f.target_group is not None:
        query = query.where(col(TARGET_GROUP_COLUMNS[f.target_group]).is_(True))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    ordered = query.order_by(
        col(CaseSummary.next_due_at).is_(None), col(CaseSummary.next_due_at), col(CaseSummary.case_id)
    )
    page = ordered.options(defer(CaseSummary.view), defer(CaseSummary.sealed_view)).offset(offset).limit(limit)  # type: ignore[arg-type]
    return list(session.exec(page)), total


def summaries_of(session: Session, case_ids: list[str]) -> dict[str, CaseSummary]:
    """The summary rows of these cases, without their stored view (a list needs none of it)."""
    if not case_ids:
        return {}
    query = select(CaseSummary).where(col(CaseSummary.case_id).in_(case_ids))
    query = query.options(defer(CaseSummary.view), defer(CaseSummary.sealed_view))  # type: ignore[arg-type]
    return {row.case_id: row for row in session.exec(query)}


def cases_of_person(session: Session, person: str) -> list[str]:
    """Every case of the person with this keyed hash, open or closed, by reference."""
    linked = select(PersonCase.case_id).where(PersonCase.person_key == person)
    still_open = select(OpenPerson.case_id).where(OpenPerson.person_key == person)
    return sorted(set(session.exec(linked)) | set(session.exec(still_open)))


def summaries_with_views(session: Session, case_ids: list[str]) -> dict[str, CaseSummary]:
    """The whole summary rows of these cases, the view stored at close included."""
    if not case_ids:
        return {}
    return {row.case_id: row for row in session.exec(select(CaseSummary).where(col(CaseSummary.case_id).in_(case_ids)))}


def is_protected(session: Session, case_id: str) -> bool:
    """Whether the case's participant has a protected identity (skyddade personuppgifter)."""
    query = select(CaseSummary.protected_identity).where(CaseSummary.case_id == case_id)
    return bool(session.exec(query).first())
