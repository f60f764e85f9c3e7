"""Time policies per municipality, stored as ISO-8601 durations.

A row holds only the rules set for it: a municipality's own over the agreement's `default`
over programme.md's, so changing the default reaches every rule a municipality has not set."""

from dataclasses import fields
from datetime import UTC, datetime, timedelta

from pydantic import TypeAdapter
from sqlmodel import Session, col, select

from store.models import Policy
from workflows.domain import TimePolicy
from workflows.period import Period

DEFAULT = "default"
POLICY_FIELDS = tuple(f.name for f in fields(TimePolicy))
# Rules in calendar months (P24M), which a timedelta cannot hold.
PERIOD_FIELDS = frozenset({"programme_time"})
Rule = timedelta | Period
_duration = TypeAdapter(timedelta)


def parse_rule(name: str, text: str) -> Rule:
    return Period.parse(text) if name in PERIOD_FIELDS else _duration.validate_python(text)


def dump_rule(value: Rule) -> str:
    return value.iso() if isinstance(value, Period) else str(_duration.dump_python(value, mode="json"))


def to_iso(policy: TimePolicy) -> dict[str, str]:
    """The rules set; one that holds only for some (introduction_new_to_sfi) is left out when unset."""
    values = {f.name: getattr(policy, f.name) for f in fields(policy)}
    return {name: dump_rule(value) for name, value in values.items() if value is not None}


def from_iso(durations: dict[str, str], base: TimePolicy | None = None) -> TimePolicy:
    base = base or TimePolicy()
    values = {f.name: getattr(base, f.name) for f in fields(base)}
    values.update({k: parse_rule(k, v) for k, v in durations.items() if k in POLICY_FIELDS})
    return TimePolicy(**values)


def parse_rules(durations: dict[str, str]) -> dict[str, Rule]:
    return {name: parse_rule(name, value) for name, value in durations.items()}


def policy_for(session: Session, municipality: str) -> TimePolicy:
    """The municipality's own rules over the agreement's defaults over programme.md's (both rows
    in one query: every opening asks)."""
    both = select(Policy).where(col(Policy.municipality).in_([DEFAULT, municipality]))
    rows = {row.municipality: row for row in session.exec(both)}
    default, own = rows.get(DEFAULT), rows.get(municipality)
    base = from_iso(default.durations) if default else TimePolicy()
    return from_iso(own.durations, base) if own else base


def put_policy(session: Session, municipality: str, rules: dict[str, Rule], updated_by: str | None) -> Policy:
    """Set some rules of a municipality (or the default); the others keep theirs."""
    unknown = set(rules) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"unknown time rules: {sorted(unknown)}")
    row = session.get(Policy, municipality) or Policy(municipality=municipality, durations={})
    row.durations = row.durations | {k: dump_rule(v) for k, v in rules.items()}
    row.updated_by = updated_by
    row.updated_at = datetime.now(UTC)
    session.add(row)
    session.commit()
    return row
