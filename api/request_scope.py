"""What a request holds while it is served: its database session (made at its first use), the
process's access journal and the purpose the reader states. One ASGI middleware sets them up
around the request and takes them down after its answer, where three dependencies with `yield`
did: FastAPI enters each such dependency in an exit stack and a cancel scope of its own, and
solving them was a twentieth of the web's CPU per action under load (bench/PROFILE.md)."""

import asyncio
from contextvars import ContextVar

from sqlmodel import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from services.access_journal import current_journal
from services.access_log import forget_purpose, state_purpose
from store.db import engine_for


class _LazySession:
    """The request's session, made when a route first asks for it (a page without the database
    makes none); making one touches no database, its first query takes a connection."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.session: Session | None = None

    def get(self) -> Session:
        if self.session is None:
            self.session = Session(engine_for(self.database_url), expire_on_commit=False)
        return self.session

    async def close(self) -> None:
        if self.session is None:
            return
        # The case routes give their connection back inside their own hop, so this close is then
        # free; otherwise giving the connection back (a rollback) is database work: off the loop.
        if self.session.in_transaction():
            await asyncio.to_thread(self.session.close)
        else:
            self.session.close()


_held: ContextVar[_LazySession | None] = ContextVar("request_session", default=None)


def request_session() -> Session:
    """The session of the request being served (the same one however often it is asked)."""
    held = _held.get()
    if held is None:
        raise RuntimeError("no request is being served in this context")
    return held.get()


class RequestScope:
    """Sets the request's session, journal and (empty) purpose in the request's own context, which
    its routes and their thread hops see, and restores the context after the answer: an
    in-process client (httpx's ASGI transport) runs the app in the caller's context."""

    def __init__(self, app: ASGIApp, database_url: str) -> None:
        self.app = app
        self.database_url = database_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held = _LazySession(self.database_url)
        session_token = _held.set(held)
        journal_token = current_journal.set(scope["app"].state.access_journal)
        purpose_token = state_purpose(None)  # `api.purpose.stated_purpose` sets the request's
        try:
            await self.app(scope, receive, send)
        finally:
            forget_purpose(purpose_token)
            current_journal.reset(journal_token)
            _held.reset(session_token)
            await held.close()
