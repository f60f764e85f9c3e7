"""What the API takes in: personal numbers in ASCII digits only, names as one clean form of
text, and refusals that never repeat what was sent."""

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

