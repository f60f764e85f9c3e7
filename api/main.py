"""The FastAPI application."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from temporalio.client import Client

from api.errors import json_answer
from api.purpose import stated_purpose
from api.routes import access_log, actions, admin, auth, cases, codec, history, reports, stats, tasks, tracks
from api.web import install_pages
from api.web.errors import is_page, page_answer
from core.logging import configure_logging
from core.settings import Settings, get_settings
from services.access_journal import AccessJournal, current_journal
from services.errors import DomainError
from services.temporal import connect, ensure_search_attributes
from store.db import engine_for

log = structlog.get_logger()


def create_app(settings: Settings | None = None, temporal: Client | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if temporal is None:
            app.state.temporal = await connect(settings)
            await ensure_search_attributes(app.state.temporal)
        async with access_journal(settings) as journal:
            app.state.access_journal = journal
            yield

    app = FastAPI(
        title="Samverkan",
        summary="Workflow service for DUA cooperation between municipalities and Arbetsförmedlingen",
        version="1.0.0",
        lifespan=lifespan,
        dependencies=[Depends(stated_purpose), Depends(journal_for_request)],
    )
    app.state.settings = settings
    app.state.temporal = temporal
    app.state.access_journal = None  # served without the lifespan (in-process test clients): straight in

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Never echo the submitted values: they may hold a personal number.
        errors = [{k: v for k, v in e.items() if k not in ("input", "ctx", "url")} for e in exc.errors()]
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    @app.exception_handler(DomainError)
    async def refused(request: Request, exc: DomainError) -> Response:
        # One mapping per face: the JSON answer for machines, a page for people.
        return json_answer(exc) if not is_page(request) else page_answer(request, exc)

    for module in (auth, admin, cases, actions, tracks, tasks, access_log, history, stats, reports):
        app.include_router(module.router, prefix="/api/v1")
    install_pages(app, settings)
    codec.install(app, settings)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    async def readyz(request: Request) -> JSONResponse:
        """Readiness: the database and Temporal answer."""
        checks: dict[str, str] = {}
        try:
            with engine_for(settings.resolved_database_url).connect() as conn:
                conn.execute(text("select 1"))
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            checks["database"] = type(exc).__name__
        try:
            await request.app.state.temporal.service_client.check_health()
            checks["temporal"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["temporal"] = type(exc).__name__
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ready" if ready else "not ready", **checks}, status_code=200 if ready else 503)

    return app


@asynccontextmanager
async def access_journal(settings: Settings) -> AsyncIterator[AccessJournal]:
    """The process's access-log journal: the journals of processes that died are moved first,
    this one's entries every `access_log_flush_seconds` and at the end."""
    journal = AccessJournal(
        settings.data_dir / "access-journal", settings.resolved_database_url, fsync=settings.access_log_fsync
    )
    await asyncio.to_thread(journal.recover)
    mover = asyncio.create_task(journal.run(settings.access_log_flush_seconds))
    try:
        yield journal
    finally:
        mover.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await mover
        await asyncio.to_thread(journal.close)


async def journal_for_request(request: Request) -> AsyncIterator[None]:
    # Async, so it is set in the request's own context (the route and its thread hops see it).
    token = current_journal.set(request.app.state.access_journal)
    try:
        yield
    finally:
        current_journal.reset(token)


def app_from_env() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    return create_app(settings)
