"""Writes a case's read model and its open tasks, idempotently and never backwards."""

from dataclasses import fields
from datetime import UTC, datetime

import structlog
from pydantic import TypeAdapter
from temporalio import activity

from core.metrics import PROJECTION_LAG
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
        row_fields = (f.name for f in fields(snapshot) if f.name not in ("tasks", "final_view"))
        values = {name: getattr(snapshot, name) for name in row_fields}
        if snapshot.final_view is not None:
            values["view"] = _view.dump_python(snapshot.final_view, mode="json")
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
                if snapshot.status == "closed":
                    release_person(session, snapshot.case_id)
            session.commit()
        PROJECTION_LAG.observe((datetime.now(UTC) - activity.info().scheduled_time).total_seconds())
        log.info("case_projected", case_id=snapshot.case_id, version=snapshot.version, written=written)
        return written
