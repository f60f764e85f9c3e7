"""Bare Temporal behind HTTP: the floor's workflow (bench/floor.py) updated and queried through
a minimal web process of its own (uvicorn, a bare ASGI callable, no framework, no database, no
login). What no HTTP front to Temporal can avoid — a request to another process, which then
calls Temporal — so the bench can say how much of the service's ratio is that and how much is
its own work (`python -m uvicorn bench.http_floor:app`, the server's address in
`BENCH_TEMPORAL_ADDRESS`)."""

import json
import os
from typing import Any

from temporalio.client import Client

from bench.floor import BareCounter

Scope = dict[str, Any]
_client: Client | None = None


async def _temporal() -> Client:
    global _client
    if _client is None:
        _client = await Client.connect(os.environ["BENCH_TEMPORAL_ADDRESS"])
    return _client


async def _answer(send: Any, status: int, body: object) -> None:
    raw = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": raw})


async def app(scope: Scope, receive: Any, send: Any) -> None:
    """`GET /bare/{id}`: the query; `POST /bare/{id}`: the update (the body is read and dropped)."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    parts = scope["path"].strip("/").split("/")
    if len(parts) != 2 or parts[0] != "bare":
        await _answer(send, 404, {"detail": "not found"})
        return
    handle = (await _temporal()).get_workflow_handle(parts[1])
    if scope["method"] == "POST":
        while (await receive()).get("more_body"):
            pass
        await _answer(send, 200, {"value": await handle.execute_update(BareCounter.bump, "bench")})
    else:
        await _answer(send, 200, {"value": await handle.query(BareCounter.current)})
