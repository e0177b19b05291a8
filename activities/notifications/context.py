"""What each template is filled with, read from the database when the message is sent.

Links and the delivery code are made here, by the sending activity, so they are never stored
with the notification nor passed through a workflow.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from activities.notifications.rendering import Template
from fastship.secrets import (
    delivery_code,
    issue_reset_token,
    issue_review_token,
    issue_verification_token,
)
from fastship.settings import Settings
from models.accounts import Partner, Seller
from models.domain import CancelReason, Role
from models.notifications import Notification
from models.shipments import Shipment
from repositories import accounts, delivery_codes
from repositories.notifications import Locked

ACCOUNT_MODELS: dict[Role, type[Seller] | type[Partner]] = {
    Role.SELLER: Seller,
    Role.PARTNER: Partner,
}
VERIFY_TEMPLATES = (Template.VERIFY_EMAIL, Template.VERIFY_EMAIL_REMINDER)


def tracking_link(settings: Settings, shipment: Shipment) -> str:
    return f"{settings.public_url}/track/{shipment.tracking_code}"  # the web app's page


def review_link(settings: Settings, shipment: Shipment, delivered_at: datetime) -> str:
    token = issue_review_token(settings, shipment.id, delivered_at + settings.review_window)
    return f"{settings.public_url}/review/{token}"  # the web app's page


async def message_context(
    session: AsyncSession, settings: Settings, locked: Locked
) -> dict[str, object] | None:
    """The template's values, or None when the message is moot by now (nothing to send)."""
    notification = locked.notification
    template = Template(notification.template)
    if notification.shipment_id is None:
        return await _account_context(session, settings, notification, template)
    if locked.shipment is None:  # gone
        return None
    return await _shipment_context(
        session, settings, notification, template, locked.shipment, locked.partner
    )


async def _account_context(
    session: AsyncSession, settings: Settings, notification: Notification, template: Template
) -> dict[str, object] | None:
    role = Role(notification.params["role"])
    account = await accounts.get(session, ACCOUNT_MODELS[role], notification.account_id)
    if account is None:
        return None
    if template in VERIFY_TEMPLATES:
        if account.email_verified_at is not None:
            return None
        expires_at = account.created_at + settings.email_verification_lifetime
        token = issue_verification_token(settings, role, account.id, expires_at)
        return {
            "name": account.name,
            "link": f"{settings.public_url}/verify/{role}?token={token}",
            "expires_at": expires_at,
        }
    requested_at = datetime.fromisoformat(notification.params["requested_at"])
    lifetime = settings.password_reset_lifetime
    token = issue_reset_token(
        settings, role, account.id, account.password_hash, requested_at + lifetime
    )
    return {
        "name": account.name,
        "link": f"{settings.public_url}/reset-password/{role}?token={token}",
        "valid_minutes": int(lifetime.total_seconds() // 60),
    }


async def _shipment_context(
    session: AsyncSession,
    settings: Settings,
    notification: Notification,
    template: Template,
    shipment: Shipment,
    partner: Partner | None,  # the one it is addressed to, read with it
) -> dict[str, object] | None:
    params = notification.params
    context: dict[str, object] = {
        "content": shipment.content,
        "shipment_id": str(shipment.id),
        "tracking_link": tracking_link(settings, shipment),
    }
    if "reason" in params:
        context["reason"] = CancelReason(params["reason"])
    if "delivered_at" in params:
        delivered_at = datetime.fromisoformat(params["delivered_at"])
        context["review_link"] = review_link(settings, shipment, delivered_at)
    if template is Template.OUT_FOR_DELIVERY:
        nonce = params["code_nonce"]
        if not await delivery_codes.is_current(session, shipment.id, nonce):
            return None  # voided by a failed attempt, or expired: that code is useless now
        context["code"] = delivery_code(settings, shipment.id, nonce)
    elif template is Template.SHIPPED:
        context["estimated_delivery"] = shipment.estimated_delivery
    elif template is Template.PARTNER_ASSIGNED:
        context |= {"weight": shipment.weight, "destination_zip": shipment.destination_zip}
    if notification.account_id is not None:
        account: Seller | Partner | None = partner
        if template is Template.SELLER_CANCELLED:
            account = await accounts.get(session, Seller, notification.account_id)
        if account is None:
            return None
        name_key = "seller_name" if isinstance(account, Seller) else "partner_name"
        context[name_key] = account.name
    return context
