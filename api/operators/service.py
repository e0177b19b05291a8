"""Operator accounts, made from the command line, and their read of every shipment."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from api.accounts.service import TEMPORAL_ERRORS
from api.errors import Conflict, ServiceUnavailable
from api.operators.schemas import OperatorCreate
from api.security import Passwords
from fastship.secrets import issue_visibility_cursor, read_visibility_cursor
from fastship.settings import Settings
from models.accounts import Operator
from repositories import workflow_search
from repositories.cursors import InvalidCursor
from repositories.workflow_search import FoundShipment, ShipmentSearch


async def create_operator(
    session: AsyncSession, passwords: Passwords, account: OperatorCreate
) -> Operator:
    """Stores the operator, verified: whoever runs the command vouches for the address."""
    operator = Operator(
        name=account.name,
        email=str(account.email),
        password_hash=await passwords.hash(account.password),
        email_verified_at=datetime.now(UTC),
    )
    session.add(operator)
    try:
        await session.commit()
    except IntegrityError as exc:
        raise Conflict("An operator with this email already exists") from exc
    return operator


CURSOR_LIFETIME = timedelta(hours=1)


async def search_shipments(
    temporal: Client,
    settings: Settings,
    operator_id: uuid.UUID,
    search: ShipmentSearch,
    limit: int,
    cursor: str | None,
) -> tuple[list[FoundShipment], str | None]:
    """A page of the matching shipments and the cursor of the next (None on the last)."""
    query = workflow_search.visibility_query(search)
    page_token = None
    if cursor is not None:
        page_token = read_visibility_cursor(settings, operator_id, query, cursor)
        if page_token is None:
            raise InvalidCursor("The cursor is not one this API gave out for these filters")
    try:
        async with asyncio.timeout(settings.workflow_command_timeout.total_seconds()):
            found, next_token = await workflow_search.search_shipments(
                temporal, query, limit, page_token
            )
    except TEMPORAL_ERRORS as exc:
        raise ServiceUnavailable("Temporal did not answer the search; try again shortly") from exc
    if next_token is None:
        return found, None
    expires_at = datetime.now(UTC) + CURSOR_LIFETIME
    return found, issue_visibility_cursor(settings, operator_id, query, next_token, expires_at)
