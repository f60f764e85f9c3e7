"""Writes a case's read model and its open tasks, idempotently and never backwards."""

from datetime import UTC, datetime

import structlog
from temporalio import activity

from core.metrics import PROJECTION_LAG
from store.case_keys import CaseKeys
from store.db import session_scope
from store.projection import write_snapshot
from workflows.effects import PROJECT_CASE, CaseSnapshot

log = structlog.get_logger()


class Projection:
    def __init__(self, database_url: str, keys: CaseKeys) -> None:
        self.database_url = database_url
        self.keys = keys

    @activity.defn(name=PROJECT_CASE)
    def project_case(self, snapshot: CaseSnapshot) -> bool:
        with session_scope(self.database_url) as session:
            written = write_snapshot(session, self.keys, snapshot)
        PROJECTION_LAG.observe((datetime.now(UTC) - activity.info().scheduled_time).total_seconds())
        log.info("case_projected", case_id=snapshot.case_id, version=snapshot.version, written=written)
        return written
