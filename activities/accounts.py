"""Activities of the account workflows: verification and reset emails, expiring unverified
accounts. Each stores its notification (once per key) and sends it exactly once."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from activities.notifications.context import ACCOUNT_MODELS
from activities.notifications.rendering import Template
from activities.notifications.sending import NotificationSender
from models.activity_steps import AccountSteps
from models.domain import Channel
from models.workflow_io import (
    AccountEmail,
    AccountEmailKind,
    AccountRef,
    ActivityName,
    PasswordResetRequest,
)
from repositories import accounts, notifications
from repositories.notifications import NewNotification

TEMPLATES = {
    AccountEmailKind.VERIFY: Template.VERIFY_EMAIL,
    AccountEmailKind.VERIFY_REMINDER: Template.VERIFY_EMAIL_REMINDER,
}


class AccountActivities(AccountSteps):
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], sender: NotificationSender
    ) -> None:
        self._sessions = sessions
        self._sender = sender

    @activity.defn(name=ActivityName.SEND_ACCOUNT_EMAIL)
    async def send_account_email(self, request: AccountEmail) -> None:
        async with self._sessions.begin() as session:
            account = await accounts.get(session, ACCOUNT_MODELS[request.role], request.account_id)
            if account is None or account.email_verified_at is not None:
                return
            stored = await notifications.add(
                session,
                [
                    NewNotification(
                        key=f"{request.role}:{account.id}:{request.kind}:email",
                        template=TEMPLATES[request.kind],
                        channel=Channel.EMAIL,
                        recipient=account.email,
                        language=account.language,
                        account_id=account.id,
                        params={"role": request.role},
                    )
                ],
            )
        await self._sender.send(stored)

    @activity.defn(name=ActivityName.SEND_PASSWORD_RESET)
    async def send_password_reset(self, request: PasswordResetRequest) -> None:
        async with self._sessions.begin() as session:
            account = await accounts.find_by_email(
                session, ACCOUNT_MODELS[request.role], request.email
            )
            if account is None:
                return  # the API answered 202 all the same
            stored = await notifications.add(
                session,
                [
                    NewNotification(
                        key=f"{request.role}:{account.id}:password-reset-{request.request_id}:email",
                        template=Template.PASSWORD_RESET,
                        channel=Channel.EMAIL,
                        recipient=account.email,
                        language=account.language,
                        account_id=account.id,
                        params={
                            "role": request.role,
                            "requested_at": request.requested_at.isoformat(),
                        },
                    )
                ],
            )
        await self._sender.send(stored)

    @activity.defn(name=ActivityName.EXPIRE_UNVERIFIED_ACCOUNT)
    async def expire_unverified_account(self, ref: AccountRef) -> bool:
        """Removes the account if it is still unverified; True if it did."""
        async with self._sessions.begin() as session:
            return await accounts.delete_unverified(
                session, ACCOUNT_MODELS[ref.role], ref.account_id
            )
