"""The one mapping of domain errors (services/errors.py) to the JSON API's answers, as the
contract writes them: 404, 403 (naming the rule), 409 (with the phase and allowed actions),
422 (each error naming its field), 503 (retry with the same key)."""

from typing import Any

from fastapi import status
from fastapi.responses import JSONResponse

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
    return [{"loc": ["body", e.field], "msg": e.message, "type": e.kind, **e.extra} for e in errors]


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
