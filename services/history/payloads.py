"""Decode every encrypted payload in a history: inputs, results, update arguments, failures,
timer summaries, wherever the event keeps them."""

from collections.abc import Iterator, Sequence

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import HistoryEvent
from temporalio.converter import PayloadCodec

from core.codec import ENCODING
from services.history.errors import Undecodable

PAYLOAD = Payload.DESCRIPTOR.full_name


def payloads_in(message: Message) -> Iterator[Payload]:
    """Every Payload inside `message`, at any depth (maps and lists included)."""
    if message.DESCRIPTOR.full_name == PAYLOAD:
        yield message  # type: ignore[misc]
        return
    for field, value in message.ListFields():
        kind = field.message_type
        if kind is None:
            continue  # a scalar
        if kind.GetOptions().map_entry:
            if kind.fields_by_name["value"].type == FieldDescriptor.TYPE_MESSAGE:
                for item in value.values():
                    yield from payloads_in(item)
        elif field.is_repeated:
            for item in value:
                yield from payloads_in(item)
        else:
            yield from payloads_in(value)


async def decoded(events: Sequence[HistoryEvent], codec: PayloadCodec) -> list[HistoryEvent]:
    """Copies of `events` with our encrypted payloads decoded; others (search attributes, patch
    markers) are left as they are."""
    copies = []
    for event in events:
        copy = HistoryEvent()
        copy.CopyFrom(event)
        copies.append(copy)
    encrypted = [p for e in copies for p in payloads_in(e) if p.metadata.get("encoding") == ENCODING]
    try:
        plain = await codec.decode(encrypted)
    except Exception as err:  # whatever the cipher says, the payloads do not decode
        raise Undecodable(type(err).__name__) from err
    for payload, clear in zip(encrypted, plain, strict=True):
        payload.CopyFrom(clear)
    return copies
