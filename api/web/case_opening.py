"""Opening a case (`/cases/new`): the referral and the first mapping. The personal number is
checked as it is typed (htmx posts it to `/cases/new/personal-number`, never in a URL); the
opening itself is checked again by the same model the JSON API uses, which has the last word."""

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import select

from api.deps import SessionDep, SettingsDep, TemporalDep
from api.web.action_forms import error_message
from api.web.deps import CheckedForm, PagesDep, PageUser
from api.web.forms import FormErrors
from core.words import N_
from services import cases
from services.errors import Conflict, Forbidden, InvalidFields
from services.scope import CASE_OPENERS, municipalities_in_scope
from store.models import Municipality, User
from workflows.domain import EducationLevel, Gender, Industry, SwedishLevel

router = APIRouter(include_in_schema=False)
LISTS = ("experience",)


def _municipalities(session: SessionDep, user: User) -> list[Municipality]:
    scope = municipalities_in_scope(user)
    found = session.exec(select(Municipality).order_by(Municipality.name)).all()
    return [m for m in found if scope is None or m.code in scope]


def _render(
    request: Request, pages: PagesDep, session: SessionDep, user: User, code: int = 200, **context: Any
) -> Response:
    if user.role not in CASE_OPENERS:
        raise Forbidden("only case workers open cases")
    return pages.render(
        request,
        "case_new.html",
        code,
        municipalities=_municipalities(session, user),
        genders=list(Gender),
        education_levels=list(EducationLevel),
        swedish_levels=list(SwedishLevel),
        industries=list(Industry),
        **({"errors": FormErrors(), "typed": None} | context),
    )


@router.get("/cases/new")
def new_case(request: Request, pages: PagesDep, user: PageUser, session: SessionDep) -> Response:
    return _render(request, pages, session, user)


@router.post("/cases/new/personal-number")
def check_personal_number(request: Request, pages: PagesDep, form: CheckedForm, user: PageUser) -> Response:
    """The hint next to the field as it is typed; the number travels in the body only."""
    raw = form.get("personal_number")
    text = raw.strip() if isinstance(raw, str) else ""
    message = None
    if text:
        try:
            cases.checked_personal_number(text)
        except ValueError:
            message = N_("Enter a valid personal number, YYYYMMDD-NNNN")
    html = pages.fragment(request, "partials/personal_number.html", message=message, checked=bool(text))
    return HTMLResponse(html)


@router.post("/cases/new")
async def open_case(
    request: Request,
    form: CheckedForm,
    pages: PagesDep,
    user: PageUser,
    session: SessionDep,
    settings: SettingsDep,
    client: TemporalDep,
) -> Response:
    data: dict[str, Any] = {k: v for k, v in form.items() if k not in ("csrf_token", "idempotency_key") and v != ""}
    for name in LISTS:
        data[name] = form.getlist(name)
    for name in ("consent_to_share", "driving_licence", "newly_arrived", "social_assistance", "disability"):
        data[name] = form.get(name) == "true"
    errors = FormErrors()
    try:
        body = cases.CaseCreate.model_validate(data)
        view = await cases.open_case(session, settings, client, user, body, via="POST /cases/new")
    except ValidationError as exc:
        for e in exc.errors():
            name = str(e["loc"][0]) if e["loc"] else "referral_purpose"
            if not errors.has(name):
                errors.add(name, error_message(e["type"], name))
    except InvalidFields as invalid:
        for fe in invalid.errors:
            errors.add(fe.field, N_("Check this field"))
    except Conflict:
        errors.add("personal_number", N_("The person already has an open case"))
    if errors:
        return _render(request, pages, session, user, status.HTTP_422_UNPROCESSABLE_CONTENT, errors=errors, typed=form)
    return RedirectResponse(f"/cases/{view.case_id}", status.HTTP_303_SEE_OTHER)
