"""A steering-group report: a Temporal Schedule (or a supervisor, on demand) starts this
workflow; an activity computes the figures over the read model and keeps the report."""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.calendar import local_today

MAKE_REPORT = "make_report"
SCHEDULED = "schedule"  # who made a report its Schedule started


class ReportKind(StrEnum):
    QUARTERLY = "quarterly"  # the steering group reviews the figures every quarter (000)
    KAA_HALF_YEAR = "kaa_half_year"  # the KAA youth, every half year (002, 004)


@dataclass
class ReportInput:
    kind: ReportKind
    made_by: str = SCHEDULED
    scope: str = "af"  # af: every municipality; else a kommunkod


@dataclass
class ReportRequest:
    kind: ReportKind
    made_by: str
    scope: str
    period_from: date
    period_to: date
    key: str  # the run's: a retried activity keeps its report once


def report_period(kind: ReportKind, day: date) -> tuple[date, date]:
    """The quarter (or half year) that yesterday belongs to: run on its first day, a Schedule
    reports the period just ended; on demand, the current period so far."""
    last = day - timedelta(days=1)
    months = 3 if kind is ReportKind.QUARTERLY else 6
    first_month = (last.month - 1) // months * months + 1
    start = date(last.year, first_month, 1)
    end_month = first_month + months
    end = date(last.year + 1, 1, 1) if end_month > 12 else date(last.year, end_month, 1)
    return start, end - timedelta(days=1)


@workflow.defn(name="Report")
class ReportWorkflow:
    @workflow.run
    async def run(self, input: ReportInput) -> int:
        start, end = report_period(input.kind, local_today(workflow.now()))
        info = workflow.info()
        request = ReportRequest(input.kind, input.made_by, input.scope, start, end, f"{info.workflow_id}:{info.run_id}")
        report_id: int = await workflow.execute_activity(
            MAKE_REPORT, request, result_type=int, start_to_close_timeout=timedelta(minutes=5),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
        )
        return report_id
