"""Account workflows: email verification (with its reminder and expiry) and password reset.

Small on purpose: the timers are the reason they are workflows. The activities check the
database before acting, so a verification that lands between a timer and its activity wins.
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from models.activity_steps import AccountSteps
    from models.workflow_io import (
        AccountEmail,
        AccountEmailKind,
        AccountRef,
        EmailVerificationInput,
        PasswordResetRequest,
    )

SEND_ATTEMPT_TIMEOUT = timedelta(minutes=1)
SEND_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=10)
)


@workflow.defn
class EmailVerificationWorkflow:
    """Sends the verification email, a reminder after a day, and removes the account after a
    week if it never verified (so the address can sign up again)."""

    def __init__(self) -> None:
        self._verified = False

    @workflow.run
    async def run(self, account: EmailVerificationInput) -> bool:
        """True once the email is verified; False when the link expired unused."""
        ref = AccountRef(role=account.role, account_id=account.account_id)
        await self._email(account, AccountEmailKind.VERIFY, "Send the verification email")
        if await self._verified_within(account.remind_after, "Verification reminder"):
            return True
        await self._email(account, AccountEmailKind.VERIFY_REMINDER, "Send the reminder")
        if await self._verified_within(
            account.expire_after - account.remind_after, "Verification link expires"
        ):
            return True
        await workflow.execute_activity_method(
            AccountSteps.expire_unverified_account,
            ref,
            start_to_close_timeout=SEND_ATTEMPT_TIMEOUT,
            summary="Remove the account that was never verified",
        )
        return False

    @workflow.signal
    def verified(self) -> None:
        self._verified = True

    async def _verified_within(self, within: timedelta, summary: str) -> bool:
        try:
            await workflow.wait_condition(
                lambda: self._verified, timeout=within, timeout_summary=summary
            )
        except TimeoutError:
            return False
        return True

    async def _email(
        self, account: EmailVerificationInput, kind: AccountEmailKind, summary: str
    ) -> None:
        try:
            await workflow.execute_activity_method(
                AccountSteps.send_account_email,
                AccountEmail(role=account.role, account_id=account.account_id, kind=kind),
                start_to_close_timeout=SEND_ATTEMPT_TIMEOUT,
                schedule_to_close_timeout=account.send_deadline,
                retry_policy=SEND_RETRY,
                summary=summary,
            )
        except ActivityError as error:  # out of retries (recorded as failed): the timers go on
            workflow.logger.warning("Gave up: %s (%s)", summary, error.cause)


@workflow.defn
class PasswordResetWorkflow:
    """Sends a reset link if an account has the address; the API answers the same either way."""

    @workflow.run
    async def run(self, request: PasswordResetRequest) -> None:
        await workflow.execute_activity_method(
            AccountSteps.send_password_reset,
            request,
            start_to_close_timeout=SEND_ATTEMPT_TIMEOUT,
            schedule_to_close_timeout=request.send_deadline,
            retry_policy=SEND_RETRY,
            summary="Send the reset link, if the account exists",
        )
