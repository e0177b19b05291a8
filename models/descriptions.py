"""The timeline descriptions the system writes itself, in English. The web app shows them in the
reader's language (frontend/src/lib/descriptions.ts knows each one; a test checks that it does);
a partner's or seller's own note is shown as written."""

PLACED = "Shipment placed"
ASSIGNED_PREFIX = "Assigned to delivery partner "
NO_PARTNER = "No delivery partner had room before the deadline"
CANCELLED_BY_SELLER = "Cancelled by the seller"


def assigned_to(partner_name: str) -> str:
    return f"{ASSIGNED_PREFIX}{partner_name}"
