"""`/operator`: log in, log out, and every shipment through Temporal visibility (read-only).

Operators are made by `fastship create-operator`, never by a signup.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from api.accounts.logout import add_logout
from api.accounts.router import add_login
from api.dependencies import CurrentOperator, SettingsDep, TemporalDep
from api.errors import AUTH_RESPONSES, UNAVAILABLE_RESPONSES
from api.operators import service
from api.operators.schemas import OperatorShipment, OperatorShipmentPage
from api.pagination import read_page
from api.shipments.lists import Limit, moment_query, strict_moment
from api.shipments.schemas import ZipCode
from models.accounts import Operator
from models.domain import Role, ShipmentStatus
from repositories.workflow_search import ShipmentSearch

router = APIRouter(prefix="/operator", tags=["operators"])
add_login(router, Operator)
add_logout(router, Role.OPERATOR)


def search_filters(
    status: Annotated[
        list[ShipmentStatus] | None, Query(max_length=5, description="Any of these statuses")
    ] = None,
    seller_id: uuid.UUID | None = None,
    partner_id: uuid.UUID | None = None,
    destination_zip: Annotated[ZipCode | None, Query()] = None,
    needs_attention: Annotated[
        bool | None,
        Query(description="Flagged for an operator and not yet delivered or cancelled (or not)"),
    ] = None,
    started_after: Annotated[str | None, moment_query("Created at or after")] = None,
    started_before: Annotated[str | None, moment_query("Created before")] = None,
    closed_after: Annotated[str | None, moment_query("Workflow closed at or after")] = None,
    closed_before: Annotated[str | None, moment_query("Workflow closed before")] = None,
) -> ShipmentSearch:
    return ShipmentSearch(
        statuses=status or (),
        seller_id=seller_id,
        partner_id=partner_id,
        destination_zip=destination_zip,
        needs_attention=needs_attention,
        started_after=strict_moment("started_after", started_after),
        started_before=strict_moment("started_before", started_before),
        closed_after=strict_moment("closed_after", closed_after),
        closed_before=strict_moment("closed_before", closed_before),
    )


@router.get(
    "/shipments",
    summary="Every shipment, newest first, found through Temporal visibility",
    description="Filters combine (AND); each is a search attribute of the shipment's workflow, "
    "so a change shows here once Temporal has indexed it (within about a second).",
    responses=AUTH_RESPONSES | UNAVAILABLE_RESPONSES,
)
async def search_shipments(
    request: Request,
    operator: CurrentOperator,
    temporal: TemporalDep,
    settings: SettingsDep,
    search: Annotated[ShipmentSearch, Depends(search_filters)],
    limit: Limit = 20,
    cursor: Annotated[str | None, Query(max_length=2000, description="From `next_cursor`")] = None,
) -> OperatorShipmentPage:
    page = service.search_shipments(temporal, settings, operator.id, search, limit, cursor)
    items, next_cursor, next_url = await read_page(request, limit, page)
    return OperatorShipmentPage(
        items=[OperatorShipment.model_validate(item) for item in items],
        next_cursor=next_cursor,
        next=next_url,
    )
