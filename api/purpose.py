"""`X-Purpose`: why the caller reads, written to the access log with each read of a case."""

from typing import Annotated

from fastapi import Header

from services.access_log import state_purpose


async def stated_purpose(
    x_purpose: Annotated[
        str | None, Header(alias="X-Purpose", description="why you read: written to the access log", max_length=2000)
    ] = None,
) -> None:
    # Async, so the purpose is set in the request's own context, which the route then runs in;
    # forgotten after the answer (api.request_scope), so nothing else in that context inherits it.
    # A dependency, not the middleware's: its header is documented and a long one refused by name.
    state_purpose(_utf8(x_purpose) if x_purpose else None)


def _utf8(value: str) -> str:
    """Header values arrive as Latin-1; a client that sent UTF-8 (Swedish letters) gets them back."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value
