"""`/seller/webhooks`: a seller's endpoints, their signing secret (once) and their delivery logs."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from api.dependencies import CurrentSeller, SessionDep, SettingsDep
from api.errors import (
    AUTH_RESPONSES,
    BODY_RESPONSES,
    NOT_FOUND_RESPONSES,
    NotFound,
    Unprocessable,
    documented_problem,
)
from api.pagination import read_page
from api.webhooks.schemas import (
    WebhookDeliveryPage,
    WebhookDeliveryRead,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointRead,
)
from fastship.webhook_destinations import RefusedDestination, resolve_destination
from fastship.webhook_sender import new_secret, verify_endpoint
from models.webhooks import MAX_ENDPOINTS_PER_SELLER, WebhookEndpoint
from repositories import webhooks
from repositories.webhooks import TooManyEndpoints

router = APIRouter(prefix="/seller/webhooks", tags=["webhooks"], responses=AUTH_RESPONSES)

Limit = Annotated[int, Query(ge=1, le=100, description="Page size")]
Cursor = Annotated[str | None, Query(max_length=200, description="From `next_cursor`")]


async def _live(
    session: AsyncSession, webhook_id: uuid.UUID, seller_id: uuid.UUID
) -> WebhookEndpoint:
    endpoint = await webhooks.live_endpoint(session, webhook_id, seller_id)
    if endpoint is None:
        raise NotFound("No such webhook endpoint of yours")
    return endpoint


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Register an endpoint; the answer says whether it passed the handshake",
    responses=BODY_RESPONSES
    | {
        422: documented_problem(
            "Invalid body, a refused address (not https, or not public), or already "
            f"{MAX_ENDPOINTS_PER_SELLER} endpoints"
        )
    },
)
async def register_webhook(
    body: WebhookEndpointCreate,
    request: Request,
    response: Response,
    seller: CurrentSeller,
    session: SessionDep,
    settings: SettingsDep,
) -> WebhookEndpointCreated:
    """Every shipment status change of a subscribed type is POSTed to the endpoint as
    `{"type", "timestamp", "data"}`, signed per Standard Webhooks (`webhook-id`,
    `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>` with the `whsec_` secret
    returned here, once). Anything but a 2xx is retried with backoff for 24 hours, with the same
    `webhook-id` and body.

    First the endpoint must pass a handshake: it receives a signed
    `{"type": "webhook.verification", "challenge": "..."}` and answers 2xx with
    `{"challenge": "<the same>"}`. It is tried now, and again before the first delivery if it
    failed.
    """
    try:
        destination = await resolve_destination(body.url, settings)
    except RefusedDestination as exc:
        raise Unprocessable(f"body.url: {exc}") from None
    secret = new_secret()
    try:
        endpoint = await webhooks.add_endpoint(
            session, seller.id, body.url, body.event_types, secret, MAX_ENDPOINTS_PER_SELLER
        )
    except TooManyEndpoints:
        raise Unprocessable(
            f"A seller has at most {MAX_ENDPOINTS_PER_SELLER} webhook endpoints; delete one first"
        ) from None
    await session.commit()
    # Stored before the handshake, so no transaction waits on the endpoint's answer.
    handshake = await verify_endpoint(destination, secret, settings)
    if handshake.accepted:
        await webhooks.mark_verified(session, endpoint.id)
        await session.commit()
        await session.refresh(endpoint)
    response.headers["Location"] = request.app.url_path_for(
        "get_webhook", webhook_id=str(endpoint.id)
    )
    return WebhookEndpointCreated.of(endpoint, secret=secret, verification_error=handshake.error)


@router.get("", summary="The seller's endpoints, oldest first (without their secrets)")
async def list_webhooks(seller: CurrentSeller, session: SessionDep) -> list[WebhookEndpointRead]:
    endpoints = await webhooks.live_endpoints(session, seller.id)
    return [WebhookEndpointRead.of(endpoint) for endpoint in endpoints]


@router.get(
    "/{webhook_id}", summary="One endpoint (without its secret)", responses=NOT_FOUND_RESPONSES
)
async def get_webhook(
    webhook_id: uuid.UUID, seller: CurrentSeller, session: SessionDep
) -> WebhookEndpointRead:
    return WebhookEndpointRead.of(await _live(session, webhook_id, seller.id))


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an endpoint: it gets no more deliveries (pending ones end cancelled)",
    responses=NOT_FOUND_RESPONSES,
)
async def delete_webhook(webhook_id: uuid.UUID, seller: CurrentSeller, session: SessionDep) -> None:
    if not await webhooks.delete_endpoint(session, webhook_id, seller.id):
        raise NotFound("No such webhook endpoint of yours")
    await session.commit()


@router.get(
    "/{webhook_id}/deliveries",
    summary="An endpoint's delivery log, newest first",
    responses=NOT_FOUND_RESPONSES,
)
async def list_webhook_deliveries(
    webhook_id: uuid.UUID,
    request: Request,
    seller: CurrentSeller,
    session: SessionDep,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> WebhookDeliveryPage:
    endpoint = await _live(session, webhook_id, seller.id)
    deliveries, next_cursor, next_url = await read_page(
        request, limit, webhooks.deliveries_page(session, endpoint.id, limit, cursor)
    )
    return WebhookDeliveryPage(
        items=[WebhookDeliveryRead.model_validate(delivery) for delivery in deliveries],
        next_cursor=next_cursor,
        next=next_url,
    )
