"""The database away (restarting, unreachable): the API says so with 503 and Retry-After, in
JSON like every other error, so that a client comes back instead of giving up."""

import httpx

from api.main import create_app
from core.settings import Settings
from tests.stack import TEST_PAYLOAD_KEY, free_port


async def test_the_api_answers_503_while_the_database_is_away() -> None:
    nobody_listens = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/samverkan"
    settings = Settings(database_url=nobody_listens, payload_key=TEST_PAYLOAD_KEY, _env_file=None)  # type: ignore[call-arg]
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://samverkan.test") as api:
        r = await api.post("/api/v1/auth/token", data={"username": "handlaggare", "password": "samverkan-demo"})
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"] == "5"
    assert "database is not available" in r.json()["detail"]
