"""A case action, once for every face: scope, what only the database knows (the new
responsible worker, the track and its prerequisites), the workflow's Update, and the answer
written to the access log. Which phase allows an action and who may decide it is the
workflow's (workflows/refusals.py); its refusals come back as domain errors."""

import asyncio

from sqlmodel import Session
from temporalio.client import Client

from core.settings import Settings
from core.words import N_
from services import live_views
from services.access_log import journaled, record_action_answer
from services.cases import Who, case_in_scope, resolved, responsible_for
from services.errors import Erased, FieldError, InvalidFields
from services.journeys import query_state, run_action
from services.protected_identity import view_for
from services.scope import actor_of
from services.temporal import keys_of
from store.case_keys import CaseErased
from store.db import reads_only
from store.models import CaseSummary, Track, User
from workflows import actions as a
from workflows.actions import Action
from workflows.case import CaseView
from workflows.mapping import unmet_prerequisites

# reason: a page says it with its values (core/i18n.py)
NOT_MET = N_("prerequisite not met: %(prerequisite)s")


def check_with_catalogue(session: Session, user: User, summary: CaseSummary, body: a.ActionBody) -> dict[str, object]:
    """What only the database knows: the new responsible worker, the track; the track's
    prerequisites (checked against the live mapping by `check_prerequisites`)."""
    if isinstance(body, a.Reassign):
        responsible_for(session, user, body.responsible_worker, summary.municipality)
    if isinstance(body, a.ApplyToTrack):
        track = session.get(Track, body.track_id)
        if track is None or summary.municipality not in track.municipalities:
            # reason: a page says it with its values (core/i18n.py)
            no_track = N_("no track %(track_id)s for municipality %(municipality)s")
            values = {"track_id": body.track_id, "municipality": summary.municipality}
            raise InvalidFields.one("track_id", no_track % values)
        return dict(track.prerequisites)
    return {}


async def check_prerequisites(client: Client, case_id: str, prerequisites: dict[str, object]) -> None:
    if not prerequisites:
        return
    view = await query_state(client, case_id)
    unmet = unmet_prerequisites(prerequisites, view.mapping) if view and view.mapping else []
    if unmet:
        raise InvalidFields(
            [
                FieldError("track_id", NOT_MET % {"prerequisite": name}, "prerequisite", {"prerequisite": name})
                for name in unmet
            ]
        )


async def act(
    session: Session,
    client: Client,
    settings: Settings,
    user: Who,
    case_id: str,
    action: Action,
    body: a.ActionBody,
    idempotency_key: str | None,
    *,
    via: str = "POST /api/v1/cases/{case_id}/actions",
) -> CaseView:
    """Do `action` on the case; the same idempotency key twice does it once."""

    def checked() -> tuple[User, CaseSummary, dict[str, object]]:
        # One thread hop for the checks; the connection goes back before the workflow works
        # (its activities share the pool: fifty actions at once must not starve them).
        try:
            reads_only(session)
            actor = resolved(user)
            summary = case_in_scope(session, actor, case_id, to_act=True)
            return actor, summary, check_with_catalogue(session, actor, summary, body)
        finally:
            session.close()

    actor, summary, prerequisites = await asyncio.to_thread(checked)
    await check_prerequisites(client, case_id, prerequisites)
    try:
        view = await run_action(
            client, case_id, action, actor_of(actor), body, idempotency_key, settings.action_timeout
        )
    except CaseErased:  # its key is gone: nothing can be said to it, nor read from it
        raise Erased("the case was erased: it takes no more actions") from None
    live_views.keep(session, keys_of(client), view)
    if journaled():  # one append to a file: less than the thread hop a database write needs
        answered(session, actor, summary, action, via)
    else:
        await asyncio.to_thread(answered, session, actor, summary, action, via)
    return view_for(view, actor.username)


def answered(session: Session, user: User, summary: CaseSummary, action: Action, via: str) -> None:
    """The answer's entry in the access log (it shows the case), written after the action."""
    try:
        record_action_answer(session, user, summary, action.value, via=via)
    finally:
        session.close()
