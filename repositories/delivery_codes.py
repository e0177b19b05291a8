"""Delivery codes: one current code per shipment, checked atomically."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from models.shipments import DeliveryCode

MAX_FAILED_ATTEMPTS = 5


class CodeCheck(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    LOCKED = "locked"  # too many wrong tries
    NONE_VALID = "none_valid"  # no code, or voided, or expired


async def issue(
    session: AsyncSession,
    shipment_id: uuid.UUID,
    code_hash: str,
    code_nonce: str,
    expires_at: datetime,
) -> None:
    """Replaces any earlier code of the shipment."""
    values = {"code_hash": code_hash, "code_nonce": code_nonce, "expires_at": expires_at}
    await session.execute(
        insert(DeliveryCode)
        .values(shipment_id=shipment_id, **values)
        .on_conflict_do_update(
            index_elements=[DeliveryCode.shipment_id],
            set_={**values, "failed_attempts": 0, "verified_at": None, "voided_at": None},
        )
    )


async def is_current(session: AsyncSession, shipment_id: uuid.UUID, code_nonce: str) -> bool:
    """Whether the code made from this nonce is still the shipment's usable one."""
    found = await session.scalar(
        select(DeliveryCode.shipment_id).where(
            DeliveryCode.shipment_id == shipment_id,
            DeliveryCode.code_nonce == code_nonce,
            DeliveryCode.voided_at.is_(None),
            DeliveryCode.expires_at > func.now(),
        )
    )
    return found is not None


async def check(
    session: AsyncSession, shipment_id: uuid.UUID, code_hash: str
) -> tuple[CodeCheck, int]:
    """Counts one try, under the row's lock, so parallel guesses get five wrong tries in all.

    Returns the outcome and the wrong tries left.
    """
    matches = DeliveryCode.code_hash == code_hash
    row = (
        await session.execute(
            update(DeliveryCode)
            .where(
                DeliveryCode.shipment_id == shipment_id,
                DeliveryCode.voided_at.is_(None),
                DeliveryCode.expires_at > func.now(),
                DeliveryCode.failed_attempts < MAX_FAILED_ATTEMPTS,
            )
            .values(
                failed_attempts=DeliveryCode.failed_attempts + case((matches, 0), else_=1),
                verified_at=case((matches, func.now()), else_=DeliveryCode.verified_at),
            )
            .returning(DeliveryCode.verified_at, DeliveryCode.failed_attempts, matches)
        )
    ).one_or_none()
    if row is None:
        locked = await session.scalar(
            select(DeliveryCode.failed_attempts).where(
                DeliveryCode.shipment_id == shipment_id,
                DeliveryCode.voided_at.is_(None),
                DeliveryCode.failed_attempts >= MAX_FAILED_ATTEMPTS,
            )
        )
        return (CodeCheck.LOCKED if locked is not None else CodeCheck.NONE_VALID), 0
    left = MAX_FAILED_ATTEMPTS - row.failed_attempts
    return (CodeCheck.ACCEPTED if row[2] else CodeCheck.WRONG), left


async def consume_verified(session: AsyncSession, shipment_id: uuid.UUID) -> bool:
    """Voids a verified code as the delivery is recorded; False if none was verified."""
    used = await session.scalar(
        update(DeliveryCode)
        .where(
            DeliveryCode.shipment_id == shipment_id,
            DeliveryCode.verified_at.is_not(None),
            DeliveryCode.voided_at.is_(None),
        )
        .values(voided_at=func.now())
        .returning(DeliveryCode.shipment_id)
    )
    return used is not None


async def void(session: AsyncSession, shipment_id: uuid.UUID) -> None:
    await session.execute(
        update(DeliveryCode)
        .where(DeliveryCode.shipment_id == shipment_id)
        .values(voided_at=func.now())
    )
