"""`X-Purpose`: why the caller reads, written to the access log with each read of a case."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Header

from services.access_log import forget_purpose, state_purpose


async def stated_purpose(
    x_purpose: Annotated[
        str | None, Header(alias="X-Purpose", description="why you read: written to the access log", max_length=2000)
    ] = None,
) -> AsyncIterator[None]:
    # Async, so the purpose is set in the request's own context, which the route then runs in;
    # forgotten afterwards, so nothing else running in that context inherits it.
    token = state_purpose(_utf8(x_purpose) if x_purpose else None)
    try:
        yield
    finally:
        forget_purpose(token)


def _utf8(value: str) -> str:
    """Header values arrive as Latin-1; a client that sent UTF-8 (Swedish letters) gets them back."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value
