"""The daily digest: a Temporal Schedule starts this workflow every morning (Europe/Stockholm);
it asks an activity to mail each user their open and overdue tasks."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.calendar import is_working_day, local_today

SEND_DAILY_DIGEST = "send_daily_digest"


@dataclass
class DigestInput:
    day: date | None = None  # None: today in Stockholm when the run starts
    working_days_only: bool = True  # no digest on weekends and public holidays


@dataclass
class DigestRequest:
    day: date
    as_of: datetime  # tasks due before this are overdue


@dataclass
class DigestReport:
    day: date
    skipped: bool = False
    recipients: list[str] = field(default_factory=list)  # usernames mailed by this run


@workflow.defn(name="DailyDigest")
class DailyDigestWorkflow:
    @workflow.run
    async def run(self, input: DigestInput) -> DigestReport:
        now = workflow.now()
        day = input.day or local_today(now)
        if input.working_days_only and not is_working_day(day):
            return DigestReport(day, skipped=True)
        # A digest that cannot go out by the afternoon is stale; tomorrow's replaces it.
        report: DigestReport = await workflow.execute_activity(
            SEND_DAILY_DIGEST, DigestRequest(day, now), result_type=DigestReport,
            schedule_to_close_timeout=timedelta(hours=8), start_to_close_timeout=timedelta(minutes=10),
            heartbeat_timeout=timedelta(minutes=2), retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=5)),
        )
        return report
