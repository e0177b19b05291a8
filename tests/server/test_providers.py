"""The SendGrid and Twilio senders, through the real SDKs, against local fake providers."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from pydantic import SecretStr
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from activities.notifications.providers import (
    Email,
    ProviderRefused,
    ProviderUnavailable,
    SendGridEmail,
    Sms,
    TwilioSms,
)
from fastship.settings import Settings
from launcher.embedded import free_port
from tests.fake_providers import FakeSendGrid, FakeTwilio, twilio_signature
from tests.helpers import PAYLOAD_KEYS

CODE = "482913"
EMAIL = Email(
    to="ada@example.com",
    subject="Arriving today",
    text=f"Your parcel arrives today. Delivery code: {CODE}",
    html=f"<p>Your parcel arrives today. Delivery code: <b>{CODE}</b></p>",
)
SMS = Sms(to="+15551234567", body=f"FastShip: your delivery code is {CODE}")
CALLBACK = "https://fastship.example/api/v1/notifications/twilio/status"


@pytest.fixture
def base() -> Settings:
    return Settings(
        environment="test",
        jwt_secret=SecretStr("x" * 40),
        payload_encryption_keys=SecretStr(PAYLOAD_KEYS),
    )


async def test_an_email_is_handed_over_with_both_parts(
    sendgrid: FakeSendGrid, base: Settings
) -> None:
    settings = sendgrid.settings(base)

    message_id = await SendGridEmail(settings).send(EMAIL)

    [sent] = sendgrid.messages
    assert (sent.from_, sent.to, sent.subject) == (
        settings.sendgrid_from_email,
        EMAIL.to,
        EMAIL.subject,
    )
    assert (sent.text, sent.html) == (EMAIL.text, EMAIL.html)
    assert message_id == sent.id


async def test_an_sms_is_handed_over_with_its_status_callback(
    twilio: FakeTwilio, base: Settings
) -> None:
    sid = await TwilioSms(twilio.settings(base)).send(SMS, status_callback=CALLBACK)

    [sent] = twilio.messages
    assert (sent.from_, sent.to, sent.body) == (twilio.from_number, SMS.to, SMS.body)
    assert sent.status_callback == CALLBACK
    assert sid == sent.sid
    assert sid.startswith("SM")


async def test_an_sms_without_callback_sends_none(twilio: FakeTwilio, base: Settings) -> None:
    await TwilioSms(twilio.settings(base)).send(SMS)

    assert twilio.messages[0].status_callback is None


@dataclass
class Provider:
    """One fake provider, the settings pointing at it, and what the sender sends through it."""

    fake: FakeSendGrid | FakeTwilio
    settings: Settings

    async def send(self, within: float = 5) -> str:
        if isinstance(self.fake, FakeSendGrid):
            return await SendGridEmail(self.settings, timeout=within).send(EMAIL)
        return await TwilioSms(self.settings, timeout=within).send(SMS, status_callback=CALLBACK)

    @property
    def accepted_ids(self) -> list[str]:
        if isinstance(self.fake, FakeSendGrid):
            return [email.id for email in self.fake.messages]
        return [sms.sid for sms in self.fake.messages]

    @property
    def secret(self) -> str:
        return self.fake.api_key if isinstance(self.fake, FakeSendGrid) else self.fake.auth_token

    @property
    def content(self) -> str:
        return EMAIL.text if isinstance(self.fake, FakeSendGrid) else SMS.body

    def with_settings(self, **update: object) -> "Provider":
        return Provider(self.fake, self.settings.model_copy(update=update))


@pytest.fixture(params=["sendgrid", "twilio"])
async def provider(request: pytest.FixtureRequest, base: Settings) -> AsyncIterator[Provider]:
    fake = FakeSendGrid() if request.param == "sendgrid" else FakeTwilio()
    async with fake:
        yield Provider(fake, fake.settings(base))


async def test_a_server_error_is_worth_retrying(provider: Provider) -> None:
    provider.fake.fail_next(500)

    with pytest.raises(ProviderUnavailable) as raised:
        await provider.send()

    assert raised.value.status == 500
    assert raised.value.retry_after is None
    assert len(provider.fake.requests) == 1
    assert provider.accepted_ids == []


async def test_too_many_requests_says_when_to_retry(provider: Provider) -> None:
    provider.fake.fail_next(429, retry_after=7)

    with pytest.raises(ProviderUnavailable) as raised:
        await provider.send()

    assert raised.value.status == 429
    assert raised.value.retry_after == 7


async def test_a_bad_request_is_refused_with_the_providers_reason(provider: Provider) -> None:
    provider.fake.fail_next(400, message="The 'To' number is not a valid phone number.")

    with pytest.raises(ProviderRefused) as raised:
        await provider.send()

    assert raised.value.status == 400
    assert raised.value.detail == "The 'To' number is not a valid phone number."


async def test_once_failures_pass_the_message_goes_through(provider: Provider) -> None:
    provider.fake.fail_next(503, count=2)

    for _ in range(2):
        with pytest.raises(ProviderUnavailable):
            await provider.send()
    message_id = await provider.send()

    assert len(provider.fake.requests) == 3
    assert provider.accepted_ids == [message_id]


async def test_a_wrong_secret_is_refused(provider: Provider) -> None:
    wrong = SecretStr("not-the-right-secret")
    if isinstance(provider.fake, FakeSendGrid):
        provider = provider.with_settings(sendgrid_api_key=wrong)
    else:
        provider = provider.with_settings(twilio_auth_token=wrong)

    with pytest.raises(ProviderRefused) as raised:
        await provider.send()

    assert raised.value.status == 401
    assert raised.value.detail
    assert provider.accepted_ids == []


async def test_nobody_listening_is_worth_retrying(provider: Provider) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    provider = provider.with_settings(sendgrid_api_url=closed, twilio_api_url=closed)

    with pytest.raises(ProviderUnavailable) as raised:
        await provider.send()

    assert raised.value.status is None
    assert provider.fake.requests == []


async def test_a_provider_that_does_not_answer_times_out(provider: Provider) -> None:
    provider.fake.hold()

    with pytest.raises(ProviderUnavailable) as raised:
        await provider.send(within=0.5)

    assert raised.value.status is None
    assert len(provider.fake.requests) == 1


async def test_a_held_request_is_answered_once_released(provider: Provider) -> None:
    provider.fake.hold()
    sending = asyncio.create_task(provider.send())
    await provider.fake.until_held()
    assert provider.accepted_ids == []

    provider.fake.release()

    assert [await sending] == provider.accepted_ids


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, ProviderRefused), (429, ProviderUnavailable), (500, ProviderUnavailable)],
)
async def test_no_detail_repeats_the_content_or_the_secret(
    provider: Provider, status: int, error: type[ProviderRefused] | type[ProviderUnavailable]
) -> None:
    provider.fake.fail_next(status, message=f"rejected {provider.content!r} {provider.secret}")

    with pytest.raises(error) as raised:
        await provider.send()

    failure = raised.value
    assert isinstance(failure, error)  # narrows the type for mypy
    for shown in (failure.detail, str(failure)):
        assert "rejected" in shown
        assert CODE not in shown
        assert provider.secret not in shown


def test_a_status_callback_signature_is_one_twilio_would_send() -> None:
    params = {"MessageSid": f"SM{'1' * 32}", "MessageStatus": "delivered"}

    signature = twilio_signature("token", CALLBACK, params)

    validator = RequestValidator("token")
    assert validator.validate(CALLBACK, params, signature)
    assert not validator.validate(CALLBACK, params | {"MessageStatus": "failed"}, signature)
