"""The Temporal Schedules the service keeps: the daily digest at a set local time, and the
steering group's reports on the agreements' calendar (quarterly, 000; KAA half-yearly, 002, 004)."""

from datetime import timedelta

import structlog
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from core.settings import Settings
from workflows.digest import DailyDigestWorkflow, DigestInput
from workflows.report import ReportInput, ReportKind, ReportWorkflow

log = structlog.get_logger()
TIME_ZONE = "Europe/Stockholm"


def digest_schedule(settings: Settings) -> Schedule:
    at = settings.digest_time
    return Schedule(
        action=ScheduleActionStartWorkflow(
            DailyDigestWorkflow.run,
            DigestInput(working_days_only=settings.digest_working_days_only),
            id=settings.digest_schedule_id,
            task_queue=settings.task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    hour=[ScheduleRange(at.hour)], minute=[ScheduleRange(at.minute)], second=[ScheduleRange(0)]
                )
            ],
            # The schedule, not the worker's clock, knows Swedish summer time.
            time_zone_name=TIME_ZONE,
        ),
        # A digest missed while the service was down goes out when it is back the same
        # morning; one missed for longer is replaced by the next day's.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(hours=6)),
        state=ScheduleState(note="Samverkan: daily digest of open and overdue tasks"),
    )


# The months a report is made in, on their first day: the period just ended.
REPORT_MONTHS = {ReportKind.QUARTERLY: (1, 4, 7, 10), ReportKind.KAA_HALF_YEAR: (1, 7)}


def report_schedule_id(settings: Settings, kind: ReportKind) -> str:
    return f"{settings.report_schedule_prefix}-{kind.value}"


def report_schedule(settings: Settings, kind: ReportKind) -> Schedule:
    at = settings.report_time
    calendar = ScheduleCalendarSpec(
        month=[ScheduleRange(m) for m in REPORT_MONTHS[kind]], day_of_month=[ScheduleRange(1)],
        hour=[ScheduleRange(at.hour)], minute=[ScheduleRange(at.minute)], second=[ScheduleRange(0)],
    )
    interval = settings.report_interval
    return Schedule(
        action=ScheduleActionStartWorkflow(
            ReportWorkflow.run, ReportInput(kind), id=report_schedule_id(settings, kind), task_queue=settings.task_queue
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=interval)]) if interval else ScheduleSpec(
            calendars=[calendar], time_zone_name=TIME_ZONE
        ),
        # A report missed while the service was down is made when it is back (within a week).
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=7)),
        state=ScheduleState(note=f"Samverkan: steering-group report, {kind.value}"),
    )


async def _ensure(client: Client, schedule_id: str, schedule: Schedule) -> None:
    """Create the schedule, or bring an existing one to the current settings."""
    try:
        await client.create_schedule(schedule_id, schedule)
        log.info("schedule_created", schedule_id=schedule_id)
    except ScheduleAlreadyRunningError:
        def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(schedule_id).update(update)
        log.info("schedule_updated", schedule_id=schedule_id)


async def ensure_digest_schedule(client: Client, settings: Settings) -> None:
    await _ensure(client, settings.digest_schedule_id, digest_schedule(settings))


async def ensure_report_schedules(client: Client, settings: Settings) -> None:
    for kind in ReportKind:
        await _ensure(client, report_schedule_id(settings, kind), report_schedule(settings, kind))
