"""Authentication, roles and scope (contract: 401, 403, 404 outside scope)."""

from tests.stack import Stack, case_body


async def test_no_token_or_bad_token_is_401(stack: Stack) -> None:
    assert (await stack.api.get("/api/v1/me")).status_code == 401
    r = await stack.api.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401
    r = await stack.api.post("/api/v1/auth/token", data={"username": "handlaggare", "password": "wrong"})
    assert r.status_code == 401


async def test_me_names_role_and_organisation(stack: Stack) -> None:
    me = await stack.get("handlaggare", "/api/v1/me")
    assert me["role"] == "case_worker" and me["organisation"] == "0581"


async def test_roles_outside_their_calls_get_403(stack: Stack) -> None:
    for user in ("chef", "granskare", "sparansvarig"):
        r = await stack.api.post("/api/v1/cases", json=case_body(), headers=await stack.headers(user))
        assert r.status_code == 403, user
    r = await stack.api.get("/api/v1/cases", headers=await stack.headers("granskare"))
    assert r.status_code == 403
    r = await stack.api.post("/api/v1/users", json={}, headers=await stack.headers("handlaggare"))
    assert r.status_code == 403


async def test_case_outside_scope_is_404_and_not_listed(any_stack: Stack) -> None:
    stack = any_stack
    af_case = await stack.open_case("arbetsformedlare", municipality="0662")
    cid = af_case["case_id"]
    # A Norrköping case worker neither reads, lists nor acts on a Gislaved case.
    assert (await stack.api.get(f"/api/v1/cases/{cid}", headers=await stack.headers("handlaggare"))).status_code == 404
    r = await stack.api.post(
        f"/api/v1/cases/{cid}/actions/close", json={"reason": "x"}, headers=await stack.headers("handlaggare")
    )
    assert r.status_code == 404
    page = await stack.get("handlaggare", "/api/v1/cases", limit=500)
    assert cid not in [c["case_id"] for c in page["items"]]
    assert all(c["municipality"] == "0581" for c in page["items"])
    # AF sees every municipality; the supervisor of AF reads too.
    assert (await stack.get("arbetsformedlare", f"/api/v1/cases/{cid}"))["municipality"] == "0662"
    assert (await stack.get("chef", f"/api/v1/cases/{cid}"))["case_id"] == cid
    # A municipal case worker cannot open a case in another municipality.
    r = await stack.api.post(
        "/api/v1/cases", json=case_body(municipality="0662"), headers=await stack.headers("handlaggare")
    )
    assert r.status_code == 403


async def test_every_read_of_a_case_is_in_the_access_log(any_stack: Stack) -> None:
    stack = any_stack
    cid = (await stack.open_case())["case_id"]
    await stack.get("handlaggare", f"/api/v1/cases/{cid}")
    await stack.get("chef", f"/api/v1/cases/{cid}")
    log = await stack.get("granskare", "/api/v1/access-log", case_id=cid)
    reads = [e for e in log["items"] if e["via"] == "GET /api/v1/cases/{case_id}"]
    assert {e["username"] for e in reads} == {"handlaggare", "chef"}


async def test_admin_creates_users_and_municipalities(stack: Stack) -> None:
    admin = await stack.headers("admin")
    r = await stack.api.post("/api/v1/municipalities", json={"code": "0180", "name": "Stockholm"}, headers=admin)
    assert r.status_code in (201, 409)
    user = {
        "username": "ny.handlaggare",
        "password": "langt-losenord-1",
        "role": "case_worker",
        "organisation": "0180",
        "display_name": "Ny Handläggare",
        "email": "ny@example.se",
    }
    r = await stack.api.post("/api/v1/users", json=user, headers=admin)
    assert r.status_code == 201, r.text
    assert (await stack.api.post("/api/v1/users", json=user, headers=admin)).status_code == 409
    bad = await stack.api.post(
        "/api/v1/users", json=user | {"username": "x2", "role": "king", "organisation": "9998"}, headers=admin
    )
    assert bad.status_code == 422
    assert {e["loc"][-1] for e in bad.json()["detail"]} >= {"role"}
    elsewhere = user | {"username": "x3", "organisation": "9998"}
    nowhere = await stack.api.post("/api/v1/users", json=elsewhere, headers=admin)
    assert nowhere.status_code == 422 and nowhere.json()["detail"] == [
        {"loc": ["body", "organisation"], "msg": "unknown organisation", "type": "value_error"}
    ]
    r = await stack.api.get("/api/v1/me", headers=await stack.headers("ny.handlaggare", "langt-losenord-1"))
    assert r.json()["organisation"] == "0180" and r.json()["role"] == "case_worker"
    munis = await stack.get("handlaggare", "/api/v1/municipalities")
    assert {"0662", "0581", "1444", "0180"} <= {m["code"] for m in munis}


async def test_policies_are_iso_durations_and_cases_keep_theirs(stack: Stack) -> None:
    admin = await stack.headers("admin")
    r = await stack.api.put("/api/v1/policies/0880", json={"introduction": "P21D"}, headers=admin)
    assert r.status_code == 200 and r.json()["introduction"] == "P21D"
    bad = await stack.api.put("/api/v1/policies/0880", json={"introduction": "two weeks"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "introduction"
    none = await stack.api.put("/api/v1/policies/0880", json={"introduction": "P0D"}, headers=admin)
    assert none.status_code == 422 and none.json()["detail"] == [
        {"loc": ["body", "introduction"], "msg": "must be a positive duration", "type": "value_error"}
    ]
    assert (
        await stack.api.put("/api/v1/policies/0880", json={}, headers=await stack.headers("handlaggare"))
    ).status_code == 403
    grastorp = await stack.get("handlaggare", "/api/v1/policies/1444")
    # Grästorp's four weeks are its SFI introduction, for those new to SFI (002).
    assert grastorp["introduction"] == "P14D" and grastorp["introduction_new_to_sfi"] == "P28D"


async def test_health_and_readiness(stack: Stack) -> None:
    assert (await stack.api.get("/healthz")).json() == {"status": "ok"}
    ready = await stack.api.get("/readyz")
    assert ready.status_code == 200 and ready.json()["temporal"] == "ok"
