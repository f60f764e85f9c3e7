"""Time policies per municipality, stored as ISO-8601 durations.

A row holds only the rules set for it: a municipality's own over the agreement's `default`
over programme.md's, so changing the default reaches every rule a municipality has not set."""

from dataclasses import asdict, fields
from datetime import UTC, datetime, timedelta

from pydantic import TypeAdapter
from sqlmodel import Session

from store.models import Policy
from workflows.domain import TimePolicy

DEFAULT = "default"
POLICY_FIELDS = tuple(f.name for f in fields(TimePolicy))
_duration = TypeAdapter(timedelta)


def to_iso(policy: TimePolicy) -> dict[str, str]:
    return {name: _duration.dump_python(value, mode="json") for name, value in asdict(policy).items()}


def from_iso(durations: dict[str, str], base: TimePolicy | None = None) -> TimePolicy:
    values = asdict(base or TimePolicy())
    values.update({k: _duration.validate_python(v) for k, v in durations.items() if k in POLICY_FIELDS})
    return TimePolicy(**values)


def parse_rules(durations: dict[str, str]) -> dict[str, timedelta]:
    return {name: _duration.validate_python(value) for name, value in durations.items()}


def policy_for(session: Session, municipality: str) -> TimePolicy:
    """The municipality's own rules over the agreement's defaults over programme.md's."""
    default = session.get(Policy, DEFAULT)
    base = from_iso(default.durations) if default else TimePolicy()
    own = session.get(Policy, municipality)
    return from_iso(own.durations, base) if own else base


def put_policy(session: Session, municipality: str, rules: dict[str, timedelta], updated_by: str | None) -> Policy:
    """Set some rules of a municipality (or the default); the others keep theirs."""
    unknown = set(rules) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"unknown time rules: {sorted(unknown)}")
    row = session.get(Policy, municipality) or Policy(municipality=municipality, durations={})
    row.durations = row.durations | {k: _duration.dump_python(v, mode="json") for k, v in rules.items()}
    row.updated_by = updated_by
    row.updated_at = datetime.now(UTC)
    session.add(row)
    session.commit()
    return row
