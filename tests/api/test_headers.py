"""What every answer says to the browser and the proxies: no sniffing, nothing personal kept in
a cache, HSTS behind TLS, a CSP on pages and the API explorer (whose files are our own, no
CDN), and bodies too large refused with 413 before anything is read."""

import re

import httpx

from tests.api.own_app import app_with
from tests.stack import Stack, case_body

W = "handlaggare"


async def test_personal_data_is_never_cached_or_sniffed(stack: Stack) -> None:
    case = await stack.open_case()
    r = await stack.api.get(f"/api/v1/cases/{case['case_id']}", headers=await stack.headers(W))
    assert r.status_code == 200 and r.json()["given_name"] == "Amal"
    assert r.headers["cache-control"] == "no-store" and r.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in r.headers  # plain HTTP, no proxy saying otherwise
    listed = await stack.api.get("/api/v1/cases", headers=await stack.headers(W))
    assert listed.headers["cache-control"] == "no-store"


async def test_hsts_behind_tls_by_setting_or_when_the_proxy_says_https(stack: Stack) -> None:
    proxied = await stack.api.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert proxied.headers["strict-transport-security"].startswith("max-age=31536000")
    async with app_with(stack, behind_tls=True) as api:
        assert "strict-transport-security" in (await api.get("/healthz")).headers


async def test_the_api_explorer_uses_no_cdn_and_runs_under_a_csp(stack: Stack) -> None:
    docs = await stack.api.get("/docs")
    assert docs.status_code == 200
    csp = docs.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert not re.search(r"<script(?![^>]*\bsrc=)", docs.text)  # no inline script
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert len(assets) == 3 and all(a.startswith("/static/") for a in assets), assets
    for asset in assets:
        r = await stack.api.get(asset)
        assert r.status_code == 200 and len(r.content) > 100, asset
    assert "http" not in docs.text  # nothing from another site
    assert (await stack.api.get("/redoc")).status_code == 404  # ReDoc would need a CDN: off
    assert (await stack.api.get("/openapi.json")).json()["paths"]


async def test_a_body_too_large_is_413_and_opens_nothing(stack: Stack) -> None:
    async with app_with(stack, max_body_bytes=4000, max_upload_bytes=20000) as api:
        token = (await api.post("/api/v1/auth/token", data={"username": W, "password": "samverkan-demo"})).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        before = (await api.get("/api/v1/cases", headers=headers)).json()["total"]
        big = case_body(referral_purpose="x" * 3990)
        r = await api.post("/api/v1/cases", json=big, headers=headers)
        assert r.status_code == 413 and "4000 bytes" in r.json()["detail"]

        async def chunks():  # type: ignore[no-untyped-def]
            body = httpx.Request("POST", "/", json=big).content
            for i in range(0, len(body), 1000):
                yield body[i : i + 1000]

        json_type = headers | {"content-type": "application/json"}
        streamed = await api.post("/api/v1/cases", content=chunks(), headers=json_type)
        assert "content-length" not in streamed.request.headers
        assert streamed.status_code == 413, streamed.text
        assert (await api.get("/api/v1/cases", headers=headers)).json()["total"] == before
        # A multipart upload (an export to check) has a bound of its own.
        upload = await api.post("/api/v1/auth/token", files={"f": ("x", b"x" * 10000)})
        assert upload.status_code != 413
        assert (await api.post("/api/v1/auth/token", files={"f": ("x", b"x" * 30000)})).status_code == 413
