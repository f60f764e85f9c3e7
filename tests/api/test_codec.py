"""The codec server at /codec, as the Temporal Web UI and CLI use it: auditors and supervisors
decode (each decode in the access log), case workers are refused, only admins encode."""

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio
import uvicorn
from google.protobuf.json_format import MessageToDict, ParseDict
from temporalio.api.common.v1 import Payload

from api.main import create_app
from tests.stack import Stack
from worker.launch import temporal_binary

AUDITOR = "granskare"


async def started_payload(s: Stack, case_id: str) -> dict[str, Any]:
    """The journey's input as Temporal stores it (encrypted), in the protocol's JSON."""
    history = await s.temporal.get_workflow_handle(f"journey-{case_id}").fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    return MessageToDict(started.input.payloads[0])


async def decode(s: Stack, user: str | None, payload: dict[str, Any], client: httpx.AsyncClient | None = None) -> Any:
    headers = await s.headers(user) if user else {}
    return await (client or s.api).post("/codec/decode", json={"payloads": [payload]}, headers=headers)


async def test_the_codec_decodes_for_auditors_and_supervisors_and_refuses_case_workers(stack: Stack) -> None:
    cid = (await stack.open_case())["case_id"]
    payload = await started_payload(stack, cid)
    assert (await decode(stack, None, payload)).status_code == 401
    assert (await decode(stack, "handlaggare", payload)).status_code == 403
    assert (await decode(stack, "samordnare", payload)).status_code == 403
    for user in (AUDITOR, "chef"):
        r = await decode(stack, user, payload)
        assert r.status_code == 200, r.text
        (plain,) = r.json()["payloads"]
        assert plain["metadata"]["encoding"] == "anNvbi9wbGFpbg=="  # json/plain
        journey = stack.temporal.data_converter.payload_converter.from_payloads([_proto(plain)])[0]
        assert journey["opening"]["case_id"] == cid
    log = await stack.get(AUDITOR, "/api/v1/access-log", case_id=cid)
    decodes = [e for e in log["items"] if e["via"] == "POST /codec/decode"]
    assert {e["username"] for e in decodes} == {AUDITOR, "chef"}
    assert all(e["purpose"] == "decode in the Temporal UI or CLI" for e in decodes)


def _proto(payload: dict[str, Any]) -> Payload:
    return ParseDict(payload, Payload())


async def test_a_municipal_supervisor_decodes_only_its_own_cases(stack: Stack) -> None:
    admin = await stack.headers("admin")
    user = {"username": "chef.gislaved", "password": "langt-losenord-2", "role": "supervisor",
            "organisation": "0662", "display_name": "Chef Gislaved"}
    assert (await stack.api.post("/api/v1/users", json=user, headers=admin)).status_code in (201, 409)
    norrkoping = await started_payload(stack, (await stack.open_case())["case_id"])
    gislaved = await started_payload(stack, (await stack.open_case("arbetsformedlare", municipality="0662"))["case_id"])
    h = await stack.headers("chef.gislaved", "langt-losenord-2")
    r = await stack.api.post("/codec/decode", json={"payloads": [norrkoping]}, headers=h)
    assert r.status_code == 403
    assert (await stack.api.post("/codec/decode", json={"payloads": [gislaved]}, headers=h)).status_code == 200


async def test_only_an_admin_encodes(stack: Stack) -> None:
    plain = {"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "eyJhIjogMX0="}  # {"a": 1}
    body = {"payloads": [plain]}
    assert (await stack.api.post("/codec/encode", json=body, headers=await stack.headers(AUDITOR))).status_code == 403
    r = await stack.api.post("/codec/encode", json=body, headers=await stack.headers("admin"))
    assert r.status_code == 200
    (encrypted,) = r.json()["payloads"]
    assert encrypted["data"] != plain["data"]
    back = await decode(stack, AUDITOR, encrypted)
    assert back.json()["payloads"] == [plain]


async def test_the_temporal_ui_origin_gets_cors_with_credentials_and_no_one_else(stack: Stack) -> None:
    ui = f"http://127.0.0.1:{stack.settings.temporal_ui_port}"
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type,x-namespace,authorization"}
    r = await stack.api.options("/codec/decode", headers={"Origin": ui, **preflight})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == ui
    assert r.headers["access-control-allow-credentials"] == "true"
    r = await stack.api.options("/codec/decode", headers={"Origin": "http://evil.example", **preflight})
    assert "access-control-allow-origin" not in r.headers
    # The rest of the API answers no other origin.
    r = await stack.api.get("/api/v1/me", headers={"Origin": ui, **await stack.headers(AUDITOR)})
    assert "access-control-allow-origin" not in r.headers


async def test_a_codec_session_cookie_lets_the_ui_decode_without_a_header(stack: Stack) -> None:
    payload = await started_payload(stack, (await stack.open_case())["case_id"])
    app = create_app(stack.settings, temporal=stack.temporal)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://samverkan.test") as browser:
        assert (await decode(stack, None, payload, browser)).status_code == 401
        opened = await browser.post("/codec/session", headers=await stack.headers(AUDITOR))
        assert opened.status_code == 204
        cookie = opened.headers["set-cookie"].lower()
        assert "httponly" in cookie and "path=/codec" in cookie and "samesite=lax" in cookie
        assert (await decode(stack, None, payload, browser)).status_code == 200
        assert (await browser.delete("/codec/session")).status_code == 204
        assert (await decode(stack, None, payload, browser)).status_code == 401
    refused = await stack.api.post("/codec/session", headers=await stack.headers("handlaggare"))
    assert refused.status_code == 403


async def test_the_web_pages_session_decodes_for_an_auditor_and_never_encodes(stack: Stack) -> None:
    """An auditor signed in to the pages uses the Temporal UI's codec with the pages' cookie."""
    from tests.api.web.town import browser, sign_in

    payload = await started_payload(stack, (await stack.open_case())["case_id"])
    async with browser(stack) as auditor, browser(stack) as worker, browser(stack) as admin:
        await sign_in(auditor, AUDITOR)
        assert (await decode(stack, None, payload, auditor)).status_code == 200
        await sign_in(worker, "handlaggare")
        assert (await decode(stack, None, payload, worker)).status_code == 403
        await sign_in(admin, stack.settings.admin_username, stack.settings.admin_password or "")
        encode = await admin.post("/codec/encode", json={"payloads": [payload]})
        assert encode.status_code == 401  # encoding takes a token, never a page session
        auditor.cookies.clear()
        assert (await decode(stack, None, payload, auditor)).status_code == 401


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest_asyncio.fixture(scope="module")
async def served(stack: Stack) -> AsyncIterator[str]:
    """The app on a real port, for the Temporal CLI to call."""
    port = free_port()
    app = create_app(stack.settings, temporal=stack.temporal)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def test_the_temporal_cli_shows_a_case_decoded_through_the_codec_as_the_export(
    stack: Stack, served: str
) -> None:
    cid = (await stack.open_case())["case_id"]
    await stack.act("handlaggare", cid, "complete-introduction", {"note": "klar"})
    export = await stack.get(AUDITOR, f"/api/v1/cases/{cid}/history/export")
    token = (await stack.headers(AUDITOR))["Authorization"]
    proc = await asyncio.create_subprocess_exec(
        temporal_binary(), "workflow", "show", "--workflow-id", f"journey-{cid}", "--output", "json",
        "--address", str(stack.settings.temporal_address), "--namespace", stack.settings.temporal_namespace,
        "--codec-endpoint", f"{served}/codec",
        "--codec-auth", token,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    shown = json.loads(out)
    exported = export["runs"][0]["history"]
    # The export is exactly what the CLI shows (the CLI's history may have grown since).
    assert shown["events"][: len(exported["events"])] == exported["events"]
