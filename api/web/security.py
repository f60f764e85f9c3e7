"""Headers on every response: no framing, no sniffing, no script or style but the site's own,
nothing personal kept in a cache, HSTS behind TLS; and the server's time (Server-Timing)."""

import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _policy(img_src: str = "'self'") -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {img_src}",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = _policy()
# The API explorer (api/api_docs.py, Swagger UI from static/) draws its icons as data: images.
API_EXPLORER_POLICY = _policy(img_src="'self' data:")
API_EXPLORER = "/docs"
HSTS = "max-age=31536000; includeSubDomains"


# A kept report (services/reports.py) is a document made once, its style inside it: no script,
# nothing loaded, only its own inline style.
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, behind_tls: bool) -> None:
        self.app = app
        self.behind_tls = behind_tls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path: str = scope["path"]
        # Behind TLS by setting, reached over HTTPS, or a proxy says so (HSTS over plain HTTP is
        # ignored by browsers, so a forged header gains nothing).
        forwarded = Headers(scope=scope).get("x-forwarded-proto", "").split(",")[0].strip().lower()
        https = self.behind_tls or scope.get("scheme") == "https" or forwarded == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                policy = API_EXPLORER_POLICY if path == API_EXPLORER else CONTENT_SECURITY_POLICY
                headers.setdefault("Content-Security-Policy", policy)
                if path.startswith("/static/"):
                    # A versioned URL (?v=digest) never changes; any other is checked each time.
                    versioned = b"v=" in scope.get("query_string", b"")
                    headers["Cache-Control"] = "public, max-age=31536000, immutable" if versioned else "no-cache"
                else:
                    headers.setdefault("Cache-Control", "no-store")
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                headers.append("Server-Timing", f"app;dur={(time.perf_counter() - started) * 1000:.1f}")
            await send(message)

        await self.app(scope, receive, send_with_headers)
