"""The web app wrapped so each request is profiled with pyinstrument (wall clock, awaits
included) and the profiles of one route are combined: `bench.profile` serves this."""

import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from pyinstrument import Profiler
from pyinstrument.renderers import ConsoleRenderer
from pyinstrument.session import Session

from api.main import app_from_env

ID = re.compile(r"/[0-9a-f]{16}(?=/|$)")
DUMP = "/__profile__/dump"
COUNTS: Counter[str] = Counter()


class ProfiledRoutes:
    def __init__(self, app: Any, out: Path, per_request: bool) -> None:
        self.app, self.out, self.per_request, self.sessions = app, out, per_request, dict[str, Session]()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["path"] == DUMP:
            self.dump(scope["query_string"].decode())
            await send({"type": "http.response.start", "status": 204, "headers": []})
            return await send({"type": "http.response.body", "body": b""})
        route = f"{scope['method']} {ID.sub('/{id}', scope['path'])}"
        COUNTS[f"requests {route}"] += 1
        if not self.per_request:
            return await self.app(scope, receive, send)
        profiler = Profiler(interval=0.0005, async_mode="enabled")
        profiler.start()
        try:
            await self.app(scope, receive, send)
        finally:
            session = profiler.stop()
            before = self.sessions.get(route)
            self.sessions[route] = session if before is None else Session.combine(before, session)

    def dump(self, label: str) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        with (self.out / "web-counts.txt").open("a") as f:
            f.write(f"{label}\n" + "".join(f"{n:8d}  {what}\n" for what, n in sorted(COUNTS.items())) + "\n")
        COUNTS.clear()
        if label.startswith("set-up"):  # the set-up is not the path: start afresh
            self.sessions.clear()
            return
        tree = ConsoleRenderer(unicode=False, color=False, show_all=False, time="percent_of_total")
        flat = ConsoleRenderer(flat=True, flat_time="total", time="percent_of_total", show_all=True)
        for route, session in self.sessions.items():
            name = label + "-" + re.sub(r"[^a-z0-9]+", "-", route.lower()).strip("-")
            session.save(str(self.out / f"web-{name}.pyisession"))
            head = f"{route}: {session.duration:.2f} s wall over the requests\n"
            top = "\n".join(flat.render(session).splitlines()[:70])
            (self.out / f"web-{name}.txt").write_text(head + tree.render(session) + "\nBy total time:\n" + top)
        self.sessions.clear()


def app() -> ProfiledRoutes:
    per_request = os.environ.get("BENCH_PROFILE_REQUESTS") == "1"
    return ProfiledRoutes(app_from_env(), Path(os.environ["BENCH_PROFILE_DIR"]), per_request)
