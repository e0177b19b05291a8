"""Public routes for recipients: tracking by code, and the review link."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from api.conditional import NOT_MODIFIED_RESPONSES, PUBLIC, IfNoneMatch, conditional_json
from api.dependencies import ResourcesDep, SessionDep, SettingsDep, TemporalDep
from api.errors import (
    BODY_RESPONSES,
    INVALID_RESPONSES,
    NOT_FOUND_RESPONSES,
    UNAVAILABLE_RESPONSES,
    NotFound,
    documented_problem,
)
from api.shipments import service
from api.shipments.errors import AlreadyReviewed, ShipmentNotFound
from api.shipments.schemas import (
    ReviewCreate,
    ReviewForm,
    ReviewRead,
    TrackingRead,
)
from fastship.secrets import read_review_token
from fastship.settings import Settings
from models.domain import ShipmentStatus
from models.workflow_io import ReviewSubmission
from repositories import reviews, shipments, tracking_cache
from workflows.shipment import ShipmentWorkflow

router = APIRouter(tags=["public"], responses=NOT_FOUND_RESPONSES | INVALID_RESPONSES)


@router.get(
    "/track/{tracking_code}",
    summary="Track a parcel (no personal data)",
    response_model=TrackingRead,
    responses=NOT_MODIFIED_RESPONSES,
)
async def track_shipment(
    tracking_code: Annotated[str, Path(max_length=64)],
    resources: ResourcesDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    if resources.hub.available:  # else Redis may come back on an older snapshot: not yet
        cached = await tracking_cache.read(resources.redis, tracking_code)
        if cached is not None:  # as the newest change's activity stored it, before it was told
            return conditional_json(cached, if_none_match, PUBLIC)
    # Built by PostgreSQL as JSON and passed through: the busiest public read skips the ORM, and
    # opens its connection here rather than through a yield dependency (a tenth of its CPU).
    async with resources.autocommit.connect() as connection:
        document = await shipments.tracking_document(connection, tracking_code)
    if document is None:
        raise ShipmentNotFound("No shipment has this tracking code")
    return conditional_json(document, if_none_match, PUBLIC)


def _reviewed_shipment(settings: Settings, token: str) -> uuid.UUID:
    shipment_id = read_review_token(settings, token)
    if shipment_id is None:
        raise NotFound("This review link is invalid or has expired")
    return shipment_id


@router.get("/review/{token}", summary="What the review link shows")
async def get_review_form(token: str, session: SessionDep, settings: SettingsDep) -> ReviewForm:
    shipment_id = _reviewed_shipment(settings, token)
    shipment = await shipments.get_with_partner(session, shipment_id)
    if shipment is None:
        raise NotFound("This review link is invalid or has expired")
    review = await reviews.get(session, shipment_id)
    return ReviewForm(
        content=shipment.content,
        partner_name=shipment.partner.name if shipment.partner else None,
        delivered=shipment.status is ShipmentStatus.DELIVERED,
        review=ReviewRead.model_validate(review) if review else None,
    )


@router.post(
    "/review/{token}",
    status_code=status.HTTP_201_CREATED,
    summary="Review a delivery (once)",
    responses=BODY_RESPONSES
    | UNAVAILABLE_RESPONSES
    | {409: documented_problem("Already reviewed, or the review window has closed")},
)
async def submit_review(
    token: str,
    body: ReviewCreate,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
) -> ReviewRead:
    shipment_id = _reviewed_shipment(settings, token)
    if await reviews.get(session, shipment_id) is not None:  # its workflow may have ended
        raise AlreadyReviewed("This shipment has already been reviewed")
    submission = ReviewSubmission(rating=body.rating, comment=body.comment or None)
    await service.command(
        session,
        temporal,
        settings,
        shipment_id,
        lambda handle: handle.execute_update(ShipmentWorkflow.review, submission),
    )
    review = await reviews.get(session, shipment_id)
    assert review is not None  # the workflow stored it before answering
    return ReviewRead.model_validate(review)
