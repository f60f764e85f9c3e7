"""Per request: a trace id in every log line and in the answer (W3C `traceparent`, taken from
the caller when it sends one), one JSON log line, and the action counters of core/metrics.py.

Keyed on the path, not on the route code, so it counts every case action however the routes
that serve them are written: `/api/v1/cases/{case_id}/actions/{action}` and the pages' forms.
"""

import re
import secrets
import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.metrics import count_action
from workflows.actions import Action

log = structlog.get_logger()
ACTION_PATH = re.compile(r"^(?:/api/v1)?/cases/[^/]+/actions/(?P<action>[a-z-]+)$")
TRACEPARENT = re.compile(r"^[0-9a-f]{2}-(?P<trace>[0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")
ACTIONS = {a.value for a in Action}


def trace_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"traceparent":
            found = TRACEPARENT.match(value.decode("latin-1").strip())
            if found and found["trace"] != "0" * 32:
                return found["trace"]
    return secrets.token_hex(16)


def action_of(scope: Scope) -> str | None:
    found = ACTION_PATH.match(scope["path"]) if scope["method"] == "POST" else None
    # Only known names become labels: a made-up path must not grow the metrics without end.
    return found["action"] if found and found["action"] in ACTIONS else None


class RequestTelemetry:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        trace_id = trace_id_of(scope)
        traceparent = f"00-{trace_id}-{secrets.token_hex(8)}-01".encode()
        status = 500

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"traceparent", traceparent)]
            await send(message)

        started = time.perf_counter()
        with structlog.contextvars.bound_contextvars(trace_id=trace_id):
            try:
                await self.app(scope, receive, answer)
            finally:
                seconds = time.perf_counter() - started
                action = action_of(scope)
                if action is not None:
                    count_action(action, status, seconds)
                # The path only: a query string may carry a filter value; paths carry opaque ids.
                log.info(
                    "http_request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status,
                    ms=round(seconds * 1000, 1),
                )
