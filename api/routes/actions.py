"""The case actions: `POST /cases/{case_id}/actions/{action}`, each a Temporal Update.

`ACTION_ROUTES` below is the route table: one row per action with its path, its OpenAPI
summary and description (Swedish term, English term, what it does). Which phase allows an
action, who may decide it and what it does is the workflow's (workflows/refusals.py, workflows/process.py): this
module only routes: services/actions.py checks what only the database knows and hands the
action on.
"""

from dataclasses import MISSING, dataclass, fields
from typing import Annotated

from fastapi import APIRouter, Body, Header, Response

from api.case_answer import case_answer
from api.deps import CaseActorCall, SettingsDep, TemporalDep
from services import actions
from workflows.actions import BODIES, Action
from workflows.case import CaseView

router = APIRouter(tags=["actions"])

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="the same key twice does the action once"),
]


@dataclass(frozen=True)
class ActionRoute:
    path: str
    action: Action
    summary: str  # Swedish term (English term)
    description: str


ACTION_ROUTES = [
    ActionRoute(
        "/cases/{case_id}/actions/complete-introduction", Action.COMPLETE_INTRODUCTION,
        "Avsluta introduktionen (complete the introduction)",
        "Phase `introduction` → `preparatory` (förberedande insatser).",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/update-mapping", Action.UPDATE_MAPPING,
        "Fortsatt kartläggning (update the mapping)",
        "Any open phase. The mapping is living: education, Swedish level, experience, driving licence, "
        "interest in own business, obstacles (categories only, never a diagnosis) and the target-group facts "
        "(newly arrived with the establishment start, social assistance, disability). Fields left out keep "
        "their value; later checks (track prerequisites, target groups, figures) read the current mapping.",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/plan-effort", Action.PLAN_EFFORT,
        "Planera insats (plan an effort)",
        "Adds an effort from the shared toolbox (verktygslådan): `kind`, `provider`, `starts_on`, `ends_on`.",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/complete-effort", Action.COMPLETE_EFFORT,
        "Avsluta insats (complete an effort)",
        "Marks the effort `effort_id` done with its `result`.",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/record-follow-up", Action.RECORD_FOLLOW_UP,
        "Registrera uppföljning (record a follow-up)",
        "Kontinuerlig uppföljning: `held_on`, `attendees`, `progress`, `next_steps`; restarts the follow-up clock.",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/joint-standpoint", Action.JOINT_STANDPOINT,
        "Gemensamt ställningstagande (joint standpoint)",
        "Arbetsförmedlingen's decision with the participant (003): only AF staff (else 403 naming the rule). "
        "`decision`: `track` → `track_selection`, `long_term_plan` → `long_term_plan`; `work`, `studies` or "
        "`fast_track` (snabbspår) → `exited` with that reason.",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/apply-to-track", Action.APPLY_TO_TRACK,
        "Ansök till jobbspår (apply to a job track)",
        "`track_id`, optional `motivation`. The track's prerequisites are checked against the current mapping "
        "(unmet: 422 naming each); the track answers `offered` or `waiting`. One application at a time.",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/answer-offer", Action.ANSWER_OFFER,
        "Svara på erbjuden plats (answer a seat offer)",
        "`accept`: true → `track`; false → back to choosing. Unanswered in time, the offer expires.",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/record-exit", Action.RECORD_EXIT,
        "Registrera avslut (record the exit)",
        "From any phase before `exited`, a withdrawn programme too: `reason`, optional `exited_on`. "
        "The 90-day outcome check falls due after the policy's `outcome_check_after`.",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/record-outcome-attempt", Action.RECORD_OUTCOME_ATTEMPT,
        "Försök att nå deltagaren (record an attempt to reach the participant)",
        "Phase `exited`: `on` (date), `channel` (`phone`, `sms`, `letter`, `email`, `visit`), for the 90-day check.",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/record-outcome", Action.RECORD_OUTCOME,
        "Status efter 90 dagar (record the 90-day outcome)",
        "Phase `exited` → `closed`: `status`. Positive: work, subsidised work, regular studies, own business. "
        "`not_reached` needs at least two recorded attempts.",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/withdraw", Action.WITHDRAW,
        "Återkalla programmet (withdraw the programme)",
        "Arbetsförmedlingen's judgement (002): only AF staff. `reason`, `attempts` (at least two: `on`, `what`), "
        "`conditions` (what must happen first), `reactivation` (how the case is taken up again), optional "
        "`review_on`. → `withdrawn`: clocks stop, a review date is set, the partner's coordinator is told.",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/postpone-review", Action.POSTPONE_REVIEW,
        "Flytta omprövningen (postpone the review)",
        "Phase `withdrawn`: a new `review_on`; the open review task closes.",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/reactivate", Action.REACTIVATE,
        "Återaktualisera (reactivate)",
        "Phase `withdrawn` → `resume_phase` (`introduction`, `preparatory`, `track_selection`, "
        "`long_term_plan`), with a new mapping if given (fields as in update-mapping); the partner is told.",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/reassign", Action.REASSIGN,
        "Byt ansvarig handläggare (reassign)",
        "`responsible_worker`: a case worker in the case's municipality; open tasks move with the case.",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/withdraw-consent", Action.WITHDRAW_CONSENT,
        "Återkalla samtycke (withdraw consent)",
        "The participant withdraws consent to share between the authorities: → `closed` (`consent_withdrawn`).",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/close", Action.CLOSE,
        "Avsluta ärendet (close the case)",
        "Any open phase → `closed` without outcome: `reason`.",
    ),
    ActionRoute(
        "/cases/{case_id}/actions/set-protected-identity", Action.SET_PROTECTED_IDENTITY,
        "Skyddade personuppgifter (protected identity)",
        "Any open phase: `protected` true or false. A protected participant is named to the responsible "
        "case worker only; everyone else reads `protected` where the name or initials would be (lists, "
        "pages, answers, mails). Only the responsible case worker or Arbetsförmedlingen may change it "
        "(403, rule `protected_identity_by_responsible_or_af`).",
    ),
]


def _register(route: ActionRoute) -> None:
    body_type = BODIES[route.action]
    # A body whose fields all have defaults (complete-introduction) may be left out.
    required = any(f.default is MISSING and f.default_factory is MISSING for f in fields(body_type))

    async def act(
        case_id: str,
        who: CaseActorCall,
        client: TemporalDep,
        settings: SettingsDep,
        idempotency_key: IdempotencyKey = None,
        body: body_type = Body(... if required else None),  # type: ignore[valid-type]
    ) -> Response:
        body = body if body is not None else body_type()
        view = await actions.act(who.session, client, settings, who.user, case_id, route.action, body, idempotency_key)
        return case_answer(view)

    act.__name__ = route.action.value.replace("-", "_")
    router.post(
        route.path,
        name=route.action.value,
        summary=route.summary,
        description=route.description,
        response_model=CaseView,
        responses={403: {"description": "a decision right: the body names the rule"}},
    )(act)


for _route in ACTION_ROUTES:
    _register(_route)
