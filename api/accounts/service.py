"""Account rules: unique case-insensitive emails, Argon2id passwords, verified emails before
login, single-use password resets that end every session, tokens carrying the role."""

import asyncio
import uuid
from datetime import UTC, datetime
from typing import TypeVar

import structlog
from redis.asyncio import Redis
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client
from temporalio.service import RPCError

from api.accounts.schemas import PartnerUpdate, SellerUpdate, check_not_email
from api.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    ServiceUnavailable,
    Unauthorized,
    Unprocessable,
    redis_required,
)
from api.revocation import revoke_sessions
from api.security import AccessToken, Passwords, issue_access_token
from fastship.capacity import MAX_WOKEN, signal_capacity_freed
from fastship.secrets import password_fingerprint, read_reset_token, read_verification_token
from fastship.settings import Settings
from models.accounts import AnyAccount, Operator, Partner, Seller
from models.domain import TASK_QUEUE, Role
from models.workflow_ids import email_verification_workflow_id, password_reset_workflow_id
from models.workflow_io import AccountRef, EmailVerificationInput, PasswordResetRequest
from repositories import accounts, shipments
from workflows.accounts import EmailVerificationWorkflow, PasswordResetWorkflow

log = structlog.get_logger(__name__)

ROLES: dict[type[AnyAccount], Role] = {
    Seller: Role.SELLER,
    Partner: Role.PARTNER,
    Operator: Role.OPERATOR,
}
TEMPORAL_ERRORS = (RPCError, RuntimeError, TimeoutError)


async def sign_up(
    session: AsyncSession, temporal: Client, settings: Settings, account: Seller | Partner
) -> None:
    """Stores the account and starts its email verification; nothing stays if that fails."""
    session.add(account)
    try:
        await session.commit()
    except IntegrityError as exc:
        raise Conflict("An account with this email already exists") from exc
    await session.refresh(account)
    ref = AccountRef(role=ROLES[type(account)], account_id=account.id)
    try:
        async with asyncio.timeout(settings.workflow_command_timeout.total_seconds()):
            await temporal.start_workflow(
                EmailVerificationWorkflow.run,
                EmailVerificationInput(
                    **ref.model_dump(),
                    remind_after=settings.email_verification_reminder,
                    expire_after=settings.email_verification_lifetime,
                    send_deadline=settings.notification_retry_deadline,
                ),
                id=email_verification_workflow_id(ref),
                task_queue=TASK_QUEUE,
                static_summary=f"Email verification of {ref.role} {ref.account_id}",
            )
    except TEMPORAL_ERRORS as exc:
        await accounts.delete_unverified(session, type(account), account.id)
        await session.commit()
        log.warning("could not start the email verification", error=repr(exc))
        raise ServiceUnavailable(
            "Could not send the verification email just now; nothing was stored, try again"
        ) from exc


async def verify_email(
    session: AsyncSession,
    temporal: Client,
    settings: Settings,
    model: type[Seller] | type[Partner],
    token: str,
) -> uuid.UUID:
    """Marks the email verified (again is fine) and ends the reminders; returns the account."""
    role = ROLES[model]
    account_id = read_verification_token(settings, role, token)
    if account_id is None or not await accounts.mark_verified(session, model, account_id):
        raise BadRequest("The verification link is invalid or has expired")
    await session.commit()
    ref = AccountRef(role=role, account_id=account_id)
    try:
        handle = temporal.get_workflow_handle(email_verification_workflow_id(ref))
        async with asyncio.timeout(settings.workflow_command_timeout.total_seconds()):
            await handle.signal(EmailVerificationWorkflow.verified)
    except TEMPORAL_ERRORS as exc:  # ended already, or unreachable: its activities check the row
        log.info("verification workflow not signalled", account_id=str(account_id), error=repr(exc))
    if model is Partner:  # eligible from now on: shipments waiting in its zips try again
        partner = await session.get(Partner, account_id)
        if partner is not None:
            await _wake_shipments_waiting_for(temporal, session, partner)
    return account_id


Account = TypeVar("Account", Seller, Partner)


async def update_account(
    session: AsyncSession, account: Account, change: SellerUpdate | PartnerUpdate
) -> Account:
    """Stores the fields the change gives (those it leaves out keep their values).

    `account` was read outside this session (ReadSessionDep): the change is made to its copy here.
    """
    account = await session.merge(account, load=False)
    for name, value in change.model_dump(exclude_none=True).items():
        setattr(account, name, value)
    await session.commit()
    await session.refresh(account)
    return account


async def update_partner(
    session: AsyncSession, temporal: Client, partner: Partner, change: PartnerUpdate
) -> Partner:
    """Stores the change; more room or new zips wake the shipments waiting there."""
    partner = await update_account(session, partner, change)
    await _wake_shipments_waiting_for(temporal, session, partner)
    return partner


async def _wake_shipments_waiting_for(
    temporal: Client, session: AsyncSession, partner: Partner
) -> None:
    """New room in these zips: shipments waiting there try their assignment now.

    Best effort: with Temporal unreachable they still retry on their own timer.
    """
    waiting = await shipments.waiting_in(session, partner.serviceable_zip_codes, MAX_WOKEN)
    await session.commit()  # no database transaction stays open across a Temporal call
    try:
        await signal_capacity_freed(temporal, waiting)
    except (RPCError, RuntimeError) as exc:
        log.warning("could not wake waiting shipments", partner_id=str(partner.id), error=str(exc))


async def log_in(
    session: AsyncSession,
    settings: Settings,
    passwords: Passwords,
    model: type[AnyAccount],
    email: str,
    password: str,
) -> AccessToken:
    account = await accounts.find_by_email(session, model, email)
    check = await passwords.check(account.password_hash if account else None, password)
    if account is None or not check.matches:
        raise Unauthorized("Incorrect email or password")
    if account.email_verified_at is None:
        raise Forbidden(
            "Confirm your email address first: follow the link in the email we sent you"
        )
    if check.new_hash is not None:  # hashed with older parameters: upgrade it now
        account.password_hash = check.new_hash
        await session.commit()
    return issue_access_token(settings, account.id, ROLES[model])


async def request_password_reset(
    temporal: Client, settings: Settings, model: type[Seller] | type[Partner], email: str
) -> None:
    """Starts the reset workflow whether or not the account exists: the same work, the same time
    either way; the workflow's activity looks the account up."""
    request = PasswordResetRequest(
        role=ROLES[model],
        email=email,
        request_id=uuid.uuid4(),
        requested_at=datetime.now(UTC),
        send_deadline=settings.password_reset_lifetime,
    )
    try:
        async with asyncio.timeout(settings.workflow_command_timeout.total_seconds()):
            await temporal.start_workflow(
                PasswordResetWorkflow.run,
                request,
                id=password_reset_workflow_id(request),
                task_queue=TASK_QUEUE,
                static_summary=f"Password reset request ({request.role})",
            )
    except TEMPORAL_ERRORS as exc:
        raise ServiceUnavailable("Could not take the request just now; try again") from exc


async def reset_password(
    session: AsyncSession,
    redis: Redis,
    settings: Settings,
    passwords: Passwords,
    model: type[Seller] | type[Partner],
    token: str,
    password: str,
) -> None:
    """Sets the new password once per link, and ends every session the account had."""
    role = ROLES[model]
    claims = read_reset_token(settings, role, token)
    account = None if claims is None else await accounts.get(session, model, claims[0])
    if (
        account is None
        or claims is None
        or password_fingerprint(account.password_hash) != claims[1]
    ):
        raise BadRequest("The reset link is invalid, expired or already used")
    try:
        check_not_email(password, account.email)
    except ValueError as exc:
        raise Unprocessable(str(exc)) from exc
    new_hash = await passwords.hash(password)

    async def end_sessions() -> None:
        async with redis_required("ending the account's sessions"):
            await revoke_sessions(
                redis, role, account.id, datetime.now(UTC), settings.access_token_lifetime
            )

    await end_sessions()  # before the change: with Redis down, nothing changes
    account.password_hash = new_hash
    if account.email_verified_at is None:  # the link reached the inbox: that is verification
        account.email_verified_at = datetime.now(UTC)
    await session.commit()
    await end_sessions()  # again: also ends a login made with the old password meanwhile
