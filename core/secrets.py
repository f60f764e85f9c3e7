"""Secrets that must survive a restart: from the environment (or a `_FILE` the settings name),
else generated once into the data dir, atomically and readable by the owner alone (0600)."""

import base64
import contextlib
import os
import secrets
from functools import cache
from pathlib import Path

from core.keyring import KeyRing, decode_key
from core.settings import Settings


class MissingSecret(RuntimeError):
    """A secret that data already depends on is gone: making a new one would orphan that data."""


def _write_new(path: Path, value: str) -> None:
    """Write `value` to `path` unless it exists, atomically: a reader never sees a half-written
    file, and of two processes starting at once one writes and both read the same value."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(value)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):  # the secret exists: the first one stays
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def file_secret(path: Path, size: int = 32, *, may_create: bool = True) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        if not may_create:
            raise MissingSecret(f"{path} is missing, and data encrypted or keyed with it exists")
        _write_new(path, base64.urlsafe_b64encode(secrets.token_bytes(size)).decode())
    return path.read_text().strip()


@cache
def _jwt_secret_file(path: Path) -> str:
    """Read once per process: every request checks its token with it (a new secret needs a
    restart anyway: it ends every login)."""
    return file_secret(path)


# HS256 with a shorter key can be brute-forced offline from one token (RFC 7518, 3.2).
MIN_JWT_SECRET_BYTES = 32


def jwt_secret(settings: Settings) -> str:
    secret = settings.jwt_secret or _jwt_secret_file(settings.data_dir / "jwt-secret")
    if len(secret.encode()) < MIN_JWT_SECRET_BYTES:
        raise ValueError(f"SAMVERKAN_JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes")
    return secret


def payload_key(settings: Settings, *, may_create: bool = True) -> bytes:
    encoded = settings.payload_key or file_secret(settings.data_dir / "payload-key", may_create=may_create)
    return decode_key(encoded, "SAMVERKAN_PAYLOAD_KEY")


def key_ring(settings: Settings, *, may_create: bool = True) -> KeyRing:
    """The master keys (core/keyring.py); the payload key is the ring's first, `samverkan-1`."""
    return KeyRing.parse(settings.master_keys, settings.master_key_id, payload_key(settings, may_create=may_create))


def person_key_secret(settings: Settings, *, may_create: bool = True) -> bytes:
    """Key for the keyed hash that finds a person's open case without storing the number.
    Made only while no case exists (`may_create`): a new key would let a person open a second
    case, so once cases exist a missing key is an error, never a regeneration."""
    encoded = settings.person_key or file_secret(settings.data_dir / "person-key", may_create=may_create)
    return base64.urlsafe_b64decode(encoded)
