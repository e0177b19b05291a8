"""The account workflows' timers, skipped: a verification email, its reminder a day later, the
unverified account removed after a week; and the password reset link, retried until sent."""

import uuid
from datetime import UTC, datetime, timedelta

from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.domain import Role
from models.workflow_io import (
    AccountEmail,
    AccountEmailKind,
    AccountRef,
    ActivityName,
    EmailVerificationInput,
    PasswordResetRequest,
)
from workflows.accounts import EmailVerificationWorkflow, PasswordResetWorkflow

QUEUE = "account-workflows"
DAY = timedelta(days=1)


class FakeAccounts:
    """What the workflows asked for, when (in the workflow's clock), and answers to give."""

    def __init__(self, env: WorkflowEnvironment, failures_before_reset_sent: int = 0) -> None:
        self._env = env
        self.emails: list[tuple[AccountEmailKind, datetime]] = []
        self.expired: list[tuple[AccountRef, datetime]] = []
        self.resets: list[PasswordResetRequest] = []
        self._reset_failures = failures_before_reset_sent

    @activity.defn(name=ActivityName.SEND_ACCOUNT_EMAIL)
    async def send_account_email(self, request: AccountEmail) -> None:
        self.emails.append((request.kind, await self._env.get_current_time()))

    @activity.defn(name=ActivityName.EXPIRE_UNVERIFIED_ACCOUNT)
    async def expire_unverified_account(self, ref: AccountRef) -> bool:
        self.expired.append((ref, await self._env.get_current_time()))
        return True

    @activity.defn(name=ActivityName.SEND_PASSWORD_RESET)
    async def send_password_reset(self, request: PasswordResetRequest) -> None:
        if self._reset_failures:
            self._reset_failures -= 1
            raise ApplicationError("SendGrid answered 503")
        self.resets.append(request)


def _verification() -> EmailVerificationInput:
    return EmailVerificationInput(
        role=Role.PARTNER,
        account_id=uuid.uuid4(),
        remind_after=DAY,
        expire_after=7 * DAY,
        send_deadline=DAY,
    )


def _worker(env: WorkflowEnvironment, fakes: FakeAccounts) -> Worker:
    return Worker(
        env.client,
        task_queue=QUEUE,
        workflows=[EmailVerificationWorkflow, PasswordResetWorkflow],
        activities=[
            fakes.send_account_email,
            fakes.expire_unverified_account,
            fakes.send_password_reset,
        ],
    )


async def test_an_unverified_account_is_reminded_after_a_day_and_removed_after_a_week(
    time_skipping: WorkflowEnvironment,
) -> None:
    fakes = FakeAccounts(time_skipping)
    account = _verification()
    async with _worker(time_skipping, fakes):
        started = await time_skipping.get_current_time()
        verified = await time_skipping.client.execute_workflow(
            EmailVerificationWorkflow.run, account, id=f"verify-{uuid.uuid4()}", task_queue=QUEUE
        )

    assert verified is False
    kinds = [kind for kind, _ in fakes.emails]
    assert kinds == [AccountEmailKind.VERIFY, AccountEmailKind.VERIFY_REMINDER]
    reminded_after = fakes.emails[1][1] - started
    assert DAY <= reminded_after < DAY + timedelta(minutes=1)
    [(ref, removed_at)] = fakes.expired
    assert ref.account_id == account.account_id
    assert 7 * DAY <= removed_at - started < 7 * DAY + timedelta(minutes=1)


async def test_a_verified_account_gets_no_reminder_and_is_kept(
    time_skipping: WorkflowEnvironment,
) -> None:
    fakes = FakeAccounts(time_skipping)
    async with _worker(time_skipping, fakes):
        handle = await time_skipping.client.start_workflow(
            EmailVerificationWorkflow.run,
            _verification(),
            id=f"verify-{uuid.uuid4()}",
            task_queue=QUEUE,
        )
        await time_skipping.sleep(timedelta(hours=3))
        await handle.signal(EmailVerificationWorkflow.verified)
        verified = await handle.result()

    assert verified is True
    assert [kind for kind, _ in fakes.emails] == [AccountEmailKind.VERIFY]
    assert fakes.expired == []


async def test_a_reset_link_is_retried_until_the_provider_takes_it(
    time_skipping: WorkflowEnvironment,
) -> None:
    fakes = FakeAccounts(time_skipping, failures_before_reset_sent=3)
    request = PasswordResetRequest(
        role=Role.SELLER,
        email="ana@example.com",
        request_id=uuid.uuid4(),
        requested_at=datetime.now(UTC),
        send_deadline=DAY,
    )
    async with _worker(time_skipping, fakes):
        await time_skipping.client.execute_workflow(
            PasswordResetWorkflow.run, request, id=f"reset-{uuid.uuid4()}", task_queue=QUEUE
        )

    assert fakes.resets == [request]
