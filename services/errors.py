"""Domain errors: what a service refuses, in words each face maps once (api/errors.py for
JSON, api/web/failures.py for pages). A service never speaks HTTP."""

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal


class DomainError(Exception):
    """Something a user asked for that the service will not do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """No such thing, or one outside the user's scope (the two look the same)."""


class Forbidden(DomainError):
    """A decision right: `rule` names the rule (a role, an agreement's clause)."""

    def __init__(self, message: str, rule: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule


class Refused(DomainError):
    """Not now: the case's phase does not allow it; `allowed` is what it does allow."""

    def __init__(self, message: str, phase: str | None = None, allowed: list[str] | None = None) -> None:
        super().__init__(message)
        self.phase = phase
        self.allowed = list(allowed or [])


class Conflict(DomainError):
    """The thing exists already (an open case for the person, a track id)."""


class Erased(DomainError):
    """The case was erased (gallring): its data key is destroyed and its data no longer decodes."""


class Unavailable(DomainError):
    """The workflow did not answer in time; the same idempotency key makes a retry safe."""


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    kind: str = "value_error"
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    where: Literal["body", "query"] = "body"  # where the field was sent


class InvalidFields(DomainError):
    """Input that cannot be taken, each error naming its field."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    @classmethod
    def one(cls, field: str, message: str) -> "InvalidFields":
        return cls([FieldError(field, message)])
