"""A case action, once for every face: scope, what only the database knows (the new
responsible worker, the track and its prerequisites), the workflow's Update, and the answer
written to the access log. Which phase allows an action and who may decide it is the
workflow's (workflows/process.py); its refusals come back as domain errors."""

from sqlmodel import Session
from temporalio.client import Client

from core.settings import Settings
from services.access_log import record_action_answer
from services.cases import case_in_scope, responsible_for
from services.errors import Erased, FieldError, InvalidFields
from services.journeys import query_state, run_action
from services.protected_identity import view_for
from services.scope import actor_of
from store.case_keys import CaseErased
from store.models import CaseSummary, Track, User
from workflows import actions as a
from workflows.actions import Action
from workflows.case import CaseView
from workflows.mapping import unmet_prerequisites


async def check_with_catalogue(
    session: Session, client: Client, user: User, summary: CaseSummary, body: a.ActionBody
) -> None:
    """What only the database knows: the new responsible worker, the track and its prerequisites."""
    if isinstance(body, a.Reassign):
        responsible_for(session, user, body.responsible_worker, summary.municipality)
    if isinstance(body, a.ApplyToTrack):
        track = session.get(Track, body.track_id)
        if track is None or summary.municipality not in track.municipalities:
            raise InvalidFields.one("track_id", f"no track {body.track_id} for municipality {summary.municipality}")
        prerequisites = dict(track.prerequisites)
        # No connection held while the case answers: the worker's activities share the pool,
        # and fifty applications at once must not starve the seat requests they wait for.
        session.close()
        view = await query_state(client, summary.case_id)
        unmet = unmet_prerequisites(prerequisites, view.mapping) if view and view.mapping else []
        if unmet:
            raise InvalidFields(
                [
                    FieldError("track_id", f"prerequisite not met: {name}", "prerequisite", {"prerequisite": name})
                    for name in unmet
                ]
            )


async def act(
    session: Session,
    client: Client,
    settings: Settings,
    user: User,
    case_id: str,
    action: Action,
    body: a.ActionBody,
    idempotency_key: str | None,
    *,
    via: str = "POST /api/v1/cases/{case_id}/actions",
) -> CaseView:
    """Do `action` on the case; the same idempotency key twice does it once."""
    summary = case_in_scope(session, user, case_id, to_act=True)
    await check_with_catalogue(session, client, user, summary, body)
    # Give the connection back while the workflow works: its activities need the pool too.
    session.close()
    try:
        view = await run_action(client, case_id, action, actor_of(user), body, idempotency_key, settings.action_timeout)
    except CaseErased:  # its key is gone: nothing can be said to it, nor read from it
        raise Erased("the case was erased: it takes no more actions") from None
    record_action_answer(session, user, summary, action.value, via=via)
    return view_for(view, user.username)
