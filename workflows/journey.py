"""The participant's journey (programme.md): one long-lived workflow per case.

Case workers move the case with Updates (a validator refuses what the actor may not decide or
the phase does not allow, before anything is written); the clocks of the phase ring as timers;
what the case owes the outside world (read model, reminders, search attributes, its track) is
worked out by `outbox` and `track_link` and carried out here, so an action's answer never
waits on it. The process itself is `process`.
"""

import contextlib
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError, FailureError

# `import workflows.x` rather than `from workflows import x`: the sandbox passes through what
# it is asked to import, and a submodule reached through its package's name is not that, so it
# was executed anew for every workflow run.
with workflow.unsafe.imports_passed_through():
    import workflows.actions as a
    import workflows.applications as applications
    import workflows.outbox as outbox
    import workflows.phases as phases
    import workflows.process as process
    import workflows.refusals as refusals
    import workflows.track_link as track_link
    from workflows.actions import Action
    from workflows.case import CaseView, JourneyInput
    from workflows.clocks import Alarm, ClockName, Stage, next_alarm
    from workflows.domain import Actor, Application, ApplicationStatus, Outcome, Phase
    from workflows.effects import (
        NOTIFY,
        PROJECT_CASE,
        REQUEST_SEAT,
        SNAPSHOT_QUERY,
        CaseSnapshot,
        Notice,
        SeatAnswer,
        SeatRequest,
    )
    from workflows.seat_messages import SeatMove, ToJourney, TrackNotice, track_workflow_id
    from workflows.views import view_of

ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
# Since this patch the track's workflow owns the seats and the journey signals it every change.
TRACK_OWNS_SEATS = "track-workflow-owns-seats"
OUTBOX_ONE_PASS = "outbox-one-pass-per-turn"
# Cases opened since this patch run the process as the agreements write it (phases.AGREEMENTS).
PROCESS_OF_THE_AGREEMENTS = "process-of-the-agreements"
# Since this patch the case also keeps the TargetGroups and Gender search attributes.
GROUP_SEARCH_ATTRIBUTES = "target-groups-and-gender-search-attributes"
# Since this patch a case's protected identity can change after the opening.
PROTECTED_IDENTITY_ACTION = "protected-identity-action"
# Since this patch a case opens at the referral's time, as the API stamped it: the API answers
# the opening with the same first state the workflow holds, without waiting for its first task.
OPENED_AT_THE_REFERRAL = "opened-at-the-referral"
# Since this patch a journey whose input says the API wrote its first read-model row and search
# attributes with the start (`first_written`) does not write them again in its first task: no
# projection activity, no second workflow task, no upsert (bench/PROFILE.md).
FIRST_WRITTEN_BY_THE_API = "first-written-by-the-api"
# Since this patch a run records one marker, at its start, for every patch above: a run that
# begins on code with all of them takes every patched path without asking each. Each marker
# cost an event and the SDK's upsert of TemporalChangeVersion, another event and a visibility
# write: ten events in every new journey's first task, now two (bench/PROFILE.md). A run
# without this marker (begun on older code) asks each patch as before.
EVERY_PATCH_BEFORE = "every-patch-before-one-marker"
# The patches it stands for. A patch added after it is asked with `workflow.patched` itself.
BEFORE_ONE_MARKER = frozenset(
    {
        TRACK_OWNS_SEATS,
        OUTBOX_ONE_PASS,
        PROCESS_OF_THE_AGREEMENTS,
        GROUP_SEARCH_ATTRIBUTES,
        PROTECTED_IDENTITY_ACTION,
        OPENED_AT_THE_REFERRAL,
        FIRST_WRITTEN_BY_THE_API,
    }
)


class ActionRefusedError(ApplicationError):
    """Raised by validators; the refusal travels in `details[0]`."""


def _refused(refusal: a.Refusal) -> ActionRefusedError:
    return ActionRefusedError(refusal.message, refusal, type=refusal.kind, non_retryable=True)


def _action_update(action: Action, body_type: type[a.ActionBody]) -> Any:
    """The Update for one action: its validator refuses what the actor may not decide or the
    phase does not allow (nothing is written then); its handler applies process.RULES."""

    async def handler(self: Any, actor: Actor, body: body_type) -> CaseView:  # type: ignore[valid-type]
        view: CaseView = self._act(actor, action, body)
        return view

    def validator(self: Any, actor: Actor, body: body_type) -> None:  # type: ignore[valid-type]
        self._check(action, body, actor)

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
        self._every_patch = workflow.patched(EVERY_PATCH_BEFORE)
        if input.state is not None:
            self.state = input.state
        else:
            assert input.opening is not None
            opened_at = workflow.now()
            if input.opened_at is not None and self._since(OPENED_AT_THE_REFERRAL):
                opened_at = input.opened_at
            revision = phases.LATEST if self._since(PROCESS_OF_THE_AGREEMENTS) else 0
            self.state = phases.initial_state(input.opening, opened_at, revision)
        self._projected = -1
        self._notices: list[Notice] = []
        self._search_attributes: dict[str, object] = {}
        if input.first_written and input.opened_at is not None and self._since(FIRST_WRITTEN_BY_THE_API):
            self._projected = self.state.version
            self._search_attributes = outbox.first_search_attributes(self.state, input.opened_at)
        self._seat_moves: list[SeatMove] = []  # signals owed to tracks, sent in order
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

    def _since(self, patch: str) -> bool:
        """Whether this run takes the path `patch` brought: for a patch BEFORE_ONE_MARKER, always
        in a run whose start recorded EVERY_PATCH_BEFORE; else as its own marker says."""
        return (self._every_patch and patch in BEFORE_ONE_MARKER) or workflow.patched(patch)

    # --- queries ------------------------------------------------------------------------

    @workflow.query(name="state")
    def current_state(self) -> CaseView:
        return view_of(self.state, workflow.now())

    @workflow.query(name=SNAPSHOT_QUERY)
    def read_model_snapshot(self) -> CaseSnapshot:
        """The read model's row and open tasks as the projection would write them now: a
        rebuild asks every case, running or closed, for this."""
        return outbox.snapshot(self.state, workflow.now())

    # --- the actions: one Update each, with a validator --------------------------------

    complete_introduction = _action_update(Action.COMPLETE_INTRODUCTION, a.CompleteIntroduction)
    update_mapping = _action_update(Action.UPDATE_MAPPING, a.UpdateMapping)
    plan_effort = _action_update(Action.PLAN_EFFORT, a.PlanEffort)
    complete_effort = _action_update(Action.COMPLETE_EFFORT, a.CompleteEffort)
    record_follow_up = _action_update(Action.RECORD_FOLLOW_UP, a.RecordFollowUp)
    joint_standpoint = _action_update(Action.JOINT_STANDPOINT, a.JointStandpoint)
    answer_offer = _action_update(Action.ANSWER_OFFER, a.AnswerOffer)
    record_exit = _action_update(Action.RECORD_EXIT, a.RecordExit)
    record_outcome_attempt = _action_update(Action.RECORD_OUTCOME_ATTEMPT, a.RecordOutcomeAttempt)
    record_outcome = _action_update(Action.RECORD_OUTCOME, a.RecordOutcome)
    withdraw = _action_update(Action.WITHDRAW, a.Withdraw)
    postpone_review = _action_update(Action.POSTPONE_REVIEW, a.PostponeReview)
    reactivate = _action_update(Action.REACTIVATE, a.Reactivate)
    reassign = _action_update(Action.REASSIGN, a.Reassign)
    withdraw_consent = _action_update(Action.WITHDRAW_CONSENT, a.WithdrawConsent)
    close = _action_update(Action.CLOSE, a.Close)

    @workflow.update(name=Action.SET_PROTECTED_IDENTITY.value)
    async def set_protected_identity(self, actor: Actor, body: a.SetProtectedIdentity) -> CaseView:
        # Only a case running this code can receive the update; the marker records in the case's
        # history from when its protection could change after the opening (a run begun since
        # EVERY_PATCH_BEFORE records none here: the marker at its start says it).
        self._since(PROTECTED_IDENTITY_ACTION)
        return self._act(actor, Action.SET_PROTECTED_IDENTITY, body)

    @set_protected_identity.validator
    def _check_set_protected_identity(self, actor: Actor, body: a.SetProtectedIdentity) -> None:
        self._check(Action.SET_PROTECTED_IDENTITY, body, actor)

    @workflow.update(name=Action.APPLY_TO_TRACK.value)
    async def apply_to_track(self, actor: Actor, body: a.ApplyToTrack) -> CaseView:
        if self._already_applied():
            return view_of(self.state, workflow.now())
        if self.state.applying_to is not None:
            # The validator refuses a second application while one is answered (nothing is
            # written then). Two updates validated in the same activation both pass it before
            # either handler runs: the second is refused here, or one participant would hold
            # two places.
            raise _refused(self._not_allowed("another application is being answered"))
        self.state.applications_made += 1
        number = self.state.applications_made
        self.state.applying_to = body.track_id
        applied_at = workflow.now()
        try:
            answer = await self._request_seat(track_link.seat_request(self.state, body, applied_at))
        finally:
            self.state.applying_to = None
        # The track answered while we waited: the phase may have moved on meanwhile.
        if self.state.phase is not Phase.TRACK_SELECTION:
            self._early_notices.clear()
            self._owe_track(track_link.left_while_answering(self.state, body.track_id, number))
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
        return view_of(self.state, workflow.now())

    @apply_to_track.validator
    def _check_apply_to_track(self, actor: Actor, body: a.ApplyToTrack) -> None:
        self._check(Action.APPLY_TO_TRACK, body, actor)

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
        if track_link.heard_early(self.state, notice):
            self._early_notices.append(notice)  # heard once the track's answer is in
            return
        now = workflow.now()
        summary, owed = track_link.hear(self.state, notice, now)
        if summary is not None:
            action = notice.signal.value.replace("_", "-")
            phases.record(self.state, now, notice.decided_by or "system", action, summary, None)
        if owed is not None:
            self._owe_track(owed)

    def _owe_track(self, move: SeatMove) -> None:
        if self._since(TRACK_OWNS_SEATS):
            self._seat_moves.append(move)

    def _tell_track_after(self, before: Application | None, before_phase: Phase) -> None:
        move = track_link.owed_to_track(before, before_phase, self.state)
        if move is not None:
            self._owe_track(move)

    # --- how an action is checked and applied ------------------------------------------

    def _already_applied(self) -> bool:
        info = workflow.current_update_info()
        return info is not None and info.id in self.state.applied_updates

    def _not_allowed(self, message: str) -> a.Refusal:
        allowed = [x.value for x in refusals.allowed_actions(self.state)]
        return a.Refusal("not_allowed", message, self.state.phase.value, allowed)

    def _check(self, action: Action, body: a.ActionBody, actor: Actor) -> None:
        if self._already_applied():
            return  # a repeated Idempotency-Key: the handler answers with the state as it is
        try:
            refusals.check(self.state, action, body, actor, workflow.now())
        except refusals.Refused as refused:
            raise _refused(refused.refusal) from None

    def _act(
        self, actor: Actor, action: Action, body: a.ActionBody, rule: process.ActionRule | None = None
    ) -> CaseView:
        if self._already_applied():
            return view_of(self.state, workflow.now())
        now = workflow.now()
        before, before_phase = self.state.application, self.state.phase
        told_before = list(self.state.partner_notices)
        summary = (rule or process.RULES[action])(self.state, body, actor, now)
        phases.record(self.state, now, actor, action.value, summary, body.note)
        self._tell_track_after(before, before_phase)
        self._notices.extend(outbox.partner_notices_made(self.state, told_before))
        info = workflow.current_update_info()
        if info is not None:
            phases.remember_update(self.state, info.id)
        return view_of(self.state, now)

    async def _request_seat(self, request: SeatRequest) -> SeatAnswer:
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
        self.state.clocks[alarm.clock].fired.append(alarm.stage)
        now = workflow.now()
        if alarm.clock is ClockName.OFFER_ANSWER and alarm.stage is Stage.DUE:
            before = self.state.application
            applications.expire_offer(self.state)
            phases.record(self.state, now, "system", "offer-expired", "no answer in time: the offer expired", None)
            self._tell_track_after(before, self.state.phase)
            return
        self._notices.append(outbox.alarm_notice(self.state, alarm))
        self.state.version += 1

    # --- the outbox: read model, reminders, search attributes, tracks ------------------

    def _outbox_waiting(self) -> bool:
        return bool(self._notices) or self._projected != self.state.version or bool(self._seat_moves)

    async def _drain_outbox(self) -> None:
        while self._outbox_waiting():
            await self._outbox_pass()

    async def _write_outbox(self) -> None:
        # One pass, not until empty: under a stream of actions the run loop must still get
        # to its continue-as-new check between passes. Cases started before drained fully.
        if not self._since(OUTBOX_ONE_PASS):
            await self._drain_outbox()
        elif self._outbox_waiting():
            await self._outbox_pass()

    async def _outbox_pass(self) -> None:
        await self._tell_tracks()
        updates = outbox.search_attribute_updates(
            self._search_attributes, self.state, workflow.now(), with_groups=self._since(GROUP_SEARCH_ATTRIBUTES)
        )
        if updates:
            workflow.upsert_search_attributes(updates)
        if self._projected != self.state.version:
            version = self.state.version
            await self._execute(PROJECT_CASE, outbox.snapshot(self.state, workflow.now()), timedelta(seconds=30))
            self._projected = version
        while self._notices:
            await self._execute(NOTIFY, self._notices[0], timedelta(seconds=60))
            self._notices.pop(0)

    async def _execute(self, activity: str, arg: Any, timeout: timedelta) -> None:
        await workflow.execute_activity(activity, arg, start_to_close_timeout=timeout, retry_policy=ACTIVITY_RETRY)

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
