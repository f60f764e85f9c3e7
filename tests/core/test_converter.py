"""The converter binds once per context and gives the same binding again; a payload encoded
under one workflow's binding still decodes only under that workflow's."""

import pytest
from temporalio.converter import WorkflowSerializationContext

from core.codec import EncryptionCodec
from core.converter import BOUND_KEPT, BindingOnceDataConverter
from core.keyring import KeyRing

pytestmark = pytest.mark.asyncio


def converter() -> BindingOnceDataConverter:
    return BindingOnceDataConverter(payload_codec=EncryptionCodec(KeyRing.parse(None, None, b"k" * 32)))


def context(workflow_id: str) -> WorkflowSerializationContext:
    return WorkflowSerializationContext(namespace="default", workflow_id=workflow_id)


async def test_a_binding_is_made_once_per_context_and_means_the_same() -> None:
    dc = converter()
    first = dc.with_context(context("track-a"))
    assert dc.with_context(context("track-a")) is first
    other = dc.with_context(context("track-b"))
    assert other is not first
    (payload,) = await first.encode(["Anna"])
    assert await first.decode([payload]) == ["Anna"]
    assert other.payload_codec is not None
    (refused,) = await other.payload_codec.decode([payload])  # a payload of another workflow
    assert refused.metadata["encoding"] == b"binary/refused"


async def test_the_kept_bindings_stay_bounded() -> None:
    dc = converter()
    for i in range(BOUND_KEPT + 10):
        dc.with_context(context(f"track-{i}"))
    assert len(dc._bound) <= BOUND_KEPT
