"""Every workflow's id, in one place: the API finds a workflow by it, and Temporal refuses a second
workflow with a running one's id (so retries reach the same one)."""

import uuid

from models.workflow_io import AccountRef, PasswordResetRequest

SHIPMENT_WORKFLOW_TYPE = "ShipmentWorkflow"
_SHIPMENT_PREFIX = "shipment-"


def shipment_workflow_id(shipment_id: uuid.UUID) -> str:
    return f"{_SHIPMENT_PREFIX}{shipment_id}"


def shipment_id_of(workflow_id: str) -> uuid.UUID:
    """The shipment a shipment workflow's id names."""
    return uuid.UUID(workflow_id.removeprefix(_SHIPMENT_PREFIX))


def email_verification_workflow_id(ref: AccountRef) -> str:
    return f"email-verification-{ref.role}-{ref.account_id}"


def password_reset_workflow_id(request: PasswordResetRequest) -> str:
    return f"password-reset-{request.role}-{request.request_id}"
