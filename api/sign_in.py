"""Signing in, for the JSON API and the pages alike: failed attempts are throttled per username
and per address, password checks (argon2: memory and CPU on purpose) run a bounded number at a
time, and every attempt is logged: who (a known username only), from where, and the outcome;
never the password, and never what was typed as a username that is no user (it may be a
password typed in the wrong field, or a personal number)."""

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import structlog
from sqlmodel import Session
from starlette.requests import Request

from core.settings import Settings
from store.models import User
from store.users import authenticate, get_user

log = structlog.get_logger()
MAX_KEYS = 100_000  # usernames (or addresses) with recent failures kept at once


class Face(StrEnum):
    API = "api"
    PAGES = "pages"


@dataclass
class SignInRefused(Exception):
    """Not now: too many failures (429), or every password check busy (503); try again after
    `retry_after` seconds."""

    status_code: int
    retry_after: int


class FailureWindow:
    """Failed attempts per key (a username, an address) within the last `window` seconds."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float] | None:
        failures = self._failures.get(key)
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if failures is not None and not failures:
            del self._failures[key]
            return None
        return failures

    def wait(self, key: str) -> int:
        """Seconds until `key` may try again: 0 when it may now."""
        with self._lock:
            now = self.clock()
            failures = self._recent(key, now)
            if failures is None or len(failures) < self.limit:
                return 0
            return max(1, int(failures[-self.limit] + self.window - now + 0.999))

    def fail(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            self._recent(key, now)
            if key not in self._failures and len(self._failures) >= MAX_KEYS:
                # A flood of made-up usernames must not grow the process without end: the key
                # counted longest ago goes (dicts keep insertion order).
                del self._failures[next(iter(self._failures))]
            self._failures.setdefault(key, deque()).append(now)

    def forget(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


def client_address(request: Request) -> str:
    """The caller's address (behind a proxy, what uvicorn's --proxy-headers makes of it)."""
    return request.client.host if request.client is not None else "unknown"


class SignIn:
    """One per app (app.state.sign_in): its counts and its bound hold for this process."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        window = settings.login_window_seconds
        self.by_user = FailureWindow(settings.login_failures_per_user, window, clock)
        self.by_address = FailureWindow(settings.login_failures_per_address, window, clock)
        self._checks = threading.BoundedSemaphore(settings.password_hashing_concurrency)
        self._wait = settings.password_hashing_wait

    def __call__(self, db: Session, username: str, password: str, address: str, face: Face) -> User | None:
        """The user, or None for a wrong username or password; raises SignInRefused when the
        attempt is not even checked."""
        wait = max(self.by_user.wait(username), self.by_address.wait(address))
        if wait:
            log.warning("login_throttled", username=self._known(db, username), address=address, face=face)
            raise SignInRefused(429, wait)
        if not self._checks.acquire(timeout=self._wait):
            log.warning("login_busy", address=address, face=face)
            raise SignInRefused(503, 1 + int(self._wait))
        try:
            user = authenticate(db, username, password)
        finally:
            self._checks.release()
        if user is None:
            self.by_user.fail(username)
            self.by_address.fail(address)
            log.warning("login_failed", username=self._known(db, username), address=address, face=face)
            return None
        self.by_user.forget(username)
        log.info("login_succeeded", username=user.username, address=address, face=face)
        return user

    @staticmethod
    def _known(db: Session, username: str) -> str | None:
        """The username when it is a user's (a staff identity), else nothing of what was typed."""
        return username if get_user(db, username) is not None else None
