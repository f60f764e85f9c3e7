"""The Temporal connection: one client factory, the encrypted data converter, and the
search attributes the service needs on whatever server it meets."""

import structlog
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client, TLSConfig
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)

from core.codec import EncryptionCodec
from core.converter import BindingOnceDataConverter
from core.metrics import sdk_runtime
from core.secrets import key_ring
from core.settings import Settings
from store.case_keys import CaseKeys, case_keys_for, checked_ring
from workflows.effects import SEARCH_ATTRIBUTES

log = structlog.get_logger()


# The SDK makes a new payload converter for every workflow run it starts or replays, and
# pydantic's converter keeps its type adapters per instance: each run rebuilt the schema of a
# case's whole state, a fifth of a worker's CPU. One JSON converter per process keeps them.
_JSON = PydanticJSONPlainPayloadConverter()


class PydanticPayloadConverter(CompositePayloadConverter):
    """temporalio.contrib.pydantic's payload converter, with the type adapters of the process."""

    def __init__(self) -> None:
        super().__init__(
            *(
                _JSON if isinstance(c, JSONPlainPayloadConverter) else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )


def case_keys(settings: Settings) -> CaseKeys:
    return case_keys_for(settings.resolved_database_url, checked_ring(settings))


def data_converter(settings: Settings, *, per_case_keys: bool = True) -> DataConverter:
    """`per_case_keys` False: no database (a replay of recorded histories), so a case's payloads
    are encoded under the master key; decoding one under its case key then fails."""
    keys = case_keys(settings) if per_case_keys else None
    codec = EncryptionCodec(keys.ring if keys else key_ring(settings), keys, accept_legacy=settings.legacy_payloads)
    return BindingOnceDataConverter(
        payload_converter_class=PydanticPayloadConverter,
        payload_codec=codec,
        # Failure messages can quote a case's data: encode them too.
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


def tls_config(settings: Settings) -> TLSConfig | bool:
    """TLS to the frontend when any TLS setting or an API key is given; mTLS with a client
    certificate and key; a private CA and the certificate's server name for one's own cluster."""
    cert, key = settings.temporal_tls_cert, settings.temporal_tls_key
    if (cert is None) != (key is None):
        raise ValueError("SAMVERKAN_TEMPORAL_TLS_CERT and SAMVERKAN_TEMPORAL_TLS_KEY go together (mTLS)")
    wanted = settings.temporal_tls or settings.temporal_api_key or cert or settings.temporal_tls_ca
    if not wanted:
        return False
    if not (cert or settings.temporal_tls_ca or settings.temporal_tls_server_name):
        return True  # the system's CAs, the address's host name
    return TLSConfig(
        server_root_ca_cert=settings.temporal_tls_ca.read_bytes() if settings.temporal_tls_ca else None,
        domain=settings.temporal_tls_server_name,
        client_cert=cert.read_bytes() if cert else None,
        client_private_key=key.read_bytes() if key else None,
    )


def keys_of(client: Client) -> CaseKeys:
    """The case keys of the client's codec: the process's one CaseKeys for its database."""
    codec = client.data_converter.payload_codec
    if not isinstance(codec, EncryptionCodec) or not isinstance(codec.case_keys, CaseKeys):
        raise RuntimeError("the Temporal client has no per-case keys")
    return codec.case_keys


async def connect(settings: Settings, address: str | None = None) -> Client:
    target = address or settings.temporal_address or f"127.0.0.1:{settings.temporal_port}"
    return await Client.connect(
        target,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        tls=tls_config(settings),
        api_key=settings.temporal_api_key,
        runtime=sdk_runtime(settings.sdk_metrics_address) if settings.metrics else None,
    )


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
