"""The journey's request for a seat: hands it to the track's workflow, which alone decides.

A workflow cannot call another workflow's update, so this activity does, with the catalogue's
current terms (seats, industry) so the track starts, or carries on, with what the admin set.
"""

import asyncio

import structlog
from temporalio import activity
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from services.track_client import update_track
from store.db import session_scope
from store.models import Track
from workflows.effects import REQUEST_SEAT, SeatAnswer, SeatRequest
from workflows.seat_messages import SeatApplication, TrackTerms

log = structlog.get_logger()


class Seats:
    def __init__(self, database_url: str, client: Client, task_queue: str) -> None:
        self.database_url = database_url
        self.client = client
        self.task_queue = task_queue

    def _terms(self, track_id: str) -> TrackTerms:
        with session_scope(self.database_url) as session:
            track = session.get(Track, track_id)
            if track is None:
                raise ApplicationError(f"no track {track_id}", non_retryable=True)
            return TrackTerms(track.track_id, track.industry, track.seats)

    @activity.defn(name=REQUEST_SEAT)
    async def request_seat(self, request: SeatRequest) -> SeatAnswer:
        terms = await asyncio.to_thread(self._terms, request.track_id)
        application = SeatApplication(
            terms, request.case_id, request.application, request.experience, request.applied_at
        )
        try:
            answer = await update_track(self.client, self.task_queue, terms, "apply", application, SeatAnswer)
        except WorkflowUpdateFailedError as err:
            raise ApplicationError("the track refused the application", non_retryable=True) from err.cause
        log.info("seat_answered", track_id=request.track_id, case_id=request.case_id, status=answer.status)
        return answer
