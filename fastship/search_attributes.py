"""Registers the custom search attributes on a Temporal cluster (docker-compose, production).

The embedded dev server gets them from `--search-attribute` flags instead.
"""

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client

from models.domain import SearchAttributes


async def register_search_attributes(client: Client) -> list[str]:
    """Adds the attributes the cluster lacks; returns the names it added."""
    existing = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace)
    )
    missing: dict[str, IndexedValueType.ValueType] = {
        key.name: IndexedValueType.ValueType(key.indexed_value_type)
        for key in SearchAttributes.ALL
        if key.name not in existing.custom_attributes
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=missing)
        )
    return sorted(missing)
