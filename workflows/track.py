"""One long-lived workflow per job track (`track-{track_id}`): the only place a seat is given
or freed, so whatever arrives at once, seats are never overbooked.

Cases ask for a seat with the `apply` update (from an activity, started with update-with-start);
the track lead decides and sets admission rounds with updates from the API; journeys tell the
track when an offer is answered or a case leaves (signals); the track tells a journey when it
is offered a seat or decided on (signals, sent from an outbox in order).
"""

import contextlib
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    import workflows.seating as seating  # not `from workflows import seating`: see journey.py
    from workflows.effects import SeatAnswer
    from workflows.seat_messages import (
        AdmissionRound,
        ApplicantRef,
        LeadDecision,
        SeatApplication,
        ToTrack,
        TrackNotice,
        TrackTerms,
        TrackView,
        journey_workflow_id,
    )
    from workflows.seating import TrackInput
    from workflows.words import N_


class DecisionRefusedError(ApplicationError):
    """Raised by validators; `type` is `invalid` (a field, named in details) or `not_allowed`."""


def _refused(err: seating.NotAllowed) -> DecisionRefusedError:
    kind = "invalid" if err.field else "not_allowed"
    return DecisionRefusedError(str(err), {"field": err.field}, type=kind, non_retryable=True)


@workflow.defn(name="Track")
class TrackWorkflow:
    @workflow.init
    def __init__(self, input: TrackInput) -> None:
        self.state = input.state or seating.TrackState(input.terms)
        self._outbox: list[TrackNotice] = []
        self._round_changed = False

    @workflow.run
    async def run(self, input: TrackInput) -> None:
        while True:
            await self._deliver()
            self._outbox.extend(seating.fill_seats(self.state, workflow.now()))  # a round may have closed
            if self._outbox:
                continue
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                await self._deliver()
                workflow.continue_as_new(TrackInput(self.state.terms, self.state))
            self._round_changed = False
            closes = self.state.round.closes_at if self.state.round else None
            timeout = None if closes is None else max(closes - workflow.now(), timedelta(0))
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: bool(self._outbox) or self._round_changed or workflow.info().is_continue_as_new_suggested(),
                    timeout=timeout, timeout_summary="admission round closes",
                )

    @workflow.query(name="state")
    def current_state(self) -> TrackView:
        return seating.view(self.state)

    # --- a case asks for a seat ------------------------------------------------------------

    @workflow.update(name="apply")
    def apply(self, request: SeatApplication) -> SeatAnswer:
        try:
            status, notices = seating.apply(self.state, request, workflow.now())
        except seating.NotAllowed as err:
            raise _refused(err) from err
        self._outbox.extend(notices)
        workflow.logger.info("seat_requested", extra={"case_id": request.case_id, "status": status.value})
        return SeatAnswer(status.value)

    # --- the journeys answer and leave -------------------------------------------------------

    @workflow.signal(name=ToTrack.OFFER_ACCEPTED.value)
    def offer_accepted(self, ref: ApplicantRef) -> None:
        seating.accept(self.state, ref)

    @workflow.signal(name=ToTrack.OFFER_DECLINED.value)
    def offer_declined(self, ref: ApplicantRef) -> None:
        self._leave(ref)

    @workflow.signal(name=ToTrack.OFFER_EXPIRED.value)
    def offer_expired(self, ref: ApplicantRef) -> None:
        self._leave(ref)

    @workflow.signal(name=ToTrack.APPLICANT_LEFT.value)
    def applicant_left(self, ref: ApplicantRef) -> None:
        self._leave(ref)

    def _leave(self, ref: ApplicantRef) -> None:
        self._outbox.extend(seating.leave(self.state, ref, workflow.now()))

    # --- the track lead ------------------------------------------------------------------------

    @workflow.update(name="decide")
    def decide(self, decision: LeadDecision) -> TrackView:
        self._outbox.extend(seating.decide(self.state, decision, workflow.now()))
        return seating.view(self.state)

    @decide.validator
    def _check_decide(self, decision: LeadDecision) -> None:
        try:
            seating.check_decision(self.state, decision)
        except seating.NotAllowed as err:
            raise _refused(err) from err

    @workflow.update(name="change_terms")
    def change_terms(self, terms: TrackTerms) -> TrackView:
        self._outbox.extend(seating.change_terms(self.state, terms, workflow.now()))
        return seating.view(self.state)

    @change_terms.validator
    def _check_change_terms(self, terms: TrackTerms) -> None:
        if terms.track_id != self.state.terms.track_id or terms.seats < 1:
            raise DecisionRefusedError(
                N_("not this track's terms"), {"field": "seats"}, type="invalid", non_retryable=True
            )

    @workflow.update(name="open_round")
    def open_round(self, admission_round: AdmissionRound) -> TrackView:
        seating.open_round(self.state, admission_round)
        self._round_changed = True
        return seating.view(self.state)

    @open_round.validator
    def _check_open_round(self, admission_round: AdmissionRound) -> None:
        if admission_round.closes_at <= workflow.now():
            raise DecisionRefusedError(
                N_("closes_at must be in the future"), {"field": "closes_at"}, type="invalid", non_retryable=True
            )

    # --- telling the journeys, in order ----------------------------------------------------

    async def _deliver(self) -> None:
        while self._outbox:
            notice = self._outbox[0]
            try:
                await workflow.get_external_workflow_handle(journey_workflow_id(notice.case_id)).signal(
                    notice.signal.value, notice
                )
            except FailureError:
                # The case has closed: it cannot take the seat, so the next in line gets it.
                workflow.logger.info("journey_gone", extra={"case_id": notice.case_id})
                ref = ApplicantRef(notice.case_id, notice.application)
                self._outbox.extend(seating.leave(self.state, ref, workflow.now()))
            self._outbox.pop(0)
