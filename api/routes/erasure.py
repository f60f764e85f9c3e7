"""Erasure (gallring) of a closed case, by an administrator."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import Admin, CaseKeysDep, SessionDep
from services.erasure import erase_case

router = APIRouter(tags=["cases"])


class Erased(BaseModel):
    case_id: str
    erased_at: datetime


@router.post("/cases/{case_id}/erase")
def erase(case_id: str, user: Admin, session: SessionDep, keys: CaseKeysDep) -> Erased:
    """Destroy a closed case's data key: its history, summary and stored view no longer decode;
    the pseudonymous figures stay. 409 while the case is open."""
    done = erase_case(session, keys, case_id, user.username)
    return Erased(case_id=done.case_id, erased_at=done.erased_at)
