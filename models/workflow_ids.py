"""Every workflow's id, in one place: the API finds a workflow by it, and Temporal refuses a second
workflow with a running one's id (so retries reach the same one)."""

import uuid

from models.workflow_io import AccountRef, PasswordResetRequest


def shipment_workflow_id(shipment_id: uuid.UUID) -> str:
    return f"shipment-{shipment_id}"


def email_verification_workflow_id(ref: AccountRef) -> str:
    return f"email-verification-{ref.role}-{ref.account_id}"


def password_reset_workflow_id(request: PasswordResetRequest) -> str:
    return f"password-reset-{request.role}-{request.request_id}"
