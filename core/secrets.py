"""Secrets that must survive a restart: generated once into the data dir when not configured."""

import base64
import os
import secrets
from pathlib import Path

from core.settings import Settings


def file_secret(path: Path, size: int = 32) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        value = base64.urlsafe_b64encode(secrets.token_bytes(size)).decode()
        # O_EXCL: when two processes start at once, one writes and both read the same value.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(value)
    return path.read_text().strip()


# HS256 with a shorter key can be brute-forced offline from one token (RFC 7518, 3.2).
MIN_JWT_SECRET_BYTES = 32


def jwt_secret(settings: Settings) -> str:
    secret = settings.jwt_secret or file_secret(settings.data_dir / "jwt-secret")
    if len(secret.encode()) < MIN_JWT_SECRET_BYTES:
        raise ValueError(f"SAMVERKAN_JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes")
    return secret


def payload_key(settings: Settings) -> bytes:
    encoded = settings.payload_key or file_secret(settings.data_dir / "payload-key")
    key = base64.urlsafe_b64decode(encoded)
    if len(key) != 32:
        raise ValueError("SAMVERKAN_PAYLOAD_KEY must be 32 bytes, base64")
    return key


def person_key_secret(settings: Settings) -> bytes:
    """Key for the keyed hash that finds a person's open case without storing the number."""
    return base64.urlsafe_b64decode(file_secret(settings.data_dir / "person-key"))
