"""Prometheus metrics: every figure of the service's own defined here, and the Temporal SDK's
(exported by the SDK's runtime on a loopback port), served together at `/metrics`.

Each process (web app, worker) serves what it counted; Prometheus adds them up. Labels are
action names, outcomes and codes, never a case id or a user: the figures carry no person.
"""

import asyncio
import socket
import urllib.request

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import REGISTRY, Counter, Histogram, generate_latest
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

__all__ = ["CONTENT_TYPE"]

ACTIONS = Counter(
    "samverkan_actions", "Case actions through the API by action and outcome", ["action", "outcome"]
)
REFUSALS = Counter(
    "samverkan_action_refusals",
    "Case actions refused: not allowed in the phase (409), outside the user's rights (403), invalid (422)",
    ["action", "reason"],
)
ACTION_SECONDS = Histogram(
    "samverkan_action_seconds",
    "Time to answer a case action",
    ["action"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
REMINDERS = Counter(
    "samverkan_reminders", "Reminders put in an inbox, by task kind and stage", ["kind", "stage"]
)
ESCALATIONS = Counter(
    "samverkan_escalations", "Missed due dates escalated, by who received them", ["audience"]
)
MAILS = Counter(
    "samverkan_mails",
    "Mails by kind (reminder, digest) and result (sent, failed: retried or given up, unknown)",
    ["kind", "result"],
)
PROJECTION_LAG = Histogram(
    "samverkan_projection_lag_seconds",
    "From the workflow scheduling a read-model write to the write being done (retries included)",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)

# What an action's HTTP status says about it (303: a page's form done, redirected to the case).
OUTCOMES = {
    200: "done", 303: "done", 403: "forbidden", 404: "not_found", 409: "refused", 422: "invalid", 503: "timeout"
}
REFUSAL_REASONS = {403: "decision_right", 409: "phase", 422: "invalid"}


def outcome_of(status: int) -> str:
    return OUTCOMES.get(status, "ok" if status < 400 else "error")


def count_action(action: str, status: int, seconds: float) -> None:
    ACTIONS.labels(action, outcome_of(status)).inc()
    ACTION_SECONDS.labels(action).observe(seconds)
    if status in REFUSAL_REASONS:
        REFUSALS.labels(action, REFUSAL_REASONS[status]).inc()


def _free_loopback_address() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


class _SdkExporter:
    """The SDK's runtime with its Prometheus exporter: one per process (the SDK binds its
    port once), shared by every client the process makes."""

    runtime: Runtime | None = None
    address: str | None = None


def sdk_runtime(address: str | None = None) -> Runtime:
    if _SdkExporter.runtime is None:
        _SdkExporter.address = address or _free_loopback_address()
        metrics = PrometheusConfig(bind_address=_SdkExporter.address)
        _SdkExporter.runtime = Runtime(telemetry=TelemetryConfig(metrics=metrics))
    return _SdkExporter.runtime


async def exposition() -> bytes:
    """This process's own figures, then the SDK's (when its runtime is running here)."""
    own = generate_latest(REGISTRY)
    address = _SdkExporter.address
    if address is None:
        return own
    try:
        sdk = await asyncio.to_thread(_scraped, f"http://{address}/metrics")
    except OSError:  # refused, reset, timed out (URLError and TimeoutError are OSErrors)
        return own + b"# the Temporal SDK's exporter did not answer\n"
    return own + sdk


def _scraped(url: str) -> bytes:
    # The standard library's client, not httpx: a loopback GET is all it takes, and the worker
    # then imports no HTTP client library (1.8 MiB less resident at its start).
    with urllib.request.urlopen(url, timeout=2) as answer:
        return bytes(answer.read())
