"""The access log as a page: who read which case, when, through what and why, for supervisors
(their organisation's cases) and auditors (all), with the filters in the URL and the reads
outside the reader's caseload or working hours marked in words."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import Response

from api.deps import SessionDep
from api.moments import utc_moment
from api.web.audit import organisation_names
from api.web.deps import PagesDep, page_for
from api.web.forms import FormErrors
from core.words import N_
from services.access_flags import ReviewFlag
from services.access_log import review
from store.models import AccessLog, User
from store.users import display_names
from workflows.domain import Role

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
FILTERS = ("case", "user", "from", "to", "flag")


@dataclass
class LogFilters:
    case: str = ""
    user: str = ""
    start: str = ""
    end: str = ""
    flag: str = ""
    page: int = 1

    def url(self, **changes: object) -> str:
        values = {"case": self.case, "user": self.user, "from": self.start, "to": self.end, "flag": self.flag,
                  "page": self.page} | {k.removesuffix("_"): v for k, v in changes.items()}
        query = {k: v for k, v in values.items() if v and not (k == "page" and v == 1)}
        return "/access-log" + (f"?{urlencode(query)}" if query else "")


def _day_or_moment(text: str) -> date | datetime | None:
    try:
        return datetime.fromisoformat(text) if "T" in text or " " in text else date.fromisoformat(text)
    except ValueError:
        return None


@router.get("/access-log")
def access_log_page(
    request: Request,
    pages: PagesDep,
    reviewer: Annotated[User, Depends(page_for(Role.SUPERVISOR, Role.AUDITOR))],
    session: SessionDep,
) -> Response:
    q = request.query_params
    page = q.get("page", "1")
    filters = LogFilters(
        case=q.get("case", "").strip(), user=q.get("user", "").strip(), start=q.get("from", "").strip(),
        end=q.get("to", "").strip(), flag=q.get("flag", ""), page=int(page) if page.isdigit() and int(page) > 0 else 1,
    )
    errors = FormErrors()
    start = _day_or_moment(filters.start) if filters.start else None
    end = _day_or_moment(filters.end) if filters.end else None
    if filters.start and start is None:
        errors.add("from", N_("Enter the date as year-month-day"))
    if isinstance(end, date) and not isinstance(end, datetime):
        end += timedelta(days=1)  # "to" a day: that day included
    if filters.end and end is None:
        errors.add("to", N_("Enter the date as year-month-day"))
    flag = ReviewFlag(filters.flag) if filters.flag in set(ReviewFlag) else None
    if filters.flag and flag is None:
        errors.add("flag", N_("Choose a flag from the list"))
    rows: list[AccessLog] = []
    total = 0
    if not errors:
        rows, total = review(
            session, reviewer, case_id=filters.case or None, username=filters.user or None,
            start=utc_moment(start), end=utc_moment(end), flag=flag,
            limit=PAGE_SIZE, offset=(filters.page - 1) * PAGE_SIZE,
        )
    pages_count = max(1, -(-total // PAGE_SIZE))
    return pages.render(
        request, "access_log.html", status.HTTP_422_UNPROCESSABLE_CONTENT if errors else status.HTTP_200_OK,
        filters=filters, errors=errors, rows=rows, total=total, first=(filters.page - 1) * PAGE_SIZE + 1,
        last=(filters.page - 1) * PAGE_SIZE + len(rows), pages_count=pages_count, flags=list(ReviewFlag),
        names=display_names(session, {r.username for r in rows}), organisations=organisation_names(session),
        auditor=reviewer.role == Role.AUDITOR,
    )
