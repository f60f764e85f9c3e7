"""The auditor's register extract page (registerutdrag, GDPR art. 15): a form that posts the
personal number (never in a URL), and everything held on the person, case by case, through the
same service as the JSON API (services/register_extract.py), so it is access-logged alike. The
same form downloads the extract as the API's JSON."""

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response

from api.deps import SessionDep, SettingsDep, TemporalDep
from api.web.deps import CheckedForm, PagesDep, page_for
from api.web.forms import FormErrors
from core.words import N_
from services.errors import InvalidFields
from services.register_extract import register_extract
from store.models import User
from workflows.domain import Role

router = APIRouter(include_in_schema=False)
AuditorPage = Annotated[User, Depends(page_for(Role.AUDITOR))]
PATH = "/register-extract"


@router.get(PATH)
def extract_form(request: Request, pages: PagesDep, user: AuditorPage) -> Response:
    return pages.render(request, "register_extract.html", errors=FormErrors(), extract=None, number="")


@router.post(PATH)
async def extract_page(
    request: Request,
    form: CheckedForm,
    pages: PagesDep,
    user: AuditorPage,
    session: SessionDep,
    settings: SettingsDep,
    client: TemporalDep,
) -> Response:
    raw = form.get("personal_number")
    number = raw.strip() if isinstance(raw, str) else ""
    errors = FormErrors()
    try:
        extract = await register_extract(session, settings, client, user, number, via=f"page {PATH}")
    except InvalidFields:
        errors.add("personal_number", N_("Enter a valid personal number, YYYYMMDD-NNNN"))
        code = status.HTTP_422_UNPROCESSABLE_CONTENT
        return pages.render(request, "register_extract.html", code, errors=errors, extract=None, number=number)
    if form.get("format") == "json":
        # A file to hand to the person: named by the moment, never by the number.
        name = f"registerutdrag-{extract.made_at:%Y%m%dT%H%M%SZ}.json"
        body = json.dumps(jsonable_encoder(extract), ensure_ascii=False, indent=1)
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return Response(body, media_type="application/json", headers=headers)
    shown = extract.personal_number
    return pages.render(request, "register_extract.html", errors=errors, extract=extract, number=shown)
