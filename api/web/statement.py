"""The accessibility statement (tillgänglighetsredogörelse), as DOS-lagen asks and DIGG's
guidance shapes it; public, like every such statement."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import SettingsDep
from api.web.deps import PagesDep, signed_in_user
from store.models import User

router = APIRouter(include_in_schema=False)
# When the statement was last reviewed against the pages: update it with the statement.
REVIEWED_ON = date(2026, 11, 24)


@router.get("/accessibility")
def accessibility(
    request: Request, pages: PagesDep, settings: SettingsDep, _: Annotated[User | None, Depends(signed_in_user)]
) -> Response:
    return pages.render(request, "accessibility.html", contact=settings.accessibility_contact, reviewed_on=REVIEWED_ON)
