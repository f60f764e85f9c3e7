"""The access log's write-ahead journal: a read's entries are appended to a file of the web
process's own before the answer leaves, and moved to the database in batches off the read's
path (every `access_log_flush_seconds`).

Why no entry is lost:
- An entry is appended (one `write` of a whole line, O_APPEND) before the read is answered;
  with `access_log_fsync` it is synced to disk too. A crash of the web process (even SIGKILL)
  cannot take back a finished `write`: the kernel holds it; the sync covers a power loss.
- A batch is moved by renaming the journal aside (new entries go to a fresh file), writing its
  entries and its id in one database transaction, and only then deleting it. A crash before
  the commit leaves the file, a crash after it leaves a batch id the database already has: the
  next move writes the first and skips the second (`store.access_log.write_batch`).
- Each live process holds an exclusive lock on its journal files; a process that starts (one of
  several web workers, or the next `make run`) moves every journal whose lock it can take —
  those of processes that died — and leaves the live ones alone.
"""

import asyncio
import fcntl
import json
import os
import secrets
import threading
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog

from store.access_log import Entry, write_batch
from store.db import session_scope

log = structlog.get_logger()
ACTIVE = ".journal"
ASIDE = ".batch"


class AccessJournal:
    def __init__(self, directory: Path, database_url: str, *, fsync: bool = True) -> None:
        self.directory = directory
        self.database_url = database_url
        self.fsync = fsync
        self.name = f"{os.getpid()}-{secrets.token_hex(4)}"
        self._lock = threading.Lock()  # appends come from the request threads
        self._turn = 0
        self._fd = -1
        self._pending = 0
        directory.mkdir(parents=True, exist_ok=True)
        self._open()

    def _path(self, suffix: str, turn: int) -> Path:
        return self.directory / f"{self.name}-{turn:08d}{suffix}"

    def _open(self) -> None:
        self._fd = os.open(self._path(ACTIVE, self._turn), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def append(self, entries: list[Entry]) -> None:
        """Write the entries ahead; returns once the journal holds them."""
        lines = "".join(json.dumps(_row(e), separators=(",", ":")) + "\n" for e in entries).encode()
        with self._lock:
            os.write(self._fd, lines)
            if self.fsync:
                os.fdatasync(self._fd)
            self._pending += len(entries)

    def _set_aside(self) -> tuple[Path, int] | None:
        """The current journal renamed aside, with its descriptor (so its lock is held until it
        is written), and a fresh journal for new entries."""
        with self._lock:
            if self._pending == 0:
                return None
            aside = self._path(ASIDE, self._turn)
            os.rename(self._path(ACTIVE, self._turn), aside)
            held = self._fd
            self._turn += 1
            self._pending = 0
            self._open()
        return aside, held

    def move(self) -> int:
        """Move this process's entries to the database (blocking); the count moved."""
        aside = self._set_aside()
        if aside is None:
            return 0
        path, held = aside
        try:
            return _write(path, self.database_url)
        finally:
            os.close(held)

    def recover(self) -> int:
        """Move the journals of processes that died, and batches a failed move of this process
        left aside; the count moved. A journal whose lock is held belongs to a live process (or
        is being moved by another) and is left alone."""
        moved = 0
        for path in sorted(self.directory.iterdir()):
            if path.suffix not in (ACTIVE, ASIDE) or path.name == self._path(ACTIVE, self._turn).name:
                continue
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue  # moved meanwhile
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if path.exists():  # not moved and deleted between our open and our lock
                    moved += _write(path, self.database_url)
            except BlockingIOError:
                continue
            finally:
                os.close(fd)
        return moved

    def close(self) -> None:
        self.move()
        with self._lock:
            os.close(self._fd)
            self._path(ACTIVE, self._turn).unlink(missing_ok=True)

    async def run(self, every: float) -> None:
        """Move entries every `every` seconds until cancelled; a failed move is retried (the
        entries stay in their file)."""
        while True:
            await asyncio.sleep(every)
            try:
                await asyncio.to_thread(self.move)
                await asyncio.to_thread(self.recover)
            except Exception:  # noqa: BLE001 - the database is away: the files wait for the next turn
                log.warning("access_log_move_failed")


def _write(path: Path, database_url: str) -> int:
    """One journal file into the database, once (its name is the batch's id), then deleted."""
    entries = [_parsed(json.loads(line)) for line in path.read_text().splitlines() if line.strip()]
    with session_scope(database_url) as session:
        write_batch(session, path.stem, entries)
    path.unlink()
    return len(entries)


def _row(entry: Entry) -> dict[str, Any]:
    row = entry.columns()
    row["at"] = entry.at.isoformat()
    return row


def _parsed(row: dict[str, Any]) -> dict[str, Any]:
    return row | {"at": datetime.fromisoformat(row["at"])}


# The journal of the app serving this request (set by the app; None: entries go straight to the
# database, as in-process test clients and the worker's own reads do).
current_journal: ContextVar[AccessJournal | None] = ContextVar("current_journal", default=None)
