"""Creating and reading shipments. State changes go through the shipment's workflow."""

import hashlib
import secrets
import uuid
from datetime import UTC, datetime

import structlog
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.errors import Conflict, NotFound, ServiceUnavailable
from api.shipments.schemas import ShipmentCreate
from fastship.settings import Settings
from models.accounts import Seller
from models.domain import SHIPMENT_TASK_QUEUE, ShipmentStatus, shipment_workflow_id
from models.shipments import Shipment
from models.workflow_io import ShipmentWorkflowInput
from workflows.shipment import ShipmentWorkflow

log = structlog.get_logger(__name__)

TRACKING_CODE_BYTES = 24  # 192 bits


def _fingerprint(body: ShipmentCreate) -> str:
    return hashlib.sha256(body.model_dump_json().encode()).hexdigest()


async def _find_by_idempotency_key(
    session: AsyncSession, seller: Seller, key: str, fingerprint: str
) -> Shipment | None:
    shipment = await session.scalar(
        select(Shipment).where(Shipment.seller_id == seller.id, Shipment.idempotency_key == key)
    )
    if shipment is not None and shipment.request_fingerprint != fingerprint:
        raise Conflict("This Idempotency-Key was already used for a different shipment request")
    return shipment


async def _store(
    session: AsyncSession,
    settings: Settings,
    seller: Seller,
    body: ShipmentCreate,
    idempotency_key: str | None,
    fingerprint: str,
) -> Shipment:
    shipment = Shipment(
        seller_id=seller.id,
        status=ShipmentStatus.PLACED,
        content=body.content,
        weight=body.weight,
        destination_zip=body.destination_zip,
        client_contact_email=str(body.client_contact_email),
        client_contact_phone=body.client_contact_phone,
        tags=[tag.value for tag in body.tags],
        tracking_code=secrets.token_urlsafe(TRACKING_CODE_BYTES),
        estimated_delivery=datetime.now(UTC) + settings.delivery_estimate,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
    )
    # In a savepoint: losing a race on the Idempotency-Key rolls back only this insert, so the
    # seller loaded by this session is not expired (reloading it implicitly would fail here).
    async with session.begin_nested():
        session.add(shipment)
    await session.commit()
    return shipment


def _static_summary(shipment: Shipment, seller: Seller) -> str:
    # Shown to operators in the Temporal UI: no recipient contact details.
    return (
        f"{shipment.weight} kg parcel to zip {shipment.destination_zip} "
        f"for seller {seller.name} ({seller.id})"
    )


async def _start_workflow(
    temporal: Client, shipment: Shipment, seller: Seller
) -> WorkflowHandle[ShipmentWorkflow, ShipmentStatus]:
    """Start the shipment's workflow, or find it running already."""
    workflow_id = shipment_workflow_id(shipment.id)
    try:
        return await temporal.start_workflow(
            ShipmentWorkflow.run,
            ShipmentWorkflowInput(
                shipment_id=shipment.id,
                seller_id=shipment.seller_id,
                destination_zip=shipment.destination_zip,
            ),
            id=workflow_id,
            task_queue=SHIPMENT_TASK_QUEUE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            static_summary=_static_summary(shipment, seller),
        )
    except WorkflowAlreadyStartedError:  # a replayed create whose workflow has ended
        return temporal.get_workflow_handle_for(ShipmentWorkflow.run, workflow_id)


async def _wait_until_placed(
    handle: WorkflowHandle[ShipmentWorkflow, ShipmentStatus], settings: Settings
) -> None:
    try:
        await handle.execute_update(
            ShipmentWorkflow.wait_until_placed, rpc_timeout=settings.create_confirmation_timeout
        )
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        # No worker has run it yet; it records `placed` once one does.
        log.warning("shipment workflow slow to confirm", workflow_id=handle.id)
    except RPCError as exc:
        if exc.status is not RPCStatusCode.NOT_FOUND:  # NOT_FOUND: the workflow has ended
            raise


async def create_shipment(
    session: AsyncSession,
    temporal: Client,
    settings: Settings,
    seller: Seller,
    body: ShipmentCreate,
    idempotency_key: str | None,
) -> Shipment:
    """Store the shipment, then start its workflow; a replayed Idempotency-Key returns the first.

    If the workflow cannot be started the new row is removed again, so no shipment is left
    without a workflow.
    """
    fingerprint = _fingerprint(body)
    shipment = None
    if idempotency_key is not None:
        shipment = await _find_by_idempotency_key(session, seller, idempotency_key, fingerprint)
    created = shipment is None
    if shipment is None:
        try:
            shipment = await _store(session, settings, seller, body, idempotency_key, fingerprint)
        except IntegrityError:
            # A concurrent request with the same Idempotency-Key stored it first.
            if idempotency_key is None:
                raise
            shipment = await _find_by_idempotency_key(session, seller, idempotency_key, fingerprint)
            if shipment is None:
                raise
            created = False
    try:
        handle = await _start_workflow(temporal, shipment, seller)
    except (RPCError, RuntimeError) as exc:  # RuntimeError: the lazy client could not connect
        log.warning("shipment workflow did not start", shipment_id=str(shipment.id), error=str(exc))
        if not created:
            raise ServiceUnavailable("The workflow service is unavailable; retry shortly") from exc
        await session.execute(delete(Shipment).where(Shipment.id == shipment.id))
        await session.commit()
        raise ServiceUnavailable(
            "The workflow service is unavailable, so no shipment was created; retry shortly"
        ) from exc
    await _wait_until_placed(handle, settings)
    return shipment


async def get_shipment(session: AsyncSession, seller: Seller, shipment_id: uuid.UUID) -> Shipment:
    """The shipment with its timeline, if `seller` owns it; 404 otherwise, even if it exists."""
    shipment = await session.scalar(
        select(Shipment)
        .where(Shipment.id == shipment_id, Shipment.seller_id == seller.id)
        .options(selectinload(Shipment.timeline))
        .execution_options(populate_existing=True)
    )
    if shipment is None:
        raise NotFound(f"No shipment {shipment_id}")
    return shipment
