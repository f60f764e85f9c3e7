"""Bearer tokens (JWT, HS256) for the OAuth2 password flow: issued by this service (`iss`) for
its API (`aud`), each with its own id (`jti`) so that a logout can revoke it."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from core.secrets import jwt_secret
from core.settings import Settings

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["sub", "exp", "iat", "iss", "aud", "jti"]


@dataclass(frozen=True)
class TokenClaims:
    username: str
    jti: str
    expires_at: datetime


def issue_token(username: str, settings: Settings) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": username,
        "iat": now,
        "exp": now + timedelta(minutes=settings.token_minutes),
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode(claims, jwt_secret(settings), algorithm=ALGORITHM)


def read_token(token: str, settings: Settings) -> TokenClaims | None:
    """The claims of a token this service issued for this API and that has not expired; None for
    anything else (a bad signature, another issuer or audience, a claim missing)."""
    try:
        claims = jwt.decode(
            token,
            jwt_secret(settings),
            algorithms=[ALGORITHM],
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError:
        return None
    sub, jti, exp = claims.get("sub"), claims.get("jti"), claims.get("exp")
    if not isinstance(sub, str) or not isinstance(jti, str) or not isinstance(exp, int):
        return None
    return TokenClaims(sub, jti, datetime.fromtimestamp(exp, UTC))
