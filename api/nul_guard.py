"""No NUL character in any text a request brings (path, query, body): no field of this service
may hold one, PostgreSQL refuses it in text (an error, not an answer, deep in a route), and a
NUL is a classic way to make two systems read one string differently. Refused at the edge with
the 422 every invalid input gets, naming where it was."""

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A NUL as the body may carry it: raw, escaped in JSON, percent-encoded in a form.
_BODY_NULS = (b"\x00", b"\\u0000", b"%00")
_OVERLAP = max(len(n) for n in _BODY_NULS) - 1
INVALID = 422


def _refusal(where: str) -> list[dict[str, object]]:
    return [{"loc": [where], "msg": "text must not contain a NUL character", "type": "value_error"}]


class NulGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope.get("query_string", b"")
        for where, found in (("path", "\x00" in scope["path"]), ("query", b"%00" in query or b"\x00" in query)):
            if found:
                await JSONResponse({"detail": _refusal(where)}, INVALID)(scope, receive, send)
                return
        multipart = Headers(scope=scope).get("content-type", "").startswith("multipart/form-data")
        tail = b""

        async def checked() -> Message:
            nonlocal tail
            message = await receive()
            if message["type"] == "http.request" and not multipart:
                chunk = tail + message.get("body", b"")
                if any(nul in chunk for nul in _BODY_NULS):
                    raise HTTPException(INVALID, _refusal("body"))  # type: ignore[arg-type]
                tail = chunk[-_OVERLAP:]
            return message

        await self.app(scope, checked, send)
