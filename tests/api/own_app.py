"""An app of its own over the session's stack: its own settings and counts, its own address."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from api.main import create_app
from tests.stack import Stack


@asynccontextmanager
async def app_with(
    stack: Stack, address: str = "10.0.0.1", base_url: str = "http://samverkan.test", **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(stack.settings.model_copy(update=settings), temporal=stack.temporal)
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        client.app = app  # type: ignore[attr-defined]
        yield client
