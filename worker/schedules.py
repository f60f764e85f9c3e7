"""The Temporal Schedules the service keeps: the daily digest at a set local time."""

from datetime import timedelta

import structlog
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
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


async def ensure_digest_schedule(client: Client, settings: Settings) -> None:
    """Create the schedule, or bring an existing one to the current settings (time, queue)."""
    schedule = digest_schedule(settings)
    try:
        await client.create_schedule(settings.digest_schedule_id, schedule)
        log.info("schedule_created", schedule_id=settings.digest_schedule_id, at=settings.digest_time.isoformat())
    except ScheduleAlreadyRunningError:
        def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(settings.digest_schedule_id).update(update)
        log.info("schedule_updated", schedule_id=settings.digest_schedule_id, at=settings.digest_time.isoformat())
