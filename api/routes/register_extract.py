"""The register extract (GDPR art. 15) for auditors: the personal number in the body, never in
a URL."""

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import SessionDep, SettingsDep, TemporalDep, require
from services import register_extract
from services.register_extract import RegisterExtract
from store.models import User
from workflows.domain import Role

router = APIRouter(tags=["audit"])
Auditor = Annotated[User, Depends(require(Role.AUDITOR))]


class ExtractRequest(BaseModel):
    model_config = {"extra": "forbid"}
    personal_number: str = Field(description="personnummer or samordningsnummer, YYYYMMDD-NNNN", max_length=20)


@router.post("/register-extract")
async def make_register_extract(
    body: ExtractRequest, user: Auditor, session: SessionDep, settings: SettingsDep, client: TemporalDep
) -> RegisterExtract:
    """Everything held on the person across all their cases, open or closed: each case's
    read-model row and state, its whole decoded history, tasks, the mails sent about it and the
    access log's entries; written to the access log as a read of each case."""
    return await register_extract.register_extract(session, settings, client, user, body.personal_number)
