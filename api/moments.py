"""A moment asked for in a query or a form: an ISO-8601 date (its first moment) or time (without
an offset, Stockholm's), in UTC as stored."""

from datetime import UTC, date, datetime, time

from workflows.calendar import STOCKHOLM

Moment = datetime | date


def utc_moment(value: Moment | None) -> datetime | None:
    """A date is its first moment; a time without an offset is Stockholm's. In UTC, as stored."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    return (value if value.tzinfo is not None else value.replace(tzinfo=STOCKHOLM)).astimezone(UTC)
