"""Writes a case's read model and its open tasks, idempotently and never backwards."""

import structlog
from pydantic import TypeAdapter
from temporalio import activity

from store.cases import apply_summary, release_person
from store.db import session_scope
from store.tasks import sync_case_tasks
from workflows.case import CaseView
from workflows.effects import PROJECT_CASE, CaseSnapshot

log = structlog.get_logger()
_view = TypeAdapter(CaseView)


class Projection:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    @activity.defn(name=PROJECT_CASE)
    def project_case(self, snapshot: CaseSnapshot) -> bool:
        v = snapshot.view
        values = {
            "case_id": snapshot.case_id,
            "version": snapshot.version,
            "phase": v.phase.value,
            "status": v.status.value,
            "municipality": snapshot.municipality,
            "responsible_worker": snapshot.responsible_worker,
            "track_id": v.track_id,
            "application_track_id": v.application.track_id if v.application else None,
            "application_status": v.application.status.value if v.application else None,
            "given_name": v.given_name,
            "family_name": v.family_name,
            "gender": snapshot.gender,
            "birth_date": snapshot.birth_date,
            "opened_at": snapshot.opened_at,
            "next_due_at": min(v.due.values(), default=None),
            "overdue": v.overdue,
            "exited_on": v.exited_on,
            "exit_reason": v.exit_reason.value if v.exit_reason else None,
            "outcome": v.outcome.value if v.outcome else None,
            "closed_at": v.timeline[-1].at if v.status.value == "closed" else None,
            "view": _view.dump_python(v, mode="json"),
        }
        with session_scope(self.database_url) as session:
            written = apply_summary(session, values)
            if written:
                sync_case_tasks(
                    session,
                    case_id=snapshot.case_id,
                    municipality=snapshot.municipality,
                    responsible_worker=snapshot.responsible_worker,
                    open_tasks=[t.__dict__ for t in snapshot.tasks],
                )
                if v.status.value == "closed":
                    release_person(session, snapshot.case_id)
            session.commit()
        log.info("case_projected", case_id=snapshot.case_id, version=snapshot.version, written=written)
        return written
