"""The codec server (Temporal's remote codec protocol) for the Temporal Web UI and CLI.

`POST /codec/decode` and `/codec/encode` take and give `{"payloads": [...]}` (each payload as
protobuf JSON). Decoding is for auditors and supervisors, and each decode is written to the
access log (one entry per case the payloads name). Encoding makes payloads the workers trust,
an update with any actor among them, so it is the administrator's alone.

The user authenticates with `Authorization: Bearer …` (the CLI's `--codec-auth`; the UI's
"pass access token" where the UI signs in) or with the cookie `POST /codec/session` sets, which
the UI sends with "Include cross-origin credentials"; a decode also accepts the web pages'
session cookie (the same site: the UI on another port of the same host sends it). CORS answers
only the Temporal UI's origins.
"""

import base64
from collections.abc import Iterator
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Cookie, Depends, FastAPI, Header, HTTPException, Request, Response, status
from fastapi.middleware.cors import CORSMiddleware
from google.protobuf.json_format import ParseDict, ParseError
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import defer
from sqlmodel import col, select
from starlette.types import ASGIApp, Receive, Scope, Send
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec, PayloadConverter

from api.deps import SessionDep, SettingsDep, TemporalDep, oauth2_scheme, user_of_token
from api.errors import ERROR_ANSWERS
from api.web.deps import session_user
from core.codec import ENCODING
from core.settings import Settings
from services.access_log import record_reads, record_unnamed_read
from services.scope import reads_case
from store.models import CaseSummary, User
from workflows.domain import Role

log = structlog.get_logger()
router = APIRouter(prefix="/codec", tags=["codec"])
PREFIX = "/codec"
SESSION_COOKIE = "samverkan_codec"
DECODERS = frozenset({Role.AUDITOR, Role.SUPERVISOR})
ENCODERS = frozenset({Role.ADMIN})
JSON_PLAIN = b"json/plain"


class PayloadJSON(BaseModel):
    """One payload as protobuf JSON: metadata values and data in base64."""

    model_config = ConfigDict(extra="allow")
    metadata: dict[str, str] = {}
    data: str = ""


class Payloads(BaseModel):
    payloads: list[PayloadJSON]


def codec_user(
    session: SessionDep,
    settings: SettingsDep,
    bearer: Annotated[str | None, Depends(oauth2_scheme)],
    cookie: Annotated[str | None, Cookie(alias=SESSION_COOKIE, include_in_schema=False)] = None,
) -> User:
    return user_of_token(session, settings, bearer or cookie)


CodecUser = Annotated[User, Depends(codec_user)]


def decoding_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    bearer: Annotated[str | None, Depends(oauth2_scheme)],
    cookie: Annotated[str | None, Cookie(alias=SESSION_COOKIE, include_in_schema=False)] = None,
) -> User:
    """As `codec_user`, and also the web pages' signed-in session, so an auditor signed in to
    the pages decodes in the Temporal UI without a token. Decoding only: a page session never
    encodes (encoded payloads are trusted by the workers)."""
    if bearer or cookie:
        return codec_user(session, settings, bearer, cookie)
    pages = getattr(request.app.state, "pages", None)
    user = session_user(request, pages, session) if pages is not None else None
    if user is None:
        return codec_user(session, settings, None, None)  # 401, as without any credential
    return user


DecodingUser = Annotated[User, Depends(decoding_user)]


def _allowed(user: User, roles: frozenset[Role], what: str) -> None:
    if user.role not in roles:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {user.role} may not {what} payloads")


def _to_proto(body: Payloads) -> list[Payload]:
    try:
        return [ParseDict(p.model_dump(), Payload(), ignore_unknown_fields=True) for p in body.payloads]
    except ParseError as err:
        detail = [{"loc": ["body", "payloads"], "msg": f"not a payload: {err}", "type": "value_error"}]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from err


def _to_json(payloads: list[Payload]) -> dict[str, Any]:
    return {
        "payloads": [
            {
                "metadata": {k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                "data": base64.b64encode(p.data).decode(),
            }
            for p in payloads
        ]
    }


def _case_ids(value: Any) -> Iterator[str]:
    """The cases a decoded payload is about: every `case_id` in it, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "case_id" and isinstance(item, str):
                yield item
            else:
                yield from _case_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _case_ids(item)


def _named_cases(payloads: list[Payload], converter: PayloadConverter) -> set[str]:
    named: set[str] = set()
    for payload in payloads:
        if payload.metadata.get("encoding") != JSON_PLAIN:
            continue
        try:
            named.update(_case_ids(converter.from_payloads([payload])[0]))
        except ValueError:
            continue  # not JSON after all: it names no case
    return named


async def _decode_ours(codec: PayloadCodec, payloads: list[Payload]) -> list[Payload]:
    """Our encrypted payloads decoded; others (search attributes, patch markers) as they are."""
    ours = [i for i, p in enumerate(payloads) if p.metadata.get("encoding") == ENCODING]
    opened = await codec.decode([payloads[i] for i in ours])
    out = list(payloads)
    for i, p in zip(ours, opened, strict=True):
        out[i] = p
    return out


@router.post("/decode")
async def decode(
    body: Payloads,
    user: DecodingUser,
    session: SessionDep,
    client: TemporalDep,
    x_namespace: Annotated[str | None, Header(alias="X-Namespace")] = None,
) -> dict[str, Any]:
    """Decode payloads for the Temporal UI or CLI; logged as a read of each case they name."""
    _allowed(user, DECODERS, "decode")
    codec = client.data_converter.payload_codec
    payloads = _to_proto(body)
    try:
        plain = await _decode_ours(codec, payloads) if codec else payloads
    except Exception as err:  # a payload our keys do not open
        detail = "a payload does not decode with this service's keys"
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from err
    named = _named_cases(plain, client.data_converter.payload_converter)
    query = select(CaseSummary).where(col(CaseSummary.case_id).in_(named)).options(defer(CaseSummary.view))  # type: ignore[arg-type]
    cases = list(session.exec(query))
    # Auditors read every history; a supervisor the cases they may read (services/scope.py).
    if user.role != Role.AUDITOR and not all(reads_case(session, user, c) for c in cases):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a payload belongs to a case outside your organisation")
    via, purpose = "POST /codec/decode", "decode in the Temporal UI or CLI"
    if cases:
        record_reads(session, user, cases, via=via, purpose=purpose)
    else:
        record_unnamed_read(session, user, via=via, purpose=purpose)
    log.info("codec_decoded", user=user.username, role=user.role, payloads=len(plain), cases=len(cases),
             namespace=x_namespace)
    return _to_json(plain)


@router.post("/encode")
async def encode(body: Payloads, user: CodecUser, client: TemporalDep) -> dict[str, Any]:
    """Encode payloads (administrators only: encoded payloads are trusted by the workers)."""
    _allowed(user, ENCODERS, "encode")
    codec = client.data_converter.payload_codec
    payloads = _to_proto(body)
    log.info("codec_encoded", user=user.username, payloads=len(payloads))
    return _to_json(await codec.encode(payloads) if codec else payloads)


@router.post("/session", status_code=status.HTTP_204_NO_CONTENT)
def open_session(
    request: Request, response: Response, settings: SettingsDep, user: CodecUser,
    bearer: Annotated[str | None, Depends(oauth2_scheme)],
) -> None:
    """Keep the bearer token in an HttpOnly cookie for `/codec`, so the Temporal UI's decode
    requests carry it ("Include cross-origin credentials")."""
    _allowed(user, DECODERS, "decode")
    if not bearer:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "send the token as Authorization: Bearer …")
    response.set_cookie(
        SESSION_COOKIE, bearer, max_age=settings.token_minutes * 60, path=PREFIX, httponly=True,
        samesite="lax", secure=request.url.scheme == "https",
    )


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT)
def close_session(response: Response) -> None:
    """Forget the codec cookie."""
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)


def ui_origins(settings: Settings) -> list[str]:
    port = settings.temporal_ui_port
    return [f"http://127.0.0.1:{port}", f"http://localhost:{port}", *settings.codec_origins]


class _CodecCORS:
    """CORS for the codec's paths only: the rest of the API answers no other origin."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_credentials=True,
            allow_methods=["POST", "DELETE"],
            allow_headers=["authorization", "authorization-extras", "content-type", "x-namespace"],
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope["path"]).startswith(PREFIX + "/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install(app: FastAPI, settings: Settings) -> None:
    app.include_router(router, responses=ERROR_ANSWERS)
    app.add_middleware(_CodecCORS, origins=ui_origins(settings))
