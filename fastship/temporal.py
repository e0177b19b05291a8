"""The Temporal client every process creates once at start-up: the local dev server, or a real
cluster over TLS with an API key (Temporal Cloud) or a client certificate (mTLS)."""

import dataclasses
from collections.abc import Mapping

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.service import TLSConfig

from fastship.payload_codec import EncryptionCodec
from fastship.settings import Settings
from fastship.telemetry.tracing import temporal_interceptors


def tls_config(settings: Settings) -> TLSConfig | bool:
    """The TLS the settings ask for; False for a plain local server."""
    if not settings.temporal_uses_tls:
        return False
    cert, key, ca = (
        settings.temporal_tls_client_cert_path,
        settings.temporal_tls_client_key_path,
        settings.temporal_tls_server_ca_cert_path,
    )
    return TLSConfig(
        client_cert=cert.read_bytes() if cert else None,
        client_private_key=key.read_bytes() if key else None,
        server_root_ca_cert=ca.read_bytes() if ca else None,
        domain=settings.temporal_tls_server_name,
    )


def data_converter(payload_keys: Mapping[str, bytes]) -> DataConverter:
    """Pydantic models as JSON, encrypted with the payload keys (Settings.payload_keys)."""
    codec = EncryptionCodec(payload_keys)
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec)


async def connect_temporal(settings: Settings, *, lazy: bool = False) -> Client:
    """On the default runtime (the worker's serves metrics); traced when tracing is on."""
    api_key = settings.temporal_api_key
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        api_key=api_key.get_secret_value() if api_key else None,
        tls=tls_config(settings),
        data_converter=data_converter(settings.payload_keys),
        lazy=lazy,
        interceptors=temporal_interceptors(),
    )
