"""`/seller/shipments` and `/partner/shipments`: filtered, searched, cursor-paginated, newest or
last changed first; and their counts by status, for the dashboards' cards."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from api.dependencies import CurrentPartner, CurrentSeller, ReadSessionDep
from api.errors import AUTH_RESPONSES, Unprocessable
from api.pagination import read_page
from api.shipments.schemas import ShipmentCounts, ShipmentPage, ShipmentSummary, ZipCode
from api.text import NoControlCharacters
from models.domain import ShipmentStatus, ShipmentTag
from models.shipments import Shipment
from repositories import shipments
from repositories.cursors import ListOrder
from repositories.shipments import ShipmentFilters

router = APIRouter(responses=AUTH_RESPONSES)

SearchText = Annotated[str, NoControlCharacters]


def moment_query(description: str) -> Any:
    return Query(
        max_length=40,
        description=f"{description}; ISO 8601 with a time zone, e.g. 2026-11-26T00:00:00Z",
        json_schema_extra={"format": "date-time"},
    )


def filters(
    status: ShipmentStatus | None = None,
    tag: ShipmentTag | None = None,
    destination_zip: Annotated[ZipCode | None, Query()] = None,
    q: Annotated[
        SearchText | None,
        Query(
            min_length=1,
            max_length=100,
            description='Words of the content or tags, in web search syntax ("a phrase", '
            "-without, either or other), or any part of the content",
        ),
    ] = None,
    created_after: Annotated[str | None, moment_query("Inclusive")] = None,
    created_before: Annotated[str | None, moment_query("Exclusive")] = None,
    needs_attention: Annotated[
        bool | None,
        Query(description="Flagged for operators and not yet delivered or cancelled (or not)"),
    ] = None,
) -> ShipmentFilters:
    after = strict_moment("created_after", created_after)
    before = strict_moment("created_before", created_before)
    return ShipmentFilters(status, tag, destination_zip, q, after, before, needs_attention)


def strict_moment(name: str, value: str | None) -> datetime | None:
    """Strict ISO 8601 (pydantic would also take a bare number as a Unix time)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Unprocessable(f"query.{name}: not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise Unprocessable(f"query.{name}: needs a time zone, e.g. 2026-11-26T00:00:00Z")
    return moment


Filters = Annotated[ShipmentFilters, Depends(filters)]
Limit = Annotated[int, Query(ge=1, le=100, description="Page size")]
Cursor = Annotated[str | None, Query(max_length=200, description="From `next_cursor`")]
Order = Annotated[
    ListOrder,
    Query(description="`created`: newest first; `updated`: last changed first"),
]


async def _page(
    request: Request,
    session: ReadSessionDep,
    owner: ColumnElement[bool],
    page_filters: ShipmentFilters,
    limit: int,
    cursor: str | None,
    order: ListOrder,
) -> ShipmentPage:
    items, next_cursor, next_url = await read_page(
        request, limit, shipments.list_page(session, owner, page_filters, limit, cursor, order)
    )
    return ShipmentPage(
        items=[ShipmentSummary.model_validate(item) for item in items],
        next_cursor=next_cursor,
        next=next_url,
    )


@router.get("/seller/shipments", tags=["sellers"], summary="The seller's shipments")
async def list_seller_shipments(
    request: Request,
    seller: CurrentSeller,
    session: ReadSessionDep,
    page_filters: Filters,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Order = ListOrder.CREATED,
) -> ShipmentPage:
    owner = Shipment.seller_id == seller.id
    return await _page(request, session, owner, page_filters, limit, cursor, sort)


@router.get("/partner/shipments", tags=["partners"], summary="Shipments assigned to the partner")
async def list_partner_shipments(
    request: Request,
    partner: CurrentPartner,
    session: ReadSessionDep,
    page_filters: Filters,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Order = ListOrder.CREATED,
) -> ShipmentPage:
    owner = Shipment.partner_id == partner.id
    return await _page(request, session, owner, page_filters, limit, cursor, sort)


async def _counts(session: AsyncSession, owner: ColumnElement[bool]) -> ShipmentCounts:
    found = await shipments.counts(await session.connection(), owner)
    return ShipmentCounts(
        by_status={status: found.by_status.get(status, 0) for status in ShipmentStatus},
        needs_attention=found.needing_attention,
        total=sum(found.by_status.values()),
    )


@router.get(
    "/seller/shipments/counts", tags=["sellers"], summary="The seller's shipments by status"
)
async def count_seller_shipments(seller: CurrentSeller, session: ReadSessionDep) -> ShipmentCounts:
    return await _counts(session, Shipment.seller_id == seller.id)


@router.get(
    "/partner/shipments/counts", tags=["partners"], summary="The partner's shipments by status"
)
async def count_partner_shipments(
    partner: CurrentPartner, session: ReadSessionDep
) -> ShipmentCounts:
    return await _counts(session, Shipment.partner_id == partner.id)
