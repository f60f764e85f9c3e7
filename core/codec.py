"""Payload encryption: the Temporal server and its database only ever see ciphertext, and a
worker acts only on payloads this service encrypted for that very workflow.

Each payload is AES-256-GCM under the case's own data key (workflows `journey-{case_id}`) or
the ring's current master key (every other workflow), with the workflow id and the key id as
associated data; the workflow id also travels in the metadata so that a reader without a
workflow context (the auditors' history, the codec server) knows which binding to check. The
SDK tells the codec which workflow a payload belongs to (`with_context`, temporalio ≥ 1.18):
there, a payload that is not ours (plain JSON from `temporal workflow update`), is bound to
another workflow (copied from another case) or bound to none (made by `/codec/encode`) does not
decode; it becomes a `binary/refused` payload that no converter reads, so an update carrying it
is rejected before anything is written, instead of failing the workflow task.
"""

import dataclasses
from collections.abc import Sequence
from typing import Protocol

import structlog
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec, SerializationContext, WithSerializationContext

from core.keyring import LEGACY_KEY_ID, KeyRing, seal, unseal

log = structlog.get_logger()

ENCODING = b"binary/encrypted"
REFUSED = b"binary/refused"
KEY_ID = "encryption-key-id"
WORKFLOW = "samverkan-workflow-id"
CASE_KEY = "case"  # the key id of a payload under its case's data key
CASE_WORKFLOW = "journey-"


class CaseKeySource(Protocol):
    """Each case's data key (store/case_keys.py): created on first use, gone once erased."""

    async def data_key(self, case_id: str) -> bytes: ...


class PayloadRefused(ValueError):
    """A payload this service did not encrypt for this workflow."""


def case_of(workflow_id: str) -> str | None:
    return workflow_id.removeprefix(CASE_WORKFLOW) if workflow_id.startswith(CASE_WORKFLOW) else None


def _bound_to(bound: str, workflow_id: str) -> bool:
    # A schedule binds its start arguments to the id it starts workflows under, and the server
    # appends the time to it; a case's workflow is never started by a schedule.
    if bound == workflow_id:
        return True
    return bool(bound) and case_of(bound) is None and workflow_id.startswith(bound + "-")


def _associated(workflow_id: str, key_id: str) -> bytes:
    return b"samverkan-payload\x00" + workflow_id.encode() + b"\x00" + key_id.encode()


@dataclasses.dataclass(frozen=True)
class EncryptionCodec(PayloadCodec, WithSerializationContext):
    ring: KeyRing
    case_keys: CaseKeySource | None = None
    # Payloads from before the key ring (no binding, key samverkan-1): running cases and the
    # recorded histories have them. Turn off once no workflow from before is left.
    accept_legacy: bool = True
    workflow_id: str | None = None  # set by the SDK through with_context

    def with_context(self, context: SerializationContext) -> "EncryptionCodec":
        workflow_id = getattr(context, "workflow_id", None)
        return dataclasses.replace(self, workflow_id=workflow_id) if workflow_id else self

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        bound = self.workflow_id or ""  # no context (/codec/encode): bound to no workflow at all
        key_id, key = await self._key_for(bound, None)
        associated = _associated(bound, key_id)
        return [
            Payload(
                metadata={"encoding": ENCODING, KEY_ID: key_id.encode(), WORKFLOW: bound.encode()},
                data=seal(key, p.SerializeToString(), associated),
            )
            for p in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out: list[Payload] = []
        for p in payloads:
            try:
                out.append(Payload.FromString(await self._open(p)))
            except Exception as err:
                if self.workflow_id is None:
                    raise  # a reader outside any workflow (the auditors' history) says why
                # Inside a workflow's task: refuse this payload, not the whole task. Said in the
                # log (ids only): a refused payload is either an attempt around the API or a bug.
                bound = p.metadata.get(WORKFLOW, b"").decode(errors="replace")
                log.warning("payload_refused", workflow_id=self.workflow_id, bound_to=bound, reason=type(err).__name__)
                out.append(Payload(metadata={"encoding": REFUSED}, data=type(err).__name__.encode()))
        return out

    async def _open(self, p: Payload) -> bytes:
        if p.metadata.get("encoding") != ENCODING:
            raise PayloadRefused("not encrypted by this service")
        key_id = p.metadata.get(KEY_ID, b"").decode()
        if WORKFLOW not in p.metadata:
            if not (self.accept_legacy and key_id == LEGACY_KEY_ID):
                raise PayloadRefused("bound to no workflow")
            return unseal(self.ring.key(LEGACY_KEY_ID), p.data, None)
        bound = p.metadata[WORKFLOW].decode()
        if self.workflow_id is not None and not _bound_to(bound, self.workflow_id):
            raise PayloadRefused("encrypted for another workflow")
        _, key = await self._key_for(bound, key_id)
        return unseal(key, p.data, _associated(bound, key_id))

    async def _key_for(self, workflow_id: str, key_id: str | None) -> tuple[str, bytes]:
        """The key to encode with (`key_id` None) or the one `key_id` names for this workflow."""
        case_id = case_of(workflow_id)
        if key_id == CASE_KEY or (key_id is None and case_id and self.case_keys is not None):
            if case_id is None or self.case_keys is None:
                raise PayloadRefused("a case key outside a case")
            return CASE_KEY, await self.case_keys.data_key(case_id)
        if key_id is None:
            return self.ring.current_id, self.ring.current
        return key_id, self.ring.key(key_id)
