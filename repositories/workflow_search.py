"""Shipments found through Temporal visibility, for operators: every shipment's workflow, by the
search attributes it keeps up to date (models.domain.SearchAttributes) and its start and close.

The query is built here from typed filters, each a whitelisted attribute with a typed value; no
text from a client ever reaches it as query syntax.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from temporalio.client import Client, WorkflowExecution

from models.domain import SearchAttributes, ShipmentStatus
from models.workflow_ids import SHIPMENT_WORKFLOW_TYPE, shipment_id_of


@dataclass(frozen=True)
class ShipmentSearch:
    statuses: Sequence[ShipmentStatus] = ()  # any of them
    seller_id: uuid.UUID | None = None
    partner_id: uuid.UUID | None = None
    destination_zip: str | None = None
    needs_attention: bool | None = None  # flagged and not yet delivered or cancelled
    started_after: datetime | None = None  # inclusive, as the others' "after"
    started_before: datetime | None = None  # exclusive, as the others' "before"
    closed_after: datetime | None = None
    closed_before: datetime | None = None


def _literal(value: str) -> str:
    """A string in the query's syntax: quoted, its backslashes and quotes escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _moment(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("a moment of a visibility query needs a time zone")
    return _literal(value.isoformat())


def visibility_query(search: ShipmentSearch) -> str:
    """The list filter of the shipments' workflows matching every given filter."""
    clauses = [f"WorkflowType = {_literal(SHIPMENT_WORKFLOW_TYPE)}"]
    if search.statuses:
        listed = ", ".join(_literal(status.value) for status in dict.fromkeys(search.statuses))
        clauses.append(f"{SearchAttributes.SHIPMENT_STATUS.name} IN ({listed})")
    for key, value in (
        (SearchAttributes.SELLER_ID, search.seller_id),
        (SearchAttributes.PARTNER_ID, search.partner_id),
    ):
        if value is not None:
            clauses.append(f"{key.name} = {_literal(str(value))}")
    if search.destination_zip is not None:
        zip_code = _literal(search.destination_zip)
        clauses.append(f"{SearchAttributes.DESTINATION_ZIP.name} = {zip_code}")
    if search.needs_attention is not None:
        # As the sellers' lists mean it: flagged, and not yet delivered or cancelled (the flag
        # stays on a workflow once set).
        flag, status = SearchAttributes.NEEDS_ATTENTION.name, SearchAttributes.SHIPMENT_STATUS.name
        final = ", ".join(_literal(status.value) for status in ShipmentStatus if status.is_final)
        if search.needs_attention:
            clauses.append(f"{flag} = true AND {status} NOT IN ({final})")
        else:
            clauses.append(f"({flag} = false OR {status} IN ({final}))")
    for attribute, after, before in (
        ("StartTime", search.started_after, search.started_before),
        ("CloseTime", search.closed_after, search.closed_before),
    ):
        if after is not None:
            clauses.append(f"{attribute} >= {_moment(after)}")
        if before is not None:
            clauses.append(f"{attribute} < {_moment(before)}")
    return " AND ".join(clauses)


@dataclass(frozen=True)
class FoundShipment:
    shipment_id: uuid.UUID
    workflow_id: str
    workflow_status: str | None  # RUNNING, COMPLETED, …
    status: ShipmentStatus | None
    seller_id: uuid.UUID | None
    partner_id: uuid.UUID | None
    destination_zip: str | None
    needs_attention: bool
    started_at: datetime
    closed_at: datetime | None


def _optional_uuid(text: str | None) -> uuid.UUID | None:
    return uuid.UUID(text) if text else None


def _found(execution: WorkflowExecution) -> FoundShipment:
    attributes = execution.typed_search_attributes
    status = attributes.get(SearchAttributes.SHIPMENT_STATUS)
    return FoundShipment(
        shipment_id=shipment_id_of(execution.id),
        workflow_id=execution.id,
        workflow_status=execution.status.name if execution.status else None,
        status=ShipmentStatus(status) if status else None,
        seller_id=_optional_uuid(attributes.get(SearchAttributes.SELLER_ID)),
        partner_id=_optional_uuid(attributes.get(SearchAttributes.PARTNER_ID)),
        destination_zip=attributes.get(SearchAttributes.DESTINATION_ZIP),
        needs_attention=bool(attributes.get(SearchAttributes.NEEDS_ATTENTION)),
        started_at=execution.start_time,
        closed_at=execution.close_time,
    )


async def search_shipments(
    temporal: Client, query: str, limit: int, page_token: bytes | None
) -> tuple[list[FoundShipment], bytes | None]:
    """One page of the shipments the query (`visibility_query`) finds, in Temporal's order
    (newest start first), and the next page's token (None on the last)."""
    executions = temporal.list_workflows(query, page_size=limit, next_page_token=page_token)
    await executions.fetch_next_page()
    found = [_found(execution) for execution in executions.current_page or []]
    return found, executions.next_page_token
