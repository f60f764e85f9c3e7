"""Each case's own data key, wrapped by the master key ring and kept here; erasing a case
destroys it, and with it every payload, summary and stored view of the case (crypto-shredding).

A key is made on first use (the API's opening of the case, or a worker meeting a case from
before per-case keys) and never again once erased: the erased row stays, without its key."""

import asyncio
import os
import time
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlmodel import Session, col, select

from core.keyring import KeyRing
from core.secrets import MissingSecret, key_ring, person_key_secret
from core.settings import Settings
from store.db import reads_only, session_scope
from store.models import CaseKey, CaseSummary

# How long a process keeps a case's unwrapped key: another process's erasure reaches it this late.
CACHE_SECONDS = 30.0
# A session's keys made in its open transaction (`Session.info`).
_MADE = "case_keys_made"
# Built once: every opening writes one (a statement, not an ORM object: see store.cases).
_INSERT_KEY = insert(CaseKey).values(erased_at=None)


class CaseErased(LookupError):
    """The case's data key was destroyed: its data no longer decodes."""

    def __init__(self, case_id: str, erased_at: datetime | None) -> None:
        super().__init__(f"case {case_id} was erased")
        self.case_id = case_id
        self.erased_at = erased_at


class CaseKeys:
    def __init__(self, database_url: str, ring: KeyRing) -> None:
        self.database_url = database_url
        self.ring = ring
        self._cache: dict[str, tuple[bytes, float]] = {}

    def key(self, case_id: str, session: Session | None = None) -> bytes:
        """The case's data key, made now if it has none; CaseErased once erased. With a
        `session`, a new key is written in its transaction (SQLite has one writer at a time)
        and kept only by that transaction's commit."""
        cached = self._cache.get(case_id)
        if cached is not None and time.monotonic() - cached[1] < CACHE_SECONDS:
            return cached[0]
        if session is not None:
            stored = self._unwrapped(session.get(CaseKey, case_id), case_id)
            if stored is not None:
                self._cache[case_id] = (stored, time.monotonic())
                return stored
            return self.new_key(case_id, session)
        known = self._stored(case_id)
        made = known if known is not None else self._create(case_id)
        self._cache[case_id] = (made, time.monotonic())
        return made

    def new_key(self, case_id: str, session: Session) -> bytes:
        """A data key for a case that has none (an opening's new case), written in `session`'s
        transaction with no look for a stored one first; kept in memory by `committed`."""
        key = os.urandom(32)
        key_id, wrapped = self.ring.wrap(key, case_id)
        values = {"case_id": case_id, "master_key_id": key_id, "wrapped": wrapped, "created_at": datetime.now(UTC)}
        session.connection().execute(_INSERT_KEY, values)
        session.info.setdefault(_MADE, {})[case_id] = key  # cached by `committed`, not before
        return key

    def committed(self, session: Session) -> None:
        """After `session`'s commit: keep the keys its transaction made (until then it might
        have rolled back), so the opening's start encodes without asking the database again."""
        for case_id, key in session.info.pop(_MADE, {}).items():
            self._cache[case_id] = (key, time.monotonic())

    @staticmethod
    def rolled_back(session: Session) -> None:
        """After `session`'s rollback: the keys its transaction made are gone."""
        session.info.pop(_MADE, None)

    async def data_key(self, case_id: str) -> bytes:
        cached = self._cache.get(case_id)
        if cached is not None and time.monotonic() - cached[1] < CACHE_SECONDS:
            return cached[0]
        return await asyncio.to_thread(self.key, case_id)

    def erase(self, case_id: str) -> datetime:
        """Destroy the case's data key (idempotent); when it was destroyed."""
        self._cache.pop(case_id, None)
        with session_scope(self.database_url) as session:
            row = session.get(CaseKey, case_id)
            if row is None:  # a case that never had a key of its own: none will ever be made
                row = CaseKey(case_id=case_id, master_key_id="", created_at=datetime.now(UTC))
            if row.erased_at is None:
                row.wrapped, row.master_key_id, row.erased_at = None, "", datetime.now(UTC)
                session.add(row)
                session.commit()
            assert row.erased_at is not None
            return row.erased_at

    def erased_cases(self) -> list[str]:
        """Every case whose key has been destroyed."""
        with session_scope(self.database_url) as session:
            return list(session.exec(select(CaseKey.case_id).where(col(CaseKey.erased_at).is_not(None))))

    def erased_at(self, case_id: str) -> datetime | None:
        with session_scope(self.database_url) as session:
            row = session.get(CaseKey, case_id)
            return row.erased_at if row is not None else None

    def rewrap(self) -> int:
        """Wrap every live data key under the ring's current master key (after a rotation, so
        the old master key can leave the ring); how many were rewrapped."""
        done = 0
        with session_scope(self.database_url) as session:
            for row in session.query(CaseKey).filter(CaseKey.wrapped.is_not(None)).all():  # type: ignore[union-attr]
                if row.master_key_id == self.ring.current_id or row.wrapped is None:
                    continue
                key = self.ring.unwrap(row.master_key_id, row.wrapped, row.case_id)
                row.master_key_id, row.wrapped = self.ring.wrap(key, row.case_id)
                session.add(row)
                done += 1
            session.commit()
        return done

    def _stored(self, case_id: str) -> bytes | None:
        with session_scope(self.database_url) as session:
            reads_only(session)  # each case's key is looked up again every CACHE_SECONDS
            return self._unwrapped(session.get(CaseKey, case_id), case_id)

    def _unwrapped(self, row: CaseKey | None, case_id: str) -> bytes | None:
        if row is None:
            return None
        if row.wrapped is None:
            raise CaseErased(case_id, row.erased_at)
        return self.ring.unwrap(row.master_key_id, row.wrapped, case_id)

    def _create(self, case_id: str) -> bytes:
        key = os.urandom(32)
        key_id, wrapped = self.ring.wrap(key, case_id)
        with session_scope(self.database_url) as session:
            session.add(CaseKey(case_id=case_id, master_key_id=key_id, wrapped=wrapped, created_at=datetime.now(UTC)))
            try:
                session.commit()
            except IntegrityError:  # another process made it first: theirs is the key
                session.rollback()
                stored = self._stored(case_id)
                assert stored is not None
                return stored
        return key


def checked_ring(settings: Settings) -> KeyRing:
    """The master key ring, checked against the database at start: before the first case the
    payload and person-hash keys are made if missing; once a case exists, a missing one, or a
    master key that a case's data key is wrapped under, is MissingSecret, never a new key (that
    would leave every case undecodable, or let a person open a second case)."""
    url = settings.resolved_database_url
    used = _master_keys_in_use(url)
    first = used is None
    ring = key_ring(settings, may_create=first)
    person_key_secret(settings, may_create=first)
    missing = sorted((used or set()) - set(ring.keys))
    if missing:
        raise MissingSecret(f"SAMVERKAN_MASTER_KEYS lacks {', '.join(missing)}: case keys are wrapped under it")
    return ring


def _master_keys_in_use(url: str) -> set[str] | None:
    """The master key ids live data keys are wrapped under; None while no case exists."""
    with session_scope(url) as session:
        try:
            if session.exec(select(CaseSummary.case_id).limit(1)).first() is None and (
                session.exec(select(CaseKey.case_id).limit(1)).first() is None
            ):
                return None
            return set(session.exec(select(CaseKey.master_key_id).where(col(CaseKey.wrapped).is_not(None)).distinct()))
        except (OperationalError, ProgrammingError):  # not migrated yet: no case either
            return None


_KEYS: dict[tuple[str, str, tuple[tuple[str, bytes], ...]], CaseKeys] = {}


def case_keys_for(database_url: str, ring: KeyRing) -> CaseKeys:
    """One CaseKeys per database and ring in a process, so an erasure empties the cache that
    the process's codec reads."""
    ident = (database_url, ring.current_id, tuple(sorted(ring.keys.items())))
    if ident not in _KEYS:
        _KEYS[ident] = CaseKeys(database_url, ring)
    return _KEYS[ident]
