"""Bearer tokens (JWT, HS256) for the OAuth2 password flow: issued by this service (`iss`) for
its API (`aud`), each with its own id (`jti`) so that a logout can revoke it."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

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
        claims = _verified(token, jwt_secret(settings), settings.token_issuer, settings.token_audience)
    except (jwt.PyJWTError, ValueError):
        return None
    # Checked at every use: a token verified while it lived is cached past its end.
    return claims if datetime.now(UTC) < claims.expires_at else None


# A login's every request carries the same token: its signature and claims are checked once per
# web process, not at every request (HS256 and the claims' checks were a twentieth of a read's
# CPU). Only a token that passed is kept (an error is not cached), keyed by the secret, issuer
# and audience it passed with; whether it was logged out is asked at every request (`live_user`).
@lru_cache(maxsize=4096)
def _verified(token: str, secret: str, issuer: str, audience: str) -> TokenClaims:
    claims = jwt.decode(
        token, secret, algorithms=[ALGORITHM], issuer=issuer, audience=audience, options={"require": REQUIRED_CLAIMS}
    )
    sub, jti, exp = claims.get("sub"), claims.get("jti"), claims.get("exp")
    if not isinstance(sub, str) or not isinstance(jti, str) or not isinstance(exp, int):
        raise ValueError("a claim of the wrong type")
    return TokenClaims(sub, jti, datetime.fromtimestamp(exp, UTC))
