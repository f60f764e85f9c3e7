"""The personal number stays inside: encrypted in Temporal, absent from ids, attributes and logs."""

import pytest
from temporalio.client import Client

from core.logging import configure_logging
from tests.stack import Stack, eventually, personal_number


async def test_temporal_sees_only_ciphertext(stack: Stack) -> None:
    number = personal_number()
    case = await stack.open_case(personal_number=number, given_name="Zainab", family_name="Warsame")
    cid = case["case_id"]
    await stack.act("handlaggare", cid, "complete-introduction", {"note": "Zainab mådde bra"})
    # A client without the key sees what the server stores.
    raw = await Client.connect(stack.temporal.service_client.config.target_host, namespace="default")
    history = await raw.get_workflow_handle(f"journey-{cid}").fetch_history()
    blob = history.to_json()
    digits = number.replace("-", "")
    for secret in (digits, digits[2:], "Zainab", "Warsame"):
        assert secret not in blob
    assert "YmluYXJ5L2VuY3J5cHRlZA==" in blob  # base64 of the "binary/encrypted" encoding
    assert digits not in cid and f"journey-{cid}" == history.workflow_id


async def test_logs_carry_no_personal_data(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json", "debug")
    try:
        await _journey_with_logs(stack)
    finally:
        configure_logging("console", "warning")
    out = capsys.readouterr()
    text = out.out + out.err
    assert "case_projected" in text  # the logs were really captured
    for secret in _SECRETS:
        assert secret not in text


_SECRETS: list[str] = []


async def _journey_with_logs(stack: Stack) -> None:
    number = personal_number()
    _SECRETS.extend([number, number.replace("-", ""), "Yusuf", "Abdi"])
    case = await stack.open_case(personal_number=number, given_name="Yusuf", family_name="Abdi")
    await stack.act("handlaggare", case["case_id"], "record-exit", {"reason": "moved"})
    await stack.api.post("/api/v1/cases", json={"personal_number": number}, headers=await stack.headers("handlaggare"))
    await eventually(lambda: _projected(stack, case["case_id"]))


async def _projected(stack: Stack, case_id: str) -> None:
    state = await stack.get("handlaggare", f"/api/v1/cases/{case_id}")
    page = await stack.get("handlaggare", "/api/v1/cases", phase="exited", limit=500)
    assert case_id in [c["case_id"] for c in page["items"]] and state["phase"] == "exited"
