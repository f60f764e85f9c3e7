"""Makes a steering-group report when its workflow asks (Schedule or on demand)."""

from datetime import UTC, datetime

import structlog
from temporalio import activity

from services.reports import make_report
from store.db import session_scope
from workflows.report import MAKE_REPORT, ReportRequest

log = structlog.get_logger()


class Reports:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    @activity.defn(name=MAKE_REPORT)
    def make_report(self, request: ReportRequest) -> int:
        with session_scope(self.database_url) as session:
            report = make_report(session, request, datetime.now(UTC))
        assert report.id is not None
        log.info("report_made", report_id=report.id, kind=request.kind, scope=request.scope)
        return report.id
