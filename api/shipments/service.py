"""Shipment commands go to the shipment's workflow; this module sends them and maps the answers."""

import asyncio
import contextlib
import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WithStartWorkflowOperation,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.errors import AppError, ServiceUnavailable
from api.shipments.errors import REFUSALS, IdempotencyKeyReused, WorkflowEnded
from api.shipments.schemas import ShipmentCreate
from fastship.settings import Settings
from models.accounts import Seller
from models.domain import (
    TASK_QUEUE,
    Language,
    SearchAttributes,
    ShipmentStatus,
)
from models.workflow_ids import shipment_workflow_id
from models.workflow_io import (
    CreationCheck,
    Refusal,
    ShipmentOrder,
    ShipmentTimings,
    ShipmentWorkflowInput,
)
from repositories import shipments
from workflows.shipment import ShipmentWorkflow

log = structlog.get_logger(__name__)

T = TypeVar("T")

# Shipment ids of keyed creates derive from (seller, key): a retry finds the same workflow.
_IDEMPOTENT_SHIPMENT_NAMESPACE = uuid.UUID("0b8f7a5e-6c1d-4e0a-9d2b-3f4a5b6c7d8e")

# What a Temporal call may end with when it cannot tell whether the change happened.
UNCONFIRMED = (TimeoutError, RPCError, RPCTimeoutOrCancelledError, RuntimeError)


def _refusal(exc: WorkflowUpdateFailedError) -> AppError | None:
    """The HTTP error for the workflow's refusal; None if the Update failed some other way."""
    cause = exc.cause
    if not isinstance(cause, ApplicationError) or cause.type not in set(Refusal):
        return None
    return REFUSALS[Refusal(cause.type)](cause.message)


def order_of(body: ShipmentCreate, seller_language: Language) -> ShipmentOrder:
    return ShipmentOrder(
        content=body.content,
        weight=Decimal(str(body.weight)),
        destination_zip=body.destination_zip,
        client_contact_email=str(body.client_contact_email),
        client_contact_phone=body.client_contact_phone,
        tags=sorted(body.tags),
        language=body.recipient_language or seller_language,
    )


def fingerprint(order: ShipmentOrder) -> str:
    """Equal for requests that mean the same shipment (tags in any order, weight 1.20 or 1.2)."""
    canonical = json.dumps(order.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class KeyedChange:
    """A report or cancellation sent with an Idempotency-Key: its Update id, kept with the event.

    The id is `<prefix><body hash>`, the prefix naming the account and the key, so a retry with
    the same key finds the change it made, and the same key with another body is told apart.
    """

    prefix: str
    update_id: str

    @classmethod
    def of(cls, kind: str, account_id: uuid.UUID, key: str, body: object) -> "KeyedChange":
        key_hash = hashlib.sha256(key.encode()).hexdigest()[:32]
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
        body_hash = hashlib.sha256(canonical.encode()).hexdigest()[:16]
        prefix = f"{kind}-{account_id}-{key_hash}-"
        return cls(prefix, prefix + body_hash)


async def already_made(session: AsyncSession, shipment_id: uuid.UUID, change: KeyedChange) -> bool:
    """True if this keyed change is stored; refuses a key used before with another body."""
    stored = await shipments.change_ids_starting(session, shipment_id, change.prefix)
    if stored and change.update_id not in stored:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used with a different request body"
        )
    return bool(stored)


def shipment_id_for(seller: Seller, idempotency_key: str | None) -> uuid.UUID:
    if idempotency_key is None:
        return uuid.uuid4()
    return uuid.uuid5(_IDEMPOTENT_SHIPMENT_NAMESPACE, f"{seller.id}\n{idempotency_key}")


def timings(settings: Settings) -> ShipmentTimings:
    return ShipmentTimings.model_validate(settings, from_attributes=True)


def _static_summary(order: ShipmentOrder, seller: Seller) -> str:
    # Shown to operators in the Temporal UI: no recipient contact details.
    return (
        f"{order.weight} kg parcel to zip {order.destination_zip} "
        f"for seller {seller.name} ({seller.id})"
    )


async def _bounded(settings: Settings, call: Awaitable[T]) -> T:
    """The whole wait on Temporal, retries included, is bounded by one timeout."""
    async with asyncio.timeout(settings.workflow_command_timeout.total_seconds()):
        return await call


@dataclass(frozen=True)
class CreateOutcome:
    shipment_id: uuid.UUID
    fingerprint: str
    confirmed: bool  # False: Temporal did not answer in time


async def place_shipment(
    temporal: Client,
    settings: Settings,
    seller: Seller,
    body: ShipmentCreate,
    idempotency_key: str | None,
) -> CreateOutcome:
    """Starts the shipment's workflow (or finds it) and waits until it stored the shipment.

    Raises the workflow's refusal as an HTTP error. When Temporal does not answer in time the
    create is unconfirmed: the caller answers with what is stored, if anything.
    """
    order = order_of(body, seller.language)
    request_fingerprint = fingerprint(order)
    shipment_id = shipment_id_for(seller, idempotency_key)
    start = WithStartWorkflowOperation(
        ShipmentWorkflow.run,
        ShipmentWorkflowInput(
            shipment_id=shipment_id,
            seller_id=seller.id,
            idempotency_key=idempotency_key,
            fingerprint=request_fingerprint,
            order=order,
            timings=timings(settings),
        ),
        id=shipment_workflow_id(shipment_id),
        task_queue=TASK_QUEUE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        # A refused create (its workflow failed) may be retried with the same key.
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(SearchAttributes.SHIPMENT_STATUS, ShipmentStatus.PLACED.value),
                SearchAttributePair(SearchAttributes.SELLER_ID, str(seller.id)),
                SearchAttributePair(SearchAttributes.DESTINATION_ZIP, order.destination_zip),
                SearchAttributePair(SearchAttributes.NEEDS_ATTENTION, False),
            ]
        ),
        static_summary=_static_summary(order, seller),
    )
    try:
        await _bounded(
            settings,
            temporal.execute_update_with_start_workflow(
                ShipmentWorkflow.place,
                CreationCheck(fingerprint=request_fingerprint),
                start_workflow_operation=start,
            ),
        )
    except WorkflowUpdateFailedError as exc:
        if refusal := _refusal(exc):
            raise refusal from exc
        log.warning("create not confirmed", shipment_id=str(shipment_id), error=repr(exc))
        return CreateOutcome(shipment_id, request_fingerprint, confirmed=False)
    except WorkflowAlreadyStartedError:
        pass  # its workflow has ended; the stored shipment answers
    except UNCONFIRMED as exc:
        log.warning("shipment not confirmed", shipment_id=str(shipment_id), error=repr(exc))
        return CreateOutcome(shipment_id, request_fingerprint, confirmed=False)
    return CreateOutcome(shipment_id, request_fingerprint, confirmed=True)


async def command(
    session: AsyncSession,
    temporal: Client,
    settings: Settings,
    shipment_id: uuid.UUID,
    send: Callable[[WorkflowHandle[Any, Any]], Awaitable[T]],
) -> T:
    """Sends one Update to the shipment's workflow and turns its refusals into HTTP errors."""
    # No transaction stays open, and no connection is held, while Temporal answers (a read
    # session's commit gives its connection back too).
    await session.commit()
    handle = temporal.get_workflow_handle(shipment_workflow_id(shipment_id))
    try:
        return await _bounded(settings, send(handle))
    except WorkflowUpdateFailedError as exc:
        if refusal := _refusal(exc):
            raise refusal from exc
        raise _unavailable(shipment_id, exc) from exc
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise WorkflowEnded(
                "This shipment's lifecycle has ended; it cannot change any more"
            ) from exc
        raise _unavailable(shipment_id, exc) from exc
    except UNCONFIRMED as exc:
        raise _unavailable(shipment_id, exc) from exc


async def confirm(
    session: AsyncSession,
    temporal: Client,
    settings: Settings,
    shipment_id: uuid.UUID,
    send: Callable[[WorkflowHandle[Any, Any]], Awaitable[object]],
) -> None:
    """For a keyed change already stored: sends its Update again (the same id), which Temporal
    answers with the first one's outcome once the workflow applied it, so the answer never runs
    ahead of the workflow. A workflow that has ended has applied everything."""
    with contextlib.suppress(WorkflowEnded):
        await command(session, temporal, settings, shipment_id, send)


def _unavailable(shipment_id: uuid.UUID, exc: Exception) -> ServiceUnavailable:
    log.warning("shipment command not confirmed", shipment_id=str(shipment_id), error=repr(exc))
    return ServiceUnavailable(
        "The workflow service did not confirm the change in time; read the shipment, then retry"
    )
