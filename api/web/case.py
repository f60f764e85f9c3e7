"""The case page: where the case stands, what is due and what can be done now, with one form
for each allowed action (api/web/action_forms.py). Reading the page is a read of the case,
written to the access log through the same service call as the API's, with the page as its
purpose. An action posts to `/cases/{case_id}/actions/{action}`; a refused or invalid one
shows the page again with why, what is allowed, and everything typed kept."""

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from api.deps import SessionDep, SettingsDep, TemporalDep
from api.web.action_forms import ActionForm, form_for, likely_first, parse
from api.web.audit import organisation_names
from api.web.deps import CheckedForm, PagesDep, PageUser
from api.web.forms import FormErrors
from core.words import N_
from services import actions, cases, tracks
from services.errors import Forbidden, InvalidFields, NotFound, Refused
from services.scope import CASE_ACTORS, CASE_READERS, actor_of
from store.models import User
from store.users import display_names
from workflows.actions import Action
from workflows.case import CaseView
from workflows.refusals import may_change_protection, withheld_by

router = APIRouter(include_in_schema=False)
PAGE_VIA = "GET /cases/{case_id}"
PAGE_PURPOSE = N_("case page")


@dataclass(frozen=True)
class Withheld:
    """An action the phase allows that is another organisation's decision: named, never a form."""

    action: Action
    organisation: str  # its name, in words


def _by_rights(session: SessionDep, user: User, likely: list[Action]) -> tuple[list[Action], list[Withheld]]:
    """The actions this user may take, most likely first; the others with who decides them."""
    actor = actor_of(user)
    rights = {a: withheld_by(actor, a) for a in likely}
    names = organisation_names(session) if any(rights.values()) else {}
    withheld = [Withheld(a, names.get(r.organisation, r.organisation)) for a, r in rights.items() if r is not None]
    return [a for a in likely if rights[a] is None], withheld


def _choices(session: SessionDep, user: User, view: CaseView) -> dict[str, list[tuple[str, str]]]:
    """Choices only the case and the catalogue know: its open efforts, the tracks of its municipality."""
    efforts = [(e.effort_id, f"{e.provider} ({e.starts_on:%Y-%m-%d})") for e in view.efforts if e.completed_at is None]
    offered = [t for t in tracks.visible_tracks(session, user) if view.municipality in t.municipalities]
    return {"effort_id": efforts, "track_id": [(t.track_id, t.name) for t in offered]}


async def _page(
    request: Request,
    pages: PagesDep,
    user: User,
    session: SessionDep,
    client: TemporalDep,
    case_id: str,
    *,
    code: int = 200,
    failed: Action | None = None,
    errors: FormErrors | None = None,
    typed: FormData | None = None,
    refusal: Refused | Forbidden | None = None,
) -> Response:
    if user.role not in CASE_READERS:
        raise Forbidden("your role reads no case")
    view = await cases.read_case(
        session, client, user, case_id, via=PAGE_VIA, purpose=PAGE_PURPOSE, at_least=_seen(request)
    )
    may_act = user.role in CASE_ACTORS
    order, withheld = _by_rights(session, user, likely_first(view.allowed_actions) if may_act else [])
    if not may_change_protection(view.responsible_worker, actor_of(user)):
        order = [a for a in order if a is not Action.SET_PROTECTED_IDENTITY]
    if failed is not None and failed in order:
        order.remove(failed)
        order.insert(0, failed)  # the form with the errors first, and open
    names = display_names(session, {view.responsible_worker} | {e.actor for e in view.timeline})
    context: dict[str, Any] = {
        "case": view,
        "forms": [form_for(a) for a in order],
        "withheld": withheld,
        "choices": _choices(session, user, view) if may_act else {},
        "failed": failed,
        "errors": errors or FormErrors(),
        "typed": typed,
        "refusal": refusal,
        "names": names,
        "done": request.query_params.get("done"),
        "next_due": min(view.due.items(), key=lambda item: item[1]) if view.due else None,
    }
    return pages.render(request, "case.html", code, **context)


def _seen(request: Request) -> int:
    """The version an action answered, from its redirect (`act`). A freshness hint, not input:
    anything but a number in range is no hint (the page as any read serves it), not an error."""
    seen = request.query_params.get("seen", "")
    return int(seen) if seen.isdecimal() and len(seen) <= 9 else 0


@router.get("/cases/{case_id}")
async def case_page(
    case_id: str, request: Request, pages: PagesDep, user: PageUser, session: SessionDep, client: TemporalDep
) -> Response:
    return await _page(request, pages, user, session, client, case_id)


def _form_errors(form: ActionForm, error: InvalidFields) -> FormErrors:
    """The workflow's or the catalogue's words for a field, next to it (else on the note)."""
    errors = FormErrors()
    for e in error.errors:
        errors.add(e.field if e.field in form.field_names else "note", e.message)
    return errors


@router.post("/cases/{case_id}/actions/{action}")
async def act(
    case_id: str,
    action: str,
    request: Request,
    form: CheckedForm,
    pages: PagesDep,
    user: PageUser,
    session: SessionDep,
    settings: SettingsDep,
    client: TemporalDep,
) -> Response:
    if action not in Action.__members__.values():
        raise NotFound("no such action")
    if user.role not in CASE_ACTORS:
        raise Forbidden("your role takes no action on a case")
    # The forms are on the case page: who may not read it posts none of them.
    cases.case_in_scope(session, user, case_id)
    chosen = Action(action)
    action_form = form_for(chosen)
    body, errors = parse(action_form, form)
    again: dict[str, Any] = {"failed": chosen, "typed": form}
    if body is None:
        return await _page(request, pages, user, session, client, case_id, code=422, errors=errors, **again)
    key = form.get("idempotency_key")
    try:
        answer = await actions.act(
            session, client, settings, user, case_id, chosen, body, key if isinstance(key, str) else None,
            via="POST /cases/{case_id}/actions",
        )
    except InvalidFields as invalid:
        errors = _form_errors(action_form, invalid)
        return await _page(request, pages, user, session, client, case_id, code=422, errors=errors, **again)
    except (Refused, Forbidden) as refused:
        code = status.HTTP_409_CONFLICT if isinstance(refused, Refused) else status.HTTP_403_FORBIDDEN
        return await _page(request, pages, user, session, client, case_id, code=code, refusal=refused, **again)
    # After a change, the page is fetched anew: a reload does not send the form again. The page
    # shows at least the version the action answered, whichever web process serves it (another
    # may not have the action's view kept yet: README, How it works).
    done = f"/cases/{case_id}?done={chosen.value}&seen={answer.version}#top"
    return RedirectResponse(done, status.HTTP_303_SEE_OTHER)

