"""What the API takes in: personal numbers in ASCII digits only, names as one clean form of
text, page offsets a database can hold, and refusals that never repeat what was sent."""

from tests.stack import Stack, case_body, personal_number

W = "handlaggare"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


async def test_a_personal_number_in_other_digits_opens_no_second_case(stack: Stack) -> None:
    number = personal_number()
    await stack.open_case(personal_number=number)
    same_person = number.translate(ARABIC_INDIC)
    r = await stack.api.post(
        "/api/v1/cases",
        json=case_body(personal_number=same_person),
        headers=await stack.headers(W),
    )
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "personal_number"]
    assert same_person not in r.text and number not in r.text



async def test_names_are_kept_in_one_form_and_refused_with_controls_or_too_long(stack: Stack) -> None:
    decomposed = "Jose\u0301"  # "José" typed as e + a combining accent
    case = await stack.open_case(given_name=decomposed, family_name=" Åberg ")
    assert case["given_name"] == "José" and case["family_name"] == "Åberg"
    headers = await stack.headers(W)
    for field, bad in (
        ("given_name", "Amal\nHassan"),
        ("family_name", "Hassan\x1b[2J"),  # an escape sequence
        ("family_name", "\u202enassaH"),  # right-to-left override: reads as another name
        ("given_name", "A" * 101),
        ("given_name", "   "),
    ):
        number = personal_number()
        body = case_body(personal_number=number, **{field: bad})
        r = await stack.api.post("/api/v1/cases", json=body, headers=headers)
        assert r.status_code == 422, (field, bad, r.text)
        assert [e["loc"] for e in r.json()["detail"]] == [["body", field]]
        assert number not in r.text and number.replace("-", "") not in r.text


async def test_a_refusal_never_repeats_the_body_it_refuses(stack: Stack) -> None:
    number = personal_number()
    body = case_body(personal_number=number, family_name="Quarnström")
    del body["given_name"]
    headers = await stack.headers(W)
    missing = await stack.api.post("/api/v1/cases", json=body, headers=headers)
    assert missing.status_code == 422
    assert missing.json()["detail"] == [{"loc": ["body", "given_name"], "msg": "Field required", "type": "missing"}]
    wrong = await stack.api.post("/api/v1/cases", json=body | {"given_name": "A", "gender": 7}, headers=headers)
    json_type = headers | {"content-type": "application/json"}
    broken = await stack.api.post("/api/v1/cases", content=f'{{"personal_number": "{number}", ', headers=json_type)
    for r in (missing, wrong, broken):
        assert r.status_code == 422, r.text
        for secret in (number, number.replace("-", ""), "Quarnström"):
            assert secret not in r.text, r.text


async def test_a_nul_character_anywhere_is_refused_at_the_edge(stack: Stack) -> None:
    """PostgreSQL cannot store a NUL in text: without the guard, these were 500s (found by the
    fuzzing, tests/fuzz.py)."""
    headers = await stack.headers(W)
    login = await stack.api.post("/api/v1/auth/token", data={"username": "handl\x00aggare", "password": "x"})
    body = case_body(given_name="Am\x00al")
    opening = await stack.api.post("/api/v1/cases", json=body, headers=headers)
    path = await stack.api.get("/api/v1/cases/abc%00def", headers=headers)
    query = await stack.api.get("/api/v1/cases", params={"responsible": "a\x00b"}, headers=headers)
    for r, where in ((login, "body"), (opening, "body"), (path, "path"), (query, "query")):
        assert r.status_code == 422, r.text
        refusal = {"loc": [where], "msg": "text must not contain a NUL character", "type": "value_error"}
        assert r.json()["detail"] == [refusal]
        assert body["personal_number"] not in r.text


async def test_a_page_offset_past_any_database_integer_is_refused_naming_it(stack: Stack) -> None:
    """Found by the fuzzer (seed 20261124): an offset beyond a 64-bit integer was a 500."""
    for user, path in ((W, "/api/v1/cases"), ("chef", "/api/v1/access-log")):
        r = await stack.api.get(path, params={"offset": 2**71}, headers=await stack.headers(user))
        assert r.status_code == 422, r.text
        assert [e["loc"] for e in r.json()["detail"]] == [["query", "offset"]]
        assert (await stack.api.get(path, params={"offset": 5}, headers=await stack.headers(user))).status_code == 200
