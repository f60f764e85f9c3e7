"""Who may see and do what (contract: Scope)."""

from store.models import User
from workflows.domain import AF, Actor, Role

CASE_READERS = frozenset({Role.CASE_WORKER, Role.COORDINATOR, Role.TRACK_LEAD, Role.SUPERVISOR})
CASE_ACTORS = frozenset({Role.CASE_WORKER, Role.COORDINATOR})


def sees_municipality(user: User, municipality: str) -> bool:
    return user.organisation in (AF, municipality)


def municipalities_in_scope(user: User) -> list[str] | None:
    """None means every municipality (AF's people)."""
    return None if user.organisation == AF else [user.organisation]


def actor_of(user: User) -> Actor:
    return Actor(user.username, Role(user.role), user.organisation)
