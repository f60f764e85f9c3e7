"""The bench's HTTP client: aiohttp, because the bench's client shares the machine's 2 cores with
the service it measures. httpx spent 2.5 ms of CPU per request at 50 in flight (aiohttp 0.24 ms):
the reads at once were bounded by the bench's own process at 97% of a core, the web's at 50%
(bench/PROFILE.md). Only what the bench asks of a response is here."""

import json as json_module
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiohttp

Error = aiohttp.ClientError  # the connection failed (not an answer with an error status)


@dataclass(frozen=True)
class Answer:
    status_code: int
    text: str

    def json(self) -> Any:
        return json_module.loads(self.text)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise RuntimeError(f"{self.status_code} {self.text[:200]}")


class Http:
    """Requests to one base address, connections kept and shared (up to 200 at once)."""

    def __init__(self, base_url: str, timeout: float = 60) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "Http":
        connector = aiohttp.TCPConnector(limit=200)
        self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._session is not None:
            await self._session.close()

    async def request(self, method: str, path: str, **kwargs: Any) -> Answer:
        assert self._session is not None, "used outside `async with`"
        async with self._session.request(method, self.base_url + path, **kwargs) as r:
            return Answer(r.status, await r.text())

    async def get(
        self, path: str, *, params: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        return await self.request("GET", path, params=params, headers=headers)

    async def post(
        self, path: str, *, json: Any = None, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        return await self.request("POST", path, json=json, data=data, headers=headers)

    async def put(self, path: str, *, json: Any = None, headers: dict[str, str] | None = None) -> Answer:
        return await self.request("PUT", path, json=json, headers=headers)
