"""Bearer tokens (JWT, HS256) for the OAuth2 password flow."""

from datetime import UTC, datetime, timedelta

import jwt

ALGORITHM = "HS256"


def issue_token(username: str, secret: str, minutes: int) -> str:
    now = datetime.now(UTC)
    claims = {"sub": username, "iat": now, "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def username_from_token(token: str, secret: str) -> str | None:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]})
    except jwt.PyJWTError:
        return None
    sub = claims.get("sub")
    return sub if isinstance(sub, str) else None
