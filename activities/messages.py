"""What each shipment notification says, and to whom. They go to the outbox for now.

Keys are (shipment, event, channel, audience), so a retried activity stores each message once.
"""

from models.shipments import Shipment
from repositories.outbox import Message


def _key(shipment: Shipment, event: str, channel: str, audience: str) -> str:
    return f"{shipment.id}:{event}:{channel}:{audience}"


def _email(
    shipment: Shipment, event: str, audience: str, to: str, subject: str, body: str
) -> Message:
    return Message(
        _key(shipment, event, "email", audience), "email", to, subject, body, shipment.id
    )


def _sms(shipment: Shipment, event: str, body: str) -> list[Message]:
    phone = shipment.client_contact_phone
    if phone is None:
        return []
    return [
        Message(_key(shipment, event, "sms", "recipient"), "sms", phone, None, body, shipment.id)
    ]


def tracking_link(public_url: str, shipment: Shipment) -> str:
    return f"{public_url}/api/v1/track/{shipment.tracking_code}"


def assigned(
    shipment: Shipment, event: str, partner_email: str, tracking: str, *, first: bool
) -> list[Message]:
    messages = [
        _email(
            shipment,
            event,
            "partner",
            partner_email,
            "New shipment assigned to you",
            f"Shipment {shipment.id} ({shipment.weight} kg, {shipment.content}) to zip "
            f"{shipment.destination_zip} is yours to pick up.",
        )
    ]
    if first:
        messages.append(
            _email(
                shipment,
                event,
                "recipient",
                shipment.client_contact_email,
                "Your order has shipped",
                f"Your parcel ({shipment.content}) is on its way. Track it at {tracking}",
            )
        )
    return messages


def unassigned(shipment: Shipment, event: str, partner_email: str) -> list[Message]:
    return [
        _email(
            shipment,
            event,
            "previous-partner",
            partner_email,
            "Shipment reassigned",
            f"Shipment {shipment.id} was not picked up in time and went to another partner.",
        )
    ]


def out_for_delivery(shipment: Shipment, event: str, code: str, tracking: str) -> list[Message]:
    text = f"Your FastShip parcel arrives today. Give the courier this code: {code}"
    return [
        _email(
            shipment,
            event,
            "recipient",
            shipment.client_contact_email,
            "Your parcel arrives soon",
            f"Your parcel ({shipment.content}) is out for delivery. Give the courier the "
            f"delivery code {code} when it arrives. Track it at {tracking}",
        ),
        *_sms(shipment, event, text),
    ]


def delivered(shipment: Shipment, event: str, review_link: str) -> list[Message]:
    return [
        _email(
            shipment,
            event,
            "recipient",
            shipment.client_contact_email,
            "Your parcel was delivered",
            f"Your parcel ({shipment.content}) was delivered. How did it go? {review_link}",
        ),
        *_sms(shipment, event, "Your FastShip parcel was delivered."),
    ]


def cancelled(
    shipment: Shipment,
    event: str,
    reason: str,
    partner_email: str | None,
    seller_email: str | None,
) -> list[Message]:
    messages = [
        _email(
            shipment,
            event,
            "recipient",
            shipment.client_contact_email,
            "Your shipment was cancelled",
            f"The shipment of your parcel ({shipment.content}) was cancelled: {reason}",
        )
    ]
    if partner_email is not None:
        messages.append(
            _email(
                shipment,
                event,
                "partner",
                partner_email,
                "Shipment cancelled",
                f"Shipment {shipment.id} was cancelled; do not pick it up. {reason}",
            )
        )
    if seller_email is not None:
        messages.append(
            _email(
                shipment,
                event,
                "seller",
                seller_email,
                "Shipment cancelled",
                f"Shipment {shipment.id} was cancelled: {reason}",
            )
        )
    return messages


def delayed(shipment: Shipment, tracking: str) -> list[Message]:
    return [
        _email(
            shipment,
            "delayed",
            "recipient",
            shipment.client_contact_email,
            "Your parcel is delayed",
            f"Your parcel ({shipment.content}) is taking longer than estimated. "
            f"We are on it. Track it at {tracking}",
        )
    ]


def review_reminder(shipment: Shipment, review_link: str) -> list[Message]:
    return [
        _email(
            shipment,
            "review-reminder",
            "recipient",
            shipment.client_contact_email,
            "How was your delivery?",
            f"Tell us how the delivery of your parcel ({shipment.content}) went: {review_link}",
        )
    ]
