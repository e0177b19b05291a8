"""One shipment: create, read, report progress, cancel, tag."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from api.conditional import NOT_MODIFIED_RESPONSES, PRIVATE, IfNoneMatch, conditional_json
from api.dependencies import (
    CurrentAccount,
    CurrentPartner,
    CurrentSeller,
    LimiterDep,
    ReadSessionDep,
    SessionDep,
    SettingsDep,
    TemporalDep,
)
from api.errors import (
    AUTH_RESPONSES,
    BODY_RESPONSES,
    NOT_FOUND_RESPONSES,
    RATE_LIMITED_RESPONSES,
    UNAVAILABLE_RESPONSES,
    ServiceUnavailable,
    documented_problem,
)
from api.ratelimit import limit_delivery_code
from api.shipments import changes, service
from api.shipments.errors import (
    IdempotencyKeyReused,
    ShipmentNotFound,
    ZipNotServed,
)
from api.shipments.schemas import (
    ShipmentCancel,
    ShipmentCreate,
    ShipmentEventCreate,
    ShipmentRead,
    TagAdd,
    TimelineEventRead,
)
from models.accounts import Partner, Seller
from models.domain import Role, ShipmentTag
from repositories import shipments

router = APIRouter(
    prefix="/shipment", tags=["shipments"], responses=AUTH_RESPONSES | NOT_FOUND_RESPONSES
)


def _idempotency_key(description: str) -> object:
    return Header(alias="Idempotency-Key", pattern=r"^[\x21-\x7e]{1,255}$", description=description)


IdempotencyKey = Annotated[
    str | None,
    _idempotency_key(
        "1-255 visible ASCII characters. Retrying with the same key and body returns the first "
        "shipment; the same key with another body is refused (422). Kept for good."
    ),
]
ChangeKey = Annotated[
    str | None,
    _idempotency_key(
        "1-255 visible ASCII characters. Retrying with the same key and body (after a "
        "503, say) makes the change at most once and answers the shipment; the same key with "
        "another body is refused (422).",
    ),
]
COMMAND_RESPONSES = BODY_RESPONSES | UNAVAILABLE_RESPONSES


def _reader(account: Seller | Partner) -> shipments.Reader:
    role = Role.SELLER if isinstance(account, Seller) else Role.PARTNER
    return shipments.Reader(role, account.id)


async def _read(
    session: AsyncSession, reader: shipments.Reader, shipment_id: uuid.UUID
) -> ShipmentRead:
    document = await shipments.document_for(session, reader, shipment_id)
    if document is None:
        raise ShipmentNotFound("No such shipment of yours")
    return ShipmentRead.model_validate(document)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a shipment; answers once its workflow stored it and tried to assign a partner",
    responses=BODY_RESPONSES
    | {
        422: documented_problem(
            "Invalid body, no partner serves the zip, or the Idempotency-Key was used with "
            "another body"
        ),
        503: documented_problem("Temporal did not confirm in time; retry with the same key"),
    },
)
async def create_shipment(
    body: ShipmentCreate,
    request: Request,
    response: Response,
    seller: CurrentSeller,
    reads: ReadSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> ShipmentRead:
    placed = await service.place_shipment(temporal, settings, seller, body, idempotency_key)
    shipment_id = placed.shipment_id
    # Whatever Temporal answered, what is stored is the answer.
    stored = await shipments.document_for(reads, _reader(seller), shipment_id)
    if stored is None and not placed.confirmed:
        raise ServiceUnavailable(
            "The workflow service did not confirm the shipment in time; retry with the same "
            "Idempotency-Key to get its outcome",
            shipment_id=str(shipment_id),
        )
    if stored is None:  # its workflow ended without storing it
        raise ZipNotServed("The shipment was refused; check the destination zip and retry")
    if stored["request_fingerprint"] != placed.fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used with a different request body"
        )
    response.headers["Location"] = request.app.url_path_for(
        "get_shipment", shipment_id=str(shipment_id)
    )
    return ShipmentRead.model_validate(stored)


@router.get(
    "/{shipment_id}",
    summary="A shipment with its timeline (owner or assigned partner)",
    response_model=ShipmentRead,
    responses=NOT_MODIFIED_RESPONSES,
)
async def get_shipment(
    shipment_id: uuid.UUID,
    account: CurrentAccount,
    reads: ReadSessionDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    shipment = await _read(reads, _reader(account), shipment_id)
    return conditional_json(shipment.model_dump_json(), if_none_match, PRIVATE)


@router.get(
    "/{shipment_id}/timeline", summary="A shipment's timeline, newest first (owner or partner)"
)
async def get_timeline(
    shipment_id: uuid.UUID, account: CurrentAccount, reads: ReadSessionDep
) -> list[TimelineEventRead]:
    return (await _read(reads, _reader(account), shipment_id)).timeline


@router.post(
    "/{shipment_id}/events",
    summary="Report a status change or a location scan (assigned partner)",
    responses=RATE_LIMITED_RESPONSES
    | COMMAND_RESPONSES
    | {409: documented_problem("The transition is not allowed from the current status")},
)
async def report_event(
    shipment_id: uuid.UUID,
    body: ShipmentEventCreate,
    request: Request,
    partner: CurrentPartner,
    session: SessionDep,
    reads: ReadSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    idempotency_key: ChangeKey = None,
) -> ShipmentRead:
    await changes.report(
        reads,
        session,
        temporal,
        settings,
        partner,
        shipment_id,
        body,
        idempotency_key,
        lambda: limit_delivery_code(limiter, request, shipment_id),
    )
    return await _read(reads, _reader(partner), shipment_id)


@router.post(
    "/{shipment_id}/cancel",
    summary="Cancel a shipment that is placed or in transit (owner)",
    responses=COMMAND_RESPONSES | {409: documented_problem("Already cancelled, or too late")},
)
async def cancel_shipment(
    shipment_id: uuid.UUID,
    seller: CurrentSeller,
    reads: ReadSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    body: ShipmentCancel | None = None,
    idempotency_key: ChangeKey = None,
) -> ShipmentRead:
    reason = body.reason if body else None
    await changes.cancel(reads, temporal, settings, seller, shipment_id, reason, idempotency_key)
    return await _read(reads, _reader(seller), shipment_id)


@router.post(
    "/{shipment_id}/tags",
    summary="Add a tag (owner)",
    responses=BODY_RESPONSES,
)
async def add_tag(
    shipment_id: uuid.UUID,
    body: TagAdd,
    seller: CurrentSeller,
    session: SessionDep,
    reads: ReadSessionDep,
) -> ShipmentRead:
    await changes.add_tag(session, seller, shipment_id, body.tag)
    return await _read(reads, _reader(seller), shipment_id)


@router.delete("/{shipment_id}/tags/{tag}", summary="Remove a tag (owner)")
async def remove_tag(
    shipment_id: uuid.UUID,
    tag: ShipmentTag,
    seller: CurrentSeller,
    session: SessionDep,
    reads: ReadSessionDep,
) -> ShipmentRead:
    await changes.remove_tag(session, seller, shipment_id, tag)
    return await _read(reads, _reader(seller), shipment_id)
