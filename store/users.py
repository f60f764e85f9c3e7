"""Users and their passwords (argon2 via pwdlib)."""

from functools import cache

from pwdlib import PasswordHash
from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from store.models import RevokedLogin, User

_hasher = PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """Verified against when the user is unknown, which keeps the timing the same. Made at the
    first such login, not on import: a hash costs a second of CPU on a busy machine, and the
    worker and `make run`'s launcher never need it."""
    return hash_password("not-a-password")


def get_user(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


# Built once: every API request asks it. A statement built at each call is built, and walked
# for its cache key, at each call: with this and `store.cases`'s built once, a read took 2.17 ms
# of the web's CPU against 2.62 (bench/PROFILE.md).
_LIVE_USER = (
    select(User, RevokedLogin.jti)
    .outerjoin(RevokedLogin, col(RevokedLogin.jti) == bindparam("login_id"))
    .where(User.username == bindparam("username"))
)


def live_user(session: Session, username: str, login_id: str) -> User | None:
    """The active user of a login that was not logged out (`login_id` is its `jti`), else None:
    one query, as every API request asks it."""
    row = session.exec(_LIVE_USER, params={"login_id": login_id, "username": username}).first()
    if row is None:
        return None
    user, revoked = row
    return user if user.active and revoked is None else None


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    organisation: str,
    display_name: str,
    email: str | None = None,
) -> User:
    return store_user(
        session,
        username=username,
        password_hash=hash_password(password),
        role=role,
        organisation=organisation,
        display_name=display_name,
        email=email,
    )


def store_user(
    session: Session,
    *,
    username: str,
    password_hash: str,
    role: str,
    organisation: str,
    display_name: str,
    email: str | None = None,
) -> User:
    user = User(
        username=username,
        password_hash=password_hash,
        role=role,
        organisation=organisation,
        display_name=display_name,
        email=email,
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = get_user(session, username)
    if user is None or not user.active:
        _hasher.verify(password, _dummy_hash())
        return None
    return user if _hasher.verify(password, user.password_hash) else None


def users_with_role(session: Session, role: str, organisation: str) -> list[User]:
    query = select(User).where(User.role == role, User.organisation == organisation, User.active)
    return list(session.exec(query.order_by(User.username)))


def display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    query = select(User.username, User.display_name).where(col(User.username).in_(usernames))
    return dict(session.exec(query).all())
