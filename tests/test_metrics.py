"""What an operator's Prometheus and log search see: `/metrics` counts each action by name and
outcome (refusals too) and the read model's lag, next to the Temporal SDK's own metrics; every
request answers with a trace id that is in its JSON log line, which holds no personal data."""

import json
import re
import secrets

import pytest
from prometheus_client.parser import text_string_to_metric_families

from core import metrics
from core.logging import configure_logging
from tests.api.web.town import browser, csrf_token, sign_in
from tests.mail import COORDINATOR, WORKER, MailWorld, open_case
from tests.stack import Stack, eventually, free_port

W = "handlaggare"


async def scrape(stack: Stack) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    r = await stack.api.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(r.text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_count_actions_refusals_and_projection_lag(stack: Stack) -> None:
    before = await scrape(stack)
    cid = (await stack.open_case())["case_id"]
    await stack.act(W, cid, "complete-introduction")
    await stack.act(W, cid, "complete-introduction", expect=409)  # not allowed in `preparatory`
    await stack.act(W, cid, "plan-effort", {"kind": "sfi"}, expect=422)  # no provider, no start
    after = await scrape(stack)

    done = ("samverkan_actions_total", {"action": "complete-introduction", "outcome": "done"})
    refused = ("samverkan_actions_total", {"action": "complete-introduction", "outcome": "refused"})
    assert value(after, done[0], **done[1]) - value(before, done[0], **done[1]) == 1
    assert value(after, refused[0], **refused[1]) - value(before, refused[0], **refused[1]) == 1
    phase = {"action": "complete-introduction", "reason": "phase"}
    assert value(after, "samverkan_action_refusals_total", **phase) - value(
        before, "samverkan_action_refusals_total", **phase
    ) == 1
    invalid = {"action": "plan-effort", "reason": "invalid"}
    assert value(after, "samverkan_action_refusals_total", **invalid) - value(
        before, "samverkan_action_refusals_total", **invalid
    ) == 1
    assert value(after, "samverkan_action_seconds_count", action="complete-introduction") > 0

    async def projected() -> None:
        now = await scrape(stack)
        assert value(now, "samverkan_projection_lag_seconds_count") > value(
            before, "samverkan_projection_lag_seconds_count"
        )

    await eventually(projected)
    # The SDK's runtime metrics, through its Prometheus exporter, on the same page.
    assert any(name.startswith("temporal_") for name, _ in after), "no Temporal SDK metrics"


async def test_metrics_count_reminders_escalations_and_mails_sent(mail: MailWorld) -> None:
    s = mail.stack
    before = await scrape(s)
    cid, _ = await open_case(s)  # a policy in seconds: reminded, due, then escalated
    await eventually(lambda: mail.box.one(COORDINATOR, cid, "Eskalering:"))

    def grew(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
        return value(samples, name, **labels) - value(before, name, **labels)

    async def counted() -> None:
        now = await scrape(s)
        assert grew(now, "samverkan_reminders_total", kind="introduction_due", stage="remind") >= 1
        assert grew(now, "samverkan_escalations_total", audience="coordinator") >= 1
        assert grew(now, "samverkan_mails_total", kind="reminder", result="sent") >= 3  # remind, due, escalate

    await eventually(counted)
    await s.act(WORKER, cid, "complete-introduction")


async def test_an_action_through_the_pages_form_counts_as_done(stack: Stack) -> None:
    before = await scrape(stack)
    cid = (await stack.open_case())["case_id"]
    async with browser(stack) as client:
        await sign_in(client, W)
        page = (await client.get(f"/cases/{cid}")).text
        form = {"csrf_token": csrf_token(page), "idempotency_key": secrets.token_hex(8)}
        r = await client.post(f"/cases/{cid}/actions/complete-introduction", data=form)
    assert r.status_code == 303, r.text  # done, and the page is fetched anew
    done = {"action": "complete-introduction", "outcome": "done"}
    after = await scrape(stack)
    assert value(after, "samverkan_actions_total", **done) - value(before, "samverkan_actions_total", **done) == 1


async def test_no_case_or_person_in_metric_labels(stack: Stack) -> None:
    case = await stack.open_case(given_name="Zebulon", family_name="Quartermain")
    await stack.act(W, case["case_id"], "complete-introduction")
    page = (await stack.api.get("/metrics")).text
    assert case["case_id"] not in page
    assert "Zebulon" not in page and "Quartermain" not in page


async def test_every_answer_has_a_trace_id_and_its_json_log_line(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    headers = await stack.headers(W)
    configure_logging("json", "info")
    try:
        sent = "0af7651916cd43dd8448eb211c80319c"
        r = await stack.api.get("/api/v1/me", headers=headers | {"traceparent": f"00-{sent}-b7ad6b7169203331-01"})
        fresh = await stack.api.get("/healthz")
    finally:
        configure_logging("console", "warning")
    assert r.headers["traceparent"].split("-")[1] == sent  # the caller's trace goes on
    mine = re.fullmatch(r"00-([0-9a-f]{32})-[0-9a-f]{16}-01", fresh.headers["traceparent"])
    assert mine and mine[1] != sent  # a new trace where none came in
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    requests = {line["path"]: line for line in lines if line.get("event") == "http_request"}
    assert requests["/api/v1/me"]["trace_id"] == sent and requests["/api/v1/me"]["status"] == 200
    assert requests["/healthz"]["trace_id"] == mine[1]


async def test_a_process_serves_its_figures_when_the_sdks_exporter_does_not_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(metrics._SdkExporter, "address", f"127.0.0.1:{free_port()}")  # nothing listens
    text = (await metrics.exposition()).decode()
    assert "samverkan_actions" in text and "# the Temporal SDK's exporter did not answer" in text
