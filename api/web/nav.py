"""The main menu: which pages each role reaches. One line per page; the next page is one more line."""

from dataclasses import dataclass

from core.words import N_
from services.scope import CASE_OPENERS, CASE_READERS
from store.models import User
from workflows.domain import Role

EVERYONE_BUT_AUDITORS = frozenset(Role) - {Role.AUDITOR}


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str  # a catalogue message
    roles: frozenset[Role]


NAV = (
    NavItem("/", N_("My cases"), CASE_READERS),
    NavItem("/cases/new", N_("Open a case"), CASE_OPENERS),
    NavItem("/tasks", N_("My tasks"), EVERYONE_BUT_AUDITORS),
    NavItem("/tracks", N_("Job tracks"), EVERYONE_BUT_AUDITORS),
    NavItem("/dashboard", N_("Figures"), frozenset({Role.SUPERVISOR})),
    NavItem("/reports", N_("Reports"), frozenset({Role.SUPERVISOR})),
    NavItem("/audit", N_("Audit"), frozenset({Role.AUDITOR})),
    NavItem("/register-extract", N_("Register extract"), frozenset({Role.AUDITOR})),
    NavItem("/access-log", N_("Access log"), frozenset({Role.SUPERVISOR, Role.AUDITOR})),
)


@dataclass(frozen=True)
class NavLink:
    path: str
    label: str
    current: bool


def nav_for(user: User | None, path: str) -> list[NavLink]:
    if user is None:
        return []
    return [
        NavLink(item.path, item.label, path == item.path or (item.path != "/" and path.startswith(item.path + "/")))
        for item in NAV
        if Role(user.role) in item.roles
    ]


def reaches(user: User, path: str) -> bool:
    return any(item.path == path and Role(user.role) in item.roles for item in NAV)
