"""Development-only routes: the local outbox, so a person can read the messages FastShip sent
(with no SendGrid or Twilio credentials, messages go there, links and codes included).

Not mounted when ENVIRONMENT=production.
"""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from api.dependencies import SessionDep
from api.errors import INVALID_RESPONSES
from repositories import outbox

router = APIRouter(prefix="/dev", tags=["development"], responses=INVALID_RESPONSES)


class OutboxMessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    shipment_id: uuid.UUID | None
    channel: str
    recipient: str
    template: str | None
    language: str | None
    subject: str | None
    body: str = Field(description="The plain text (the whole SMS)")
    html: str | None
    created_at: datetime


@router.get("/outbox", summary="Messages sent, newest first (development only)")
async def read_outbox(
    session: SessionDep,
    recipient: Annotated[EmailStr | None, Query(description="An email address")] = None,
    phone: Annotated[str | None, Query(pattern=r"^\+[1-9][0-9]{6,14}$")] = None,
    shipment_id: uuid.UUID | None = None,
    channel: Literal["email", "sms"] | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[OutboxMessageRead]:
    messages = await outbox.latest(session, recipient or phone, shipment_id, channel, limit)
    return [OutboxMessageRead.model_validate(message) for message in messages]
