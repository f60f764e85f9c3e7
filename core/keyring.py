"""The master key ring: key ids to AES-256 keys, one of them current.

Master keys encrypt the payloads of workflows that belong to no case (tracks, digests, reports)
and wrap each case's own data key (store/case_keys.py). Rotation: add a new id to
`SAMVERKAN_MASTER_KEYS` and make it `SAMVERKAN_MASTER_KEY_ID`; new data keys and payloads use it,
and every id still in the ring keeps unwrapping and decoding what it wrapped and encoded before.
"""

import base64
import json
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# The id of the single payload key this service had before the ring: payloads and recordings
# written then carry it (and no workflow binding).
LEGACY_KEY_ID = "samverkan-1"
NONCE = 12


class UnknownKey(ValueError):
    """A key id this ring does not hold."""


def decode_key(encoded: str, name: str) -> bytes:
    key = base64.urlsafe_b64decode(encoded)
    if len(key) != 32:
        raise ValueError(f"{name} must be 32 bytes, base64")
    return key


def seal(key: bytes, data: bytes, associated: bytes) -> bytes:
    """AES-256-GCM with a random nonce in front: `associated` must match to open it."""
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, data, associated)


def unseal(key: bytes, data: bytes, associated: bytes | None) -> bytes:
    return AESGCM(key).decrypt(data[:NONCE], data[NONCE:], associated)


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    current_id: str

    def __post_init__(self) -> None:
        if self.current_id not in self.keys:
            raise ValueError(f"SAMVERKAN_MASTER_KEY_ID {self.current_id!r} is not in the ring")

    @classmethod
    def parse(cls, ring_json: str | None, current_id: str | None, legacy_key: bytes) -> "KeyRing":
        """The ring from its settings; the legacy payload key is always in it as `samverkan-1`."""
        keys = {LEGACY_KEY_ID: legacy_key}
        if ring_json:
            raw = json.loads(ring_json)
            if not isinstance(raw, dict):
                raise ValueError("SAMVERKAN_MASTER_KEYS must be a JSON object of key id to base64 key")
            keys |= {str(k): decode_key(str(v), f"SAMVERKAN_MASTER_KEYS[{k}]") for k, v in raw.items()}
        return cls(keys, current_id or LEGACY_KEY_ID)

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise UnknownKey(key_id) from None

    def fingerprint(self) -> str:
        return ",".join(sorted(self.keys)) + "/" + self.current_id

    def wrap(self, data_key: bytes, owner: str) -> tuple[str, bytes]:
        """A data key under the current master key, bound to its owner (a case id)."""
        return self.current_id, seal(self.current, data_key, b"data-key\x00" + owner.encode())

    def unwrap(self, key_id: str, wrapped: bytes, owner: str) -> bytes:
        return unseal(self.key(key_id), wrapped, b"data-key\x00" + owner.encode())
