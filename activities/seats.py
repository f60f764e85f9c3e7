"""The journey's seam to the tracks: asks whether a seat can be offered."""

from sqlmodel import col, func, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from store.db import session_scope
from store.models import CaseSummary, Track
from workflows.effects import REQUEST_SEAT, SeatAnswer, SeatRequest

HOLDING_A_SEAT = ("offered", "admitted")


class Seats:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    @activity.defn(name=REQUEST_SEAT)
    def request_seat(self, request: SeatRequest) -> SeatAnswer:
        with session_scope(self.database_url) as session:
            track = session.get(Track, request.track_id)
            if track is None:
                raise ApplicationError(f"no track {request.track_id}", non_retryable=True)
            taken = session.exec(
                select(func.count()).where(
                    CaseSummary.application_track_id == request.track_id,
                    col(CaseSummary.application_status).in_(HOLDING_A_SEAT),
                )
            ).one()
        return SeatAnswer("offered" if taken < track.seats else "waiting")
