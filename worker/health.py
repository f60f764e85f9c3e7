"""The worker's own HTTP endpoint for the orchestrator and Prometheus: `/healthz` answers 200
while the worker polls and Temporal answers, `/metrics` the worker's figures and the SDK's."""

import contextlib
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from temporalio.client import Client
from temporalio.worker import Worker

from core.metrics import CONTENT_TYPE, exposition


def health_app(client: Client, worker: Worker) -> Starlette:
    async def healthz(_: Request) -> JSONResponse:
        checks = {"worker": "running" if worker.is_running and not worker.is_shutdown else "stopped"}
        try:
            await client.service_client.check_health()
            checks["temporal"] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
            checks["temporal"] = type(exc).__name__
        healthy = checks == {"worker": "running", "temporal": "ok"}
        return JSONResponse({"status": "ok" if healthy else "unhealthy", **checks}, status_code=200 if healthy else 503)

    async def metrics(_: Request) -> Response:
        return Response(await exposition(), media_type=CONTENT_TYPE)

    return Starlette(routes=[Route("/healthz", healthz), Route("/metrics", metrics)])


class HealthServer(uvicorn.Server):
    """uvicorn inside the worker's event loop; the worker, not uvicorn, handles the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def health_server(client: Client, worker: Worker, host: str, port: int) -> HealthServer:
    config = uvicorn.Config(health_app(client, worker), host=host, port=port, log_config=None, access_log=False)
    return HealthServer(config)
