"""The participant's journey (programme.md): one long-lived workflow per case.

Case workers move the case with Updates (a validator refuses what the phase does not allow,
before anything is written); the clocks of the phase ring as timers; the read model and the
reminders are written by activities from an outbox, so an action's answer never waits on them.
"""

import contextlib
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import (
    RetryPolicy,
    SearchAttributeKey,
    SearchAttributeUpdate,
    SearchAttributeValueType,
)
from temporalio.exceptions import ApplicationError, FailureError

# `import workflows.x` rather than `from workflows import x`: the sandbox passes through what
# it is asked to import, and a submodule reached through its package's name is not that, so it
# was executed anew for every workflow run.
with workflow.unsafe.imports_passed_through():
    import workflows.actions as a
    import workflows.applications as applications
    import workflows.process as process
    from workflows.actions import Action
    from workflows.case import CaseState, CaseView, JourneyInput
    from workflows.clocks import TASK_KIND, Alarm, ClockName, Stage, alarm_time, next_alarm
    from workflows.domain import Actor, Application, ApplicationStatus, Outcome, Phase, Status
    from workflows.effects import (
        NEXT_DUE_AT,
        NOTIFY,
        OVERDUE,
        PHASE,
        PROJECT_CASE,
        REQUEST_SEAT,
        RESPONSIBLE_WORKER,
        TRACK_ID,
        CaseSnapshot,
        Notice,
        SeatAnswer,
        SeatRequest,
        TaskSpec,
    )
    from workflows.initials import initials
    from workflows.seat_messages import ApplicantRef, SeatMove, ToJourney, ToTrack, TrackNotice, track_workflow_id

ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
ESCALATION_AUDIENCE = {Stage.ESCALATE: "coordinator", Stage.ESCALATE_SUPERVISOR: "supervisor"}
# Since this patch the track's workflow owns the seats and the journey signals it every change.
TRACK_OWNS_SEATS = "track-workflow-owns-seats"
OUTBOX_ONE_PASS = "outbox-one-pass-per-turn"


class ActionRefusedError(ApplicationError):
    """Raised by validators; the refusal travels in `details[0]`."""


def _action_update(action: Action, body_type: type[a.ActionBody]) -> Any:
    """The Update for one action: its validator refuses what the phase does not allow (nothing
    is written then); its handler applies the action's rule from process.RULES."""

    async def handler(self: Any, actor: Actor, body: body_type) -> CaseView:  # type: ignore[valid-type]
        view: CaseView = self._act(actor, action, body)
        return view

    def validator(self: Any, actor: Actor, body: body_type) -> None:  # type: ignore[valid-type]
        self._check(action, body)

    # The SDK reads the arguments' types from the annotations: `self` must not be among them.
    for fn in (handler, validator):
        del fn.__annotations__["self"]
        fn.__name__ = action.value.replace("-", "_")
    update = workflow.update(name=action.value)(handler)
    update.validator(validator)
    return update


@workflow.defn(name="Journey")
class JourneyWorkflow:
    @workflow.init
    def __init__(self, input: JourneyInput) -> None:
        if input.state is not None:
            self.state = input.state
            self._projected = -1
        else:
            assert input.opening is not None
            o = input.opening
            now = workflow.now()
            self.state = CaseState(
                o.case_id,
                o.municipality,
                o.responsible_worker,
                o.participant,
                o.mapping,
                o.policy,
                now,
                o.opened_by,
            )
            process.open_case(self.state, now)
            self._projected = -1
        self._notices: list[Notice] = []
        self._search_attributes: dict[str, object] = {}
        self._seat_moves: list[SeatMove] = []  # signals owed to tracks, sent in order
        self._applying: tuple[str, int] | None = None  # (track, application) while the track answers
        self._early_notices: list[TrackNotice] = []  # the track spoke before its answer arrived

    @workflow.run
    async def run(self, input: JourneyInput) -> Outcome:
        while True:
            await self._write_outbox()
            if self.state.phase is Phase.CLOSED:
                await workflow.wait_condition(workflow.all_handlers_finished)
                await self._drain_outbox()
                return Outcome(self.state.case_id, self.state.exit_reason, self.state.outcome, self.state.closed_reason)
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                await self._drain_outbox()
                workflow.continue_as_new(JourneyInput(state=self.state))
            alarm = next_alarm(self.state.clocks, self.state.policy)
            if alarm is not None and alarm.at <= workflow.now():
                self._ring(alarm)
                continue
            timeout = None if alarm is None else alarm.at - workflow.now()
            summary = None if alarm is None else f"{alarm.clock.value} {alarm.stage.value}"
            # Woken by an action (something to write) or by the next alarm's time.
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(self._outbox_waiting, timeout=timeout, timeout_summary=summary)

    # --- queries ------------------------------------------------------------------------

    @workflow.query(name="state")
    def current_state(self) -> CaseView:
        return process.view(self.state)

    # --- the actions: one Update each, with a validator --------------------------------

    complete_introduction = _action_update(Action.COMPLETE_INTRODUCTION, a.CompleteIntroduction)
    plan_effort = _action_update(Action.PLAN_EFFORT, a.PlanEffort)
    complete_effort = _action_update(Action.COMPLETE_EFFORT, a.CompleteEffort)
    record_follow_up = _action_update(Action.RECORD_FOLLOW_UP, a.RecordFollowUp)
    joint_standpoint = _action_update(Action.JOINT_STANDPOINT, a.JointStandpoint)
    answer_offer = _action_update(Action.ANSWER_OFFER, a.AnswerOffer)
    record_exit = _action_update(Action.RECORD_EXIT, a.RecordExit)
    record_outcome = _action_update(Action.RECORD_OUTCOME, a.RecordOutcome)
    withdraw = _action_update(Action.WITHDRAW, a.Withdraw)
    reactivate = _action_update(Action.REACTIVATE, a.Reactivate)
    reassign = _action_update(Action.REASSIGN, a.Reassign)
    close = _action_update(Action.CLOSE, a.Close)

    @workflow.update(name=Action.APPLY_TO_TRACK.value)
    async def apply_to_track(self, actor: Actor, body: a.ApplyToTrack) -> CaseView:
        if self._already_applied():
            return process.view(self.state)
        if self._applying is not None:
            # Two applications at once would let one participant hold two places.
            refusal = a.Refusal(
                "not_allowed",
                "another application is being answered",
                self.state.phase.value,
                [x.value for x in process.allowed_actions(self.state)],
            )
            raise ActionRefusedError(refusal.message, refusal, type=refusal.kind, non_retryable=True)
        self.state.applications_made += 1
        number = self.state.applications_made
        self._applying = (body.track_id, number)
        applied_at = workflow.now()
        try:
            answer = await self._request_seat(body, number, applied_at)
        finally:
            self._applying = None
        # The track answered while we waited: the phase may have moved on meanwhile.
        if self.state.phase is not Phase.TRACK_SELECTION:
            self._early_notices.clear()
            self._owe_track(SeatMove(body.track_id, ToTrack.APPLICANT_LEFT, ApplicantRef(self.state.case_id, number)))
            raise ActionRefusedError("the case left track selection while the track answered", non_retryable=True)
        status = ApplicationStatus(answer.status)
        view = self._act(
            actor,
            Action.APPLY_TO_TRACK,
            body,
            lambda state, body, actor, now: process.application_answered(
                state, body, status, answer.reason, now, number, applied_at
            ),
        )
        if not self._early_notices:
            return view
        while self._early_notices:
            self._hear(self._early_notices.pop(0))
        return process.view(self.state)

    @apply_to_track.validator
    def _check_apply_to_track(self, actor: Actor, body: a.ApplyToTrack) -> None:
        self._check(Action.APPLY_TO_TRACK, body)

    # --- what the track says (signals from the track's workflow) ------------------------

    @workflow.signal(name=ToJourney.SEAT_OFFERED.value)
    def seat_offered(self, notice: TrackNotice) -> None:
        self._hear(notice)

    @workflow.signal(name=ToJourney.ADMITTED_BY_LEAD.value)
    def admitted_by_lead(self, notice: TrackNotice) -> None:
        self._hear(notice)

    @workflow.signal(name=ToJourney.DECLINED_BY_LEAD.value)
    def declined_by_lead(self, notice: TrackNotice) -> None:
        self._hear(notice)

    def _hear(self, notice: TrackNotice) -> None:
        if self._applying == (notice.track_id, notice.application):
            self._early_notices.append(notice)  # heard once the track's answer is in
            return
        now = workflow.now()
        summary = applications.hear_from_track(self.state, notice, now)
        if summary is not None:
            action = notice.signal.value.replace("_", "-")
            process.record(self.state, now, notice.decided_by or "system", action, summary, None)
            return
        app = self.state.application
        holding = applications.is_about(app, notice) and app is not None and app.status in applications.HOLDING
        if notice.signal is not ToJourney.DECLINED_BY_LEAD and not holding:
            # An offer or admission the case can no longer take: the track gives it to the next.
            ref = ApplicantRef(notice.case_id, notice.application)
            self._owe_track(SeatMove(notice.track_id, ToTrack.APPLICANT_LEFT, ref))

    def _owe_track(self, move: SeatMove) -> None:
        if workflow.patched(TRACK_OWNS_SEATS):
            self._seat_moves.append(move)

    def _tell_track_after(self, before: Application | None, before_phase: Phase) -> None:
        move = applications.owed_to_track(before, before_phase, self.state)
        if move is not None:
            self._owe_track(move)

    # --- how an action is checked and applied ------------------------------------------

    def _already_applied(self) -> bool:
        info = workflow.current_update_info()
        return info is not None and info.id in self.state.applied_updates

    def _check(self, action: Action, body: a.ActionBody) -> None:
        if self._already_applied():
            return  # a repeated Idempotency-Key: the handler answers with the state as it is
        try:
            process.check(self.state, action, body, workflow.now())
        except process.Refused as refused:
            raise ActionRefusedError(
                str(refused), refused.refusal, type=refused.refusal.kind, non_retryable=True
            ) from None

    def _act(
        self, actor: Actor, action: Action, body: a.ActionBody, rule: process.ActionRule | None = None
    ) -> CaseView:
        if self._already_applied():
            return process.view(self.state)
        now = workflow.now()
        before, before_phase = self.state.application, self.state.phase
        summary = (rule or process.RULES[action])(self.state, body, actor, now)
        process.record(self.state, now, actor, action.value, summary, body.note)
        self._tell_track_after(before, before_phase)
        info = workflow.current_update_info()
        if info is not None:
            process.remember_update(self.state, info.id)
        return process.view(self.state)

    async def _request_seat(self, body: a.ApplyToTrack, number: int, applied_at: datetime) -> SeatAnswer:
        request = SeatRequest(
            body.track_id,
            self.state.case_id,
            self.state.municipality,
            [x.value for x in self.state.mapping.experience],
            applied_at,
            number,
        )
        answer: SeatAnswer = await workflow.execute_activity(
            REQUEST_SEAT,
            request,
            result_type=SeatAnswer,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=ACTIVITY_RETRY,
        )
        return answer

    # --- clocks --------------------------------------------------------------------------

    def _ring(self, alarm: Alarm) -> None:
        clock = self.state.clocks[alarm.clock]
        clock.fired.append(alarm.stage)
        now = workflow.now()
        kind = TASK_KIND[alarm.clock]
        if alarm.clock is ClockName.OFFER_ANSWER and alarm.stage is Stage.DUE:
            before = self.state.application
            process.expire_offer(self.state)
            process.record(self.state, now, "system", "offer-expired", "no answer in time: the offer expired", None)
            self._tell_track_after(before, self.state.phase)
            return
        audience = ESCALATION_AUDIENCE.get(alarm.stage, "responsible")
        self._notices.append(
            Notice(
                f"{self.state.case_id}:{alarm.clock.value}:{clock.seq}:{alarm.stage.value}",
                self.state.case_id,
                self.state.municipality,
                self.state.responsible_worker,
                audience,
                kind,
                alarm.stage.value,
                clock.due_at,
                initials(self.state.participant.given_name, self.state.participant.family_name),
            )
        )
        self.state.version += 1

    def _open_tasks(self) -> list[TaskSpec]:
        tasks: list[TaskSpec] = []
        for clock in self.state.clocks.values():
            base = f"{self.state.case_id}:{clock.name.value}:{clock.seq}"
            kind = TASK_KIND[clock.name]
            if Stage.REMIND in clock.fired:
                tasks.append(TaskSpec(base, kind, clock.name.value, clock.due_at, "responsible", clock.overdue))
            for stage, audience in ESCALATION_AUDIENCE.items():
                if stage in clock.fired:
                    at = alarm_time(clock, stage, self.state.policy)
                    tasks.append(TaskSpec(f"{base}:{stage.value}", "escalation", kind, at, audience, True))
        return tasks

    # --- the outbox: read model, reminders, search attributes --------------------------

    def _outbox_waiting(self) -> bool:
        return bool(self._notices) or self._projected != self.state.version or bool(self._seat_moves)

    async def _drain_outbox(self) -> None:
        while self._outbox_waiting():
            await self._outbox_pass()

    async def _write_outbox(self) -> None:
        # One pass, not until empty: under a stream of actions the run loop must still get
        # to its continue-as-new check between passes. Cases started before drained fully.
        if not workflow.patched(OUTBOX_ONE_PASS):
            await self._drain_outbox()
        elif self._outbox_waiting():
            await self._outbox_pass()

    async def _outbox_pass(self) -> None:
        await self._tell_tracks()
        self._update_search_attributes()
        if self._projected != self.state.version:
            version = self.state.version
            await workflow.execute_activity(
                PROJECT_CASE,
                self._snapshot(),
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=ACTIVITY_RETRY,
            )
            self._projected = version
        while self._notices:
            notice = self._notices[0]
            await workflow.execute_activity(
                NOTIFY,
                notice,
                start_to_close_timeout=timedelta(seconds=60),
                retry_policy=ACTIVITY_RETRY,
            )
            self._notices.pop(0)

    async def _tell_tracks(self) -> None:
        # First in the outbox: a freed seat should not wait on a slow mail server.
        while self._seat_moves:
            move = self._seat_moves[0]
            try:
                await workflow.get_external_workflow_handle(track_workflow_id(move.track_id)).signal(
                    move.signal.value, move.ref
                )
            except FailureError:
                workflow.logger.warning("track_unreachable", extra={"track_id": move.track_id})
            self._seat_moves.pop(0)

    def _snapshot(self) -> CaseSnapshot:
        s, app = self.state, self.state.application
        return CaseSnapshot(
            case_id=s.case_id,
            version=s.version,
            municipality=s.municipality,
            responsible_worker=s.responsible_worker,
            phase=s.phase.value,
            status=s.status.value,
            given_name=s.participant.given_name,
            family_name=s.participant.family_name,
            gender=s.participant.gender.value,
            birth_date=s.participant.birth_date,
            opened_at=s.opened_at,
            track_id=s.track_id,
            application_track_id=app.track_id if app else None,
            application_status=app.status.value if app else None,
            next_due_at=s.next_due_at,
            overdue=s.overdue,
            exited_on=s.exited_on,
            exit_reason=s.exit_reason.value if s.exit_reason else None,
            outcome=s.outcome.value if s.outcome else None,
            closed_at=s.closed_at,
            tasks=self._open_tasks(),
            final_view=process.view(s) if s.status is Status.CLOSED else None,
        )

    def _update_search_attributes(self) -> None:
        s = self.state
        changes = [
            self._changed(PHASE, s.phase.value),
            self._changed(TRACK_ID, s.track_id),
            self._changed(RESPONSIBLE_WORKER, s.responsible_worker),
            self._changed(NEXT_DUE_AT, s.next_due_at),
            self._changed(OVERDUE, s.overdue),
        ]
        updates = [u for u in changes if u is not None]
        if updates:
            workflow.upsert_search_attributes(updates)

    def _changed(
        self, key: SearchAttributeKey[SearchAttributeValueType], value: SearchAttributeValueType | None
    ) -> SearchAttributeUpdate[SearchAttributeValueType] | None:
        """An update of `key` to `value`, unless the workflow already set it so."""
        if self._search_attributes.get(key.name, ...) == value:
            return None
        self._search_attributes[key.name] = value
        return key.value_unset() if value is None else key.value_set(value)
