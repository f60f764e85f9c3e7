"""A case's snapshot into the read model: its row (never backwards) and its open tasks. The
projection activity and the rebuild from Temporal write through this one function."""

from dataclasses import fields

from pydantic import TypeAdapter
from sqlmodel import Session

from store.case_keys import CaseKeys
from store.cases import apply_summary, release_person
from store.tasks import sync_case_tasks
from workflows.case import CaseView
from workflows.domain import Status
from workflows.effects import CaseRow, CaseSnapshot

_view = TypeAdapter(CaseView)


def write_snapshot(session: Session, keys: CaseKeys, snapshot: CaseSnapshot) -> bool:
    """True when written (a snapshot older than the stored row is ignored); commits."""
    values = {f.name: getattr(snapshot, f.name) for f in fields(CaseRow)}
    if snapshot.final_view is not None:
        values["view"] = _view.dump_python(snapshot.final_view, mode="json")
        values["view_version"] = snapshot.version
    written = apply_summary(session, keys, values)
    if written:
        sync_case_tasks(
            session,
            case_id=snapshot.case_id,
            municipality=snapshot.municipality,
            responsible_worker=snapshot.responsible_worker,
            open_tasks=snapshot.tasks,
        )
        if snapshot.status == Status.CLOSED:
            release_person(session, snapshot.case_id)
    session.commit()
    return written
