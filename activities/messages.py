"""Which notifications each shipment event causes, to whom, in which language.

Keys are (shipment, event, channel, audience), so a retried activity stores each message once.
What the messages say is in the templates; secrets (the code, links) are added when sending.
"""

from datetime import datetime

from activities.notifications.rendering import Template
from models.accounts import Partner, Seller
from models.domain import CancelReason, Channel
from models.shipments import Shipment
from repositories.notifications import NewNotification


def _message(
    shipment: Shipment,
    event: str,
    channel: Channel,
    audience: str,
    template: Template,
    *,
    to: str,
    language: str,
    account: Seller | Partner | None,
    params: dict[str, str],
) -> NewNotification:
    return NewNotification(
        key=f"{shipment.id}:{event}:{channel}:{audience}",
        template=template,
        channel=channel,
        recipient=to,
        language=language,
        shipment_id=shipment.id,
        account_id=account.id if account else None,
        params=params,
    )


def _to_recipient(
    shipment: Shipment, event: str, template: Template, **params: str
) -> list[NewNotification]:
    """The recipient's email, and their SMS when the template has one and a phone is known."""
    messages = [
        _message(
            shipment,
            event,
            Channel.EMAIL,
            "recipient",
            template,
            to=shipment.client_contact_email,
            language=shipment.language,
            account=None,
            params=params,
        )
    ]
    if Channel.SMS in template.channels and shipment.client_contact_phone:
        messages.append(
            _message(
                shipment,
                event,
                Channel.SMS,
                "recipient",
                template,
                to=shipment.client_contact_phone,
                language=shipment.language,
                account=None,
                params=params,
            )
        )
    return messages


def _to_account(
    shipment: Shipment,
    event: str,
    audience: str,
    template: Template,
    account: Seller | Partner,
    **params: str,
) -> NewNotification:
    return _message(
        shipment,
        event,
        Channel.EMAIL,
        audience,
        template,
        to=account.email,
        language=account.language,
        account=account,
        params=params,
    )


def assigned(
    shipment: Shipment, event: str, partner: Partner, *, first: bool
) -> list[NewNotification]:
    messages = [_to_account(shipment, event, "partner", Template.PARTNER_ASSIGNED, partner)]
    if first:  # the recipient hears once, not on every reassignment
        messages += _to_recipient(shipment, event, Template.SHIPPED)
    return messages


def unassigned(shipment: Shipment, event: str, previous: Partner) -> list[NewNotification]:
    return [_to_account(shipment, event, "previous-partner", Template.PARTNER_UNASSIGNED, previous)]


def out_for_delivery(shipment: Shipment, event: str, code_nonce: str) -> list[NewNotification]:
    # The nonce names which code the message carries; without the server key it reveals nothing.
    return _to_recipient(shipment, event, Template.OUT_FOR_DELIVERY, code_nonce=code_nonce)


def delivered(shipment: Shipment, event: str, delivered_at: datetime) -> list[NewNotification]:
    return _to_recipient(shipment, event, Template.DELIVERED, delivered_at=delivered_at.isoformat())


def cancelled(
    shipment: Shipment,
    event: str,
    reason: CancelReason,
    partner: Partner | None,
    seller: Seller | None,
) -> list[NewNotification]:
    messages = _to_recipient(shipment, event, Template.CANCELLED, reason=reason)
    if partner is not None:
        messages.append(
            _to_account(
                shipment, event, "partner", Template.PARTNER_CANCELLED, partner, reason=reason
            )
        )
    if seller is not None:
        messages.append(
            _to_account(shipment, event, "seller", Template.SELLER_CANCELLED, seller, reason=reason)
        )
    return messages


def delayed(shipment: Shipment) -> list[NewNotification]:
    return _to_recipient(shipment, "delayed", Template.DELAYED)


def review_reminder(shipment: Shipment, delivered_at: datetime) -> list[NewNotification]:
    return _to_recipient(
        shipment, "review-reminder", Template.REVIEW_REMINDER, delivered_at=delivered_at.isoformat()
    )
