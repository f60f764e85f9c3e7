"""The FastAPI application."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from temporalio.client import Client

from api.api_docs import install_api_docs
from api.body_limit import BodyLimit
from api.errors import ERROR_ANSWERS, invalid_input_answer, json_answer
from api.nul_guard import NulGuard
from api.purpose import stated_purpose
from api.request_scope import RequestScope
from api.routes import (
    access_log,
    actions,
    admin,
    auth,
    cases,
    codec,
    erasure,
    history,
    register_extract,
    reports,
    stats,
    tasks,
    tracks,
)
from api.sign_in import SignIn
from api.telemetry import RequestTelemetry
from api.web import install_pages
from api.web.errors import is_page, page_answer
from core.collector import tune_collector
from core.logging import configure_logging
from core.metrics import CONTENT_TYPE, exposition
from core.secrets import jwt_secret
from core.settings import Settings, get_settings
from services.access_journal import AccessJournal
from services.errors import DomainError
from services.history.replay import shutdown_replays
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
            try:
                yield
            finally:
                shutdown_replays()  # a replay that never ends would keep the process from exiting

    app = FastAPI(
        title="Samverkan",
        summary="Workflow service for DUA cooperation between municipalities and Arbetsförmedlingen",
        version="1.0.0",
        lifespan=lifespan,
        docs_url=None,  # api/api_docs.py serves it without a CDN
        redoc_url=None,
        dependencies=[Depends(stated_purpose)],
    )
    app.state.settings = settings
    app.state.temporal = temporal
    app.state.access_journal = None  # served without the lifespan (in-process test clients): straight in
    app.add_middleware(RequestScope, database_url=settings.resolved_database_url)  # innermost
    app.add_middleware(RequestTelemetry)
    jwt_secret(settings)  # refuses to start with a secret too short to sign logins
    app.state.sign_in = SignIn(settings)

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, exc: RequestValidationError) -> JSONResponse:
        return invalid_input_answer(exc.errors())

    @app.exception_handler(DomainError)
    async def refused(request: Request, exc: DomainError) -> Response:
        # One mapping per face: the JSON answer for machines, a page for people.
        return json_answer(exc) if not is_page(request) else page_answer(request, exc)

    @app.exception_handler(OperationalError)
    async def database_unavailable(request: Request, exc: OperationalError) -> JSONResponse:
        # The database is restarting or unreachable: a client should come back, not give up
        # (an action's Idempotency-Key makes the retry safe). Not the message: it can carry
        # the statement's parameters.
        log.warning("database_unavailable", error=type(exc.orig).__name__)
        return JSONResponse(
            {"detail": "the database is not available right now; retry with the same Idempotency-Key"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    modules = (
        auth, admin, cases, erasure, actions, tracks, tasks, access_log, history, register_extract, stats, reports
    )
    for module in modules:
        app.include_router(module.router, prefix="/api/v1", responses=ERROR_ANSWERS)
    install_pages(app, settings)
    app.add_middleware(NulGuard)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes)
    codec.install(app, settings)
    install_api_docs(app)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], responses={503: {"description": "the database or Temporal does not answer"}})
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

    if settings.metrics:

        @app.get("/metrics", tags=["health"], include_in_schema=False)
        async def metrics() -> Response:
            """Prometheus: the service's own figures and the Temporal SDK's."""
            return Response(await exposition(), media_type=CONTENT_TYPE)

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


def app_from_env() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    tune_collector()
    return create_app(settings)
