"""The Temporal connection: one client factory, the encrypted data converter, and the
search attributes the service needs on whatever server it meets."""

import dataclasses

import structlog
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes

from core.codec import EncryptionCodec
from core.secrets import key_ring
from core.settings import Settings
from store.case_keys import CaseKeys, case_keys_for, checked_ring
from workflows.effects import SEARCH_ATTRIBUTES

log = structlog.get_logger()


def case_keys(settings: Settings) -> CaseKeys:
    return case_keys_for(settings.resolved_database_url, checked_ring(settings))


def data_converter(settings: Settings, *, per_case_keys: bool = True) -> DataConverter:
    """`per_case_keys` False: no database (a replay of recorded histories), so a case's payloads
    are encoded under the master key; decoding one under its case key then fails."""
    keys = case_keys(settings) if per_case_keys else None
    codec = EncryptionCodec(keys.ring if keys else key_ring(settings), keys, accept_legacy=settings.legacy_payloads)
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=codec,
        # Failure messages can quote a case's data: encode them too.
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


def keys_of(client: Client) -> CaseKeys:
    """The case keys of the client's codec: the process's one CaseKeys for its database."""
    codec = client.data_converter.payload_codec
    if not isinstance(codec, EncryptionCodec) or not isinstance(codec.case_keys, CaseKeys):
        raise RuntimeError("the Temporal client has no per-case keys")
    return codec.case_keys


async def connect(settings: Settings, address: str | None = None) -> Client:
    target = address or settings.temporal_address or f"127.0.0.1:{settings.temporal_port}"
    return await Client.connect(target, namespace=settings.temporal_namespace, data_converter=data_converter(settings))


async def ensure_search_attributes(client: Client) -> None:
    """Register the contract's search attributes when the server does not have them yet."""
    existing = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace)
    )
    known = set(existing.custom_attributes) | set(existing.system_attributes)
    missing = {
        key.name: IndexedValueType.ValueType(key.indexed_value_type)
        for key in SEARCH_ATTRIBUTES
        if key.name not in known
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=missing)
        )
        log.info("search_attributes_registered", names=sorted(missing))
