"""Local stand-ins for SendGrid and Twilio: real HTTP servers the real SDKs can talk to.

Each records what it receives, answers like the provider does, fails on demand (`fail_next`) and
can keep requests waiting (`hold`/`release`), e.g. while a test stops a worker mid-request.
"""

import asyncio
import json
import secrets
from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any, ClassVar, Self

from aiohttp import BasicAuth, web
from pydantic import SecretStr
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from fastship.settings import Settings


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class SentEmail:
    id: str
    to: str
    from_: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class SentSms:
    sid: str
    to: str
    from_: str
    body: str
    status_callback: str | None


@dataclass(frozen=True)
class _Failure:
    status: int
    retry_after: int | None
    message: str | None


class _FakeProvider(ABC):
    """The server, the request log, and the failures and holds both fakes share."""

    path: ClassVar[str]  # the one endpoint it serves (POST)

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self._failures: deque[_Failure] = deque()
        self._released = asyncio.Event()
        self._released.set()
        self._held = 0
        self._held_changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def fail_next(
        self,
        status: int,
        count: int = 1,
        retry_after: int | None = None,
        message: str | None = None,
    ) -> None:
        """The next `count` requests get `status` with the provider's error body (and message)."""
        self._failures.extend([_Failure(status, retry_after, message)] * count)

    def hold(self) -> None:
        """Requests from now on wait (recorded, unanswered) until `release`; then each is handled
        as usual, even if its client has gone meanwhile, as a real provider would."""
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    async def until_held(self, count: int = 1) -> None:
        """Returns once `count` requests are waiting on `hold`."""
        async with asyncio.timeout(10), self._held_changed:
            await self._held_changed.wait_for(lambda: self._held >= count)

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post(self.path, self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append(
            ReceivedRequest(request.method, request.path, dict(request.headers), body)
        )
        await self._count_held(+1)
        try:
            await self._released.wait()
        finally:
            await self._count_held(-1)
        if self._failures:
            failure = self._failures.popleft()
            headers = (
                {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
            )
            message = failure.message or HTTPStatus(failure.status).phrase
            return self._error(failure.status, message, headers)
        return await self._accept(request)

    async def _count_held(self, change: int) -> None:
        async with self._held_changed:
            self._held += change
            self._held_changed.notify_all()

    @abstractmethod
    def _error(self, status: int, message: str, headers: dict[str, str]) -> web.Response:
        """The provider's error answer."""

    @abstractmethod
    async def _accept(self, request: web.Request) -> web.Response:
        """Checks credentials and content; records and answers an accepted message."""


class FakeSendGrid(_FakeProvider):
    """`POST /v3/mail/send` with a Bearer API key; answers 202 and an X-Message-Id."""

    path = "/v3/mail/send"

    def __init__(self) -> None:
        super().__init__()
        self.api_key = f"SG.{secrets.token_urlsafe(32)}"
        self.messages: list[SentEmail] = []

    def settings(self, base: Settings) -> Settings:
        return base.model_copy(
            update={"sendgrid_api_key": SecretStr(self.api_key), "sendgrid_api_url": self.url}
        )

    def _error(self, status: int, message: str, headers: dict[str, str]) -> web.Response:
        error = {"message": message, "field": None, "help": None}
        return web.json_response({"errors": [error]}, status=status, headers=headers)

    async def _accept(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            message = "The provided authorization grant is invalid, expired, or revoked"
            return self._error(401, message, {})
        try:
            email = self._email(json.loads(await request.read()))
        except (ValueError, LookupError, TypeError):
            return self._error(400, "Bad Request", {})
        self.messages.append(email)
        return web.Response(status=202, headers={"X-Message-Id": email.id})

    @staticmethod
    def _email(mail: dict[str, Any]) -> SentEmail:
        content = {part["type"]: part["value"] for part in mail["content"]}
        return SentEmail(
            id=secrets.token_urlsafe(16),
            to=mail["personalizations"][0]["to"][0]["email"],
            from_=mail["from"]["email"],
            subject=mail["subject"],
            text=content["text/plain"],
            html=content["text/html"],
        )


class FakeTwilio(_FakeProvider):
    """`POST /2010-04-01/Accounts/{sid}/Messages.json` with basic auth; answers 201 queued."""

    path = "/2010-04-01/Accounts/{sid}/Messages.json"

    def __init__(self) -> None:
        super().__init__()
        self.account_sid = f"AC{secrets.token_hex(16)}"
        self.auth_token = secrets.token_hex(16)
        self.from_number = "+15005550006"
        self.messages: list[SentSms] = []

    def settings(self, base: Settings) -> Settings:
        return base.model_copy(
            update={
                "twilio_account_sid": self.account_sid,
                "twilio_auth_token": SecretStr(self.auth_token),
                "twilio_from_number": self.from_number,
                "twilio_api_url": self.url,
            }
        )

    def _error(self, status: int, message: str, headers: dict[str, str]) -> web.Response:
        code = 20000 + status
        error = {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        return web.json_response(error, status=status, headers=headers)

    async def _accept(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(401, "Authenticate", {})
        form = await request.post()
        to, from_, body_text = form.get("To"), form.get("From"), form.get("Body")
        if not (isinstance(to, str) and isinstance(from_, str) and isinstance(body_text, str)):
            return self._error(400, "'To', 'From' and 'Body' are required.", {})
        callback = form.get("StatusCallback")
        sms = SentSms(
            sid=f"SM{secrets.token_hex(16)}",
            to=to,
            from_=from_,
            body=body_text,
            status_callback=callback if isinstance(callback, str) else None,
        )
        self.messages.append(sms)
        payload = {
            "sid": sms.sid,
            "account_sid": self.account_sid,
            "status": "queued",
            "to": sms.to,
            "from": sms.from_,
            "body": sms.body,
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "num_segments": "1",
        }
        return web.json_response(payload, status=201)

    def _authorized(self, request: web.Request) -> bool:
        try:
            auth = BasicAuth.decode(request.headers.get("Authorization", ""))
        except ValueError:
            return False
        return (auth.login, auth.password) == (self.account_sid, self.auth_token) and (
            request.match_info["sid"] == self.account_sid
        )


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """The X-Twilio-Signature Twilio sends with a status callback to `url` carrying `params`."""
    signature: str = RequestValidator(auth_token).compute_signature(url, params)
    return signature
