"""The Temporal client every process creates once at start-up."""

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from fastship.settings import Settings


async def connect_temporal(settings: Settings, *, lazy: bool = False) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
        lazy=lazy,
    )
