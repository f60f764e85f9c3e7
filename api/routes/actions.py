"""One route per case action: `POST /cases/{case_id}/actions/{action}`, each an Update."""

from dataclasses import MISSING, fields
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, HTTPException

from api.deps import SessionDep, SettingsDep, TemporalDep
from api.journeys import query_state, run_action
from api.routes.cases import CaseActor, case_in_scope, field_error, responsible_for
from api.scope import actor_of
from store.models import CaseSummary, Track, User
from workflows import actions as a
from workflows.actions import BODIES, Action
from workflows.case import CaseView
from workflows.domain import EducationLevel, SwedishLevel

router = APIRouter(tags=["actions"])

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="the same key twice does the action once"),
]


async def check_with_catalogue(
    session: SessionDep, client: TemporalDep, user: User, summary: CaseSummary, body: a.ActionBody
) -> None:
    """What only the database knows: the new responsible worker, the track and its prerequisites."""
    if isinstance(body, a.Reassign):
        responsible_for(session, user, body.responsible_worker, summary.municipality)
    if isinstance(body, a.ApplyToTrack):
        track = session.get(Track, body.track_id)
        if track is None or summary.municipality not in track.municipalities:
            raise field_error("track_id", f"no track {body.track_id} for municipality {summary.municipality}")
        view = await query_state(client, summary.case_id)
        unmet = unmet_prerequisites(track.prerequisites, view) if view else []
        if unmet:
            raise HTTPException(
                422,
                [
                    {
                        "loc": ["body", "track_id"],
                        "msg": f"prerequisite not met: {name}",
                        "type": "prerequisite",
                        "prerequisite": name,
                    }
                    for name in unmet
                ],
            )


def unmet_prerequisites(prerequisites: dict[str, Any], view: CaseView) -> list[str]:
    """The track's stated prerequisites (min_swedish_level, min_education_level,
    driving_licence) that the participant's mapping does not meet."""
    unmet = []
    swedish, education = list(SwedishLevel), list(EducationLevel)
    need = prerequisites.get("min_swedish_level")
    if need and swedish.index(SwedishLevel(view.swedish_level)) < swedish.index(SwedishLevel(need)):
        unmet.append("min_swedish_level")
    need = prerequisites.get("min_education_level")
    if need and education.index(EducationLevel(view.education_level)) < education.index(EducationLevel(need)):
        unmet.append("min_education_level")
    if prerequisites.get("driving_licence") and not view.driving_licence:
        unmet.append("driving_licence")
    return unmet


def _register(action: Action, body_type: type[a.ActionBody]) -> None:
    # A body whose fields all have defaults (complete-introduction) may be left out.
    required = any(f.default is MISSING and f.default_factory is MISSING for f in fields(body_type))

    async def act(
        case_id: str,
        user: CaseActor,
        session: SessionDep,
        client: TemporalDep,
        settings: SettingsDep,
        idempotency_key: IdempotencyKey = None,
        body: body_type = Body(... if required else None),  # type: ignore[valid-type]
    ) -> CaseView:
        summary = case_in_scope(session, user, case_id)
        body = body if body is not None else body_type()
        await check_with_catalogue(session, client, user, summary, body)
        # Give the connection back while the workflow works: its activities need the pool too.
        session.close()
        return await run_action(client, case_id, action, actor_of(user), body, idempotency_key, settings.action_timeout)

    act.__doc__ = f"`{action.value}`: see the contract's action table."
    router.post(f"/cases/{{case_id}}/actions/{action.value}", name=action.value, summary=action.value)(act)


for _action, _body in BODIES.items():
    _register(_action, _body)
