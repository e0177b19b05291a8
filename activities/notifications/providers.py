"""The providers that carry messages: email through SendGrid, SMS through Twilio, via their SDKs.

Every failure becomes one of two errors: ProviderRefused (a final 4xx: retrying cannot help) or
ProviderUnavailable (429, 5xx, timeout or network: try again later). Their `detail` is the
provider's short reason, never the message's content (it may hold a delivery code) nor a secret.
They are raised `from None`: Temporal would otherwise record the SDK's own, unredacted, error as
their cause.
"""

import asyncio
import http.client
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
import sendgrid  # type: ignore[import-untyped]
from python_http_client.exceptions import HTTPError  # type: ignore[import-untyped]
from sendgrid.helpers.mail import Mail  # type: ignore[import-untyped]
from twilio.base.exceptions import (  # type: ignore[import-untyped]
    TwilioRestException,
    TwilioServiceException,
)
from twilio.http.async_http_client import AsyncTwilioHttpClient  # type: ignore[import-untyped]
from twilio.rest import Client as TwilioClient  # type: ignore[import-untyped]

from fastship.settings import Settings

# Per request, connecting included. Neither SDK sets one: Twilio's async client would wait forever.
DEFAULT_TIMEOUT_SECONDS = 20.0
MAX_DETAIL_LENGTH = 300
# What the Twilio SDK puts before the provider's own message when a create fails.
TWILIO_CREATE_PREFIX = "Unable to create record: "


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Sms:
    to: str
    body: str


class ProviderRefused(Exception):
    """The provider answered a 4xx other than 429: final, sending it again cannot help."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(status, detail)
        self.status = status
        self.detail = detail

    def __str__(self) -> str:
        return f"the provider refused the message ({self.status}): {self.detail}"


class ProviderUnavailable(Exception):
    """The provider could not take the message now (429, 5xx, timeout, network): retry later."""

    def __init__(self, status: int | None, detail: str, retry_after: float | None = None) -> None:
        super().__init__(status, detail, retry_after)
        self.status = status
        self.detail = detail
        self.retry_after = retry_after  # seconds, when the provider said (Retry-After)

    def __str__(self) -> str:
        answer = "no answer" if self.status is None else str(self.status)
        return f"the provider is unavailable ({answer}): {self.detail}"


class SendGridEmail:
    """Sends email through SendGrid's Mail Send API, with plain-text and HTML parts."""

    def __init__(self, settings: Settings, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        if settings.sendgrid_api_key is None:
            raise ValueError("sending email needs SENDGRID_API_KEY")
        self._api_key = settings.sendgrid_api_key.get_secret_value()
        self._api_url = settings.sendgrid_api_url
        self._from_email = settings.sendgrid_from_email
        self._timeout = timeout

    async def send(self, email: Email) -> str:
        """Hands the email over; returns SendGrid's message id (its X-Message-Id header)."""
        mail = Mail(
            from_email=self._from_email,
            to_emails=email.to,
            subject=email.subject,
            plain_text_content=email.text,
            html_content=email.html,
        )
        confidential = (self._api_key, email.subject, email.text, email.html)
        try:
            # The SDK is synchronous (urllib underneath).
            response = await asyncio.to_thread(self._post, mail.get())
        except HTTPError as error:
            detail = _sendgrid_reason(error.body) or str(error.reason)
            raise _classify(
                error.status_code,
                _redacted(detail, confidential),
                error.headers.get("Retry-After"),
            ) from None
        except (OSError, http.client.HTTPException) as error:  # urllib: refused, reset, timed out
            reason = getattr(error, "reason", error)
            raise ProviderUnavailable(
                None, _redacted(f"SendGrid unreachable: {reason}", confidential)
            ) from None
        message_id: str | None = response.headers.get("X-Message-Id")
        return message_id or ""

    def _post(self, body: dict[str, Any]) -> Any:
        # A client per send: it keeps no connections to reuse, and it mutates its headers per call.
        client = sendgrid.SendGridAPIClient(api_key=self._api_key, host=self._api_url)
        return client.client.mail.send.post(request_body=body, timeout=self._timeout)


class TwilioSms:
    """Sends SMS through Twilio's Messages API."""

    def __init__(self, settings: Settings, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        sid, token, number = (
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_from_number,
        )
        if sid is None or token is None or number is None:
            raise ValueError(
                "sending SMS needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER"
            )
        self._account_sid = sid
        self._auth_token = token.get_secret_value()
        self._from_number = number
        self._api_url = settings.twilio_api_url
        self._timeout = timeout

    async def send(self, sms: Sms, status_callback: str | None = None) -> str:
        """Hands the SMS over; returns its Message SID. Twilio reports delivery to the callback."""
        confidential = (self._auth_token, sms.body)
        # A client (and aiohttp session) per send, closed when it ends however it ends: SMS are
        # few, so reusing connections gains little, and nobody has to close a long-lived session.
        http_client = _TwilioHttpClient()
        try:
            async with http_client, asyncio.timeout(self._timeout):
                client = TwilioClient(self._account_sid, self._auth_token, http_client=http_client)
                client.api.base_url = self._api_url
                message = await client.messages.create_async(
                    to=sms.to,
                    from_=self._from_number,
                    body=sms.body,
                    status_callback=status_callback,
                )
        except TwilioRestException as error:
            detail = str(error.msg).removeprefix(TWILIO_CREATE_PREFIX)
            raise _classify(
                error.status, _redacted(detail, confidential), http_client.retry_after
            ) from None
        except TwilioServiceException as error:
            detail = str(error.detail or error.title)
            raise _classify(
                error.status, _redacted(detail, confidential), http_client.retry_after
            ) from None
        except TimeoutError:
            raise ProviderUnavailable(
                None, f"Twilio did not answer within {self._timeout:g} s"
            ) from None
        except aiohttp.ClientError as error:
            raise ProviderUnavailable(
                None, _redacted(f"Twilio unreachable: {error}", confidential)
            ) from None
        sid: str | None = message.sid
        return sid or ""


class _TwilioHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]
    """Twilio's aiohttp client, keeping the Retry-After its exceptions leave out, and sending
    credentials as a header: aiohttp deprecates the BasicAuth object the SDK would pass it."""

    retry_after: str | None = None

    async def request(
        self,
        *args: Any,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        if auth is not None:
            headers = {**(headers or {}), "Authorization": aiohttp.encode_basic_auth(*auth)}
        response = await super().request(*args, headers=headers, **kwargs)
        self.retry_after = response.headers.get("Retry-After")
        return response


def _classify(status: int, detail: str, retry_after: str | None) -> Exception:
    if 400 <= status < 500 and status != 429:
        return ProviderRefused(status, detail)
    return ProviderUnavailable(status, detail, _seconds(retry_after))


def _seconds(retry_after: str | None) -> float | None:
    """Retry-After in seconds (its rarer HTTP-date form counts as absent)."""
    digits = (retry_after or "").strip()
    return float(digits) if digits.isascii() and digits.isdecimal() else None


def _sendgrid_reason(body: bytes) -> str | None:
    """The first error's message from a SendGrid error body (`{"errors": [{"message": …}]}`)."""
    try:
        message = json.loads(body)["errors"][0]["message"]
    except (ValueError, LookupError, TypeError):
        return None
    return str(message) if message else None


def _redacted(detail: str, confidential: Iterable[str]) -> str:
    """The detail without anything confidential a provider might have quoted back, kept short."""
    for text in confidential:
        if text:
            detail = detail.replace(text, "[redacted]")
    return detail[:MAX_DETAIL_LENGTH]
