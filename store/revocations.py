"""Logins ended by a logout: revoked until they would have expired, then forgotten."""

from datetime import UTC, datetime

from sqlmodel import Session, col, delete

from store.models import RevokedLogin


def revoke(session: Session, jti: str, expires_at: datetime) -> None:
    """Refuse the login `jti` from now on. Idempotent (a second logout is harmless); rows whose
    login has expired anyway are deleted on the way, so the table stays small."""
    session.exec(delete(RevokedLogin).where(col(RevokedLogin.expires_at) < datetime.now(UTC)))
    if session.get(RevokedLogin, jti) is None:
        session.add(RevokedLogin(jti=jti, expires_at=expires_at))
    session.commit()


def is_revoked(session: Session, jti: str) -> bool:
    return session.get(RevokedLogin, jti) is not None
