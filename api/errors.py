"""The one mapping of domain errors (services/errors.py) to the JSON API's answers, as the
contract writes them: 404, 403 (naming the rule), 409 (with the phase and allowed actions),
422 (each error naming its field), 503 (retry with the same key)."""

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.errors import (
    Conflict,
    DomainError,
    Erased,
    FieldError,
    Forbidden,
    InvalidFields,
    NotFound,
    Refused,
    Unavailable,
)


def field_errors_body(errors: list[FieldError]) -> list[dict[str, Any]]:
    """The 422 body: FastAPI's own shape, so a validation error and a service's read alike."""
    return [{"loc": [e.where, e.field], "msg": e.message, "type": e.kind, **e.extra} for e in errors]


# What pydantic's errors carry beside the field and the message: `input` is the value sent (for a
# missing field, the whole body: a personal number with it), `ctx` and `url` may repeat it.
_NOT_ANSWERED = frozenset({"input", "ctx", "url"})


def invalid_input_answer(errors: Iterable[Mapping[str, Any]]) -> JSONResponse:
    """The 422 of a body, query or header that does not validate: each error names its field and
    says what is wrong, and never repeats what was sent."""
    detail = [{k: v for k, v in e.items() if k not in _NOT_ANSWERED} for e in errors]
    return JSONResponse({"detail": jsonable_encoder(detail)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def json_answer(error: DomainError) -> JSONResponse:
    headers: dict[str, str] | None = None
    detail: Any = error.message
    code = status.HTTP_400_BAD_REQUEST
    if isinstance(error, NotFound):
        code = status.HTTP_404_NOT_FOUND
    elif isinstance(error, Forbidden):
        code = status.HTTP_403_FORBIDDEN
        if error.rule is not None:
            detail = {"message": error.message, "rule": error.rule}
    elif isinstance(error, Refused):
        code = status.HTTP_409_CONFLICT
        detail = {"message": error.message}
        if error.phase is not None:
            detail |= {"phase": error.phase, "allowed_actions": error.allowed}
    elif isinstance(error, Conflict):
        code = status.HTTP_409_CONFLICT
    elif isinstance(error, Erased):
        code = status.HTTP_410_GONE
    elif isinstance(error, InvalidFields):
        code = status.HTTP_422_UNPROCESSABLE_CONTENT
        detail = field_errors_body(error.errors)
    elif isinstance(error, Unavailable):
        code = status.HTTP_503_SERVICE_UNAVAILABLE
        headers = {"Retry-After": "5"}
    return JSONResponse({"detail": detail}, status_code=code, headers=headers)


class ErrorAnswer(BaseModel):
    """Every refusal: `detail` is a message, or an object with the message and what it names
    (the rule, the phase and allowed actions), or for 422 the list of fields."""

    detail: Any


# What any route of the JSON API (and the codec) may answer besides its own success, so that
# the schema names every status a client can meet (tests/fuzz.py holds the app to it).
ERROR_ANSWERS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorAnswer, "description": description}
    for code, description in (
        (401, "not signed in, or the login has ended (expired, logged out)"),
        (403, "this role or organisation may not do this; `rule` names a decision right"),
        (404, "no such case, track, report or user within your scope"),
        (409, "refused in the case's phase (with `phase` and `allowed_actions`), or already exists"),
        (410, "the case was erased (gallring): its history and names no longer decode"),
        (413, "the request body is too large"),
        (503, "Temporal did not answer in time: retry with the same Idempotency-Key"),
    )
}

