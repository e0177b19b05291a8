"""Sending signed webhook messages, per the Standard Webhooks scheme, and the endpoint handshake.

Each message carries `webhook-id`, `webhook-timestamp` (when this try was sent) and
`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under the endpoint's
`whsec_` secret. Redirects are never followed, proxies from the environment never used, and the
connection goes to the address `resolve_destination` checked.
"""

import asyncio
import base64
import json
import secrets
import ssl
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from http import HTTPStatus

import httpx
from standardwebhooks import Webhook

from fastship.settings import Settings
from fastship.webhook_destinations import Destination

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
SECRET_BYTES = 32
VERIFICATION_TYPE = "webhook.verification"
USER_AGENT = "FastShip-Webhooks/1.0"
MAX_ANSWER_BYTES = 16 * 1024  # of a handshake answer; a delivery's answer is not read


@dataclass(frozen=True)
class Answer:
    """How one try went: the endpoint's status code if it answered, and why it failed if it did."""

    status: int | None
    error: str | None

    @property
    def accepted(self) -> bool:
        return self.error is None


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def encode_body(payload: Mapping[str, object]) -> bytes:
    """The bytes sent: the same for every try of one stored payload."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _signature_headers(secret: str, message_id: str, body: bytes) -> dict[str, str]:
    sent_at = datetime.now(UTC).replace(microsecond=0)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, sent_at, body.decode()),
    }


@cache
def _tls_context() -> ssl.SSLContext:
    """Built once: loading the CA bundle costs more than a small request."""
    return httpx.create_ssl_context()


def _unaccepted(status: int) -> str:
    if HTTPStatus.MULTIPLE_CHOICES <= status < HTTPStatus.BAD_REQUEST:
        return f"the endpoint answered {status}; redirects are not followed"
    return f"the endpoint answered {status}"


async def _post(
    destination: Destination,
    secret: str,
    message_id: str,
    body: bytes,
    settings: Settings,
    *,
    read_answer: bool,
) -> tuple[int, bytes]:
    """The status code and, if asked, the start of the answer. Raises httpx.HTTPError."""
    url = destination.url
    headers = {
        # The URL names the checked address; the endpoint still sees its own host name.
        "host": url.netloc.decode("ascii"),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **_signature_headers(secret, message_id, body),
    }
    seconds = settings.webhook_timeout.total_seconds()
    async with (
        httpx.AsyncClient(
            timeout=seconds, follow_redirects=False, trust_env=False, verify=_tls_context()
        ) as client,
        client.stream(
            "POST",
            url.copy_with(host=str(destination.address)),
            content=body,
            headers=headers,
            # TLS names and verifies the host, not the address.
            extensions={"sni_hostname": url.raw_host.decode("ascii")},
        ) as response,
    ):
        answer = b""
        if read_answer:
            async for chunk in response.aiter_bytes():
                answer += chunk
                if len(answer) > MAX_ANSWER_BYTES:
                    break
        return response.status_code, answer


async def _try(
    destination: Destination,
    secret: str,
    message_id: str,
    body: bytes,
    settings: Settings,
    *,
    read_answer: bool = False,
) -> tuple[Answer, bytes]:
    seconds = settings.webhook_timeout.total_seconds()
    try:
        async with asyncio.timeout(seconds):
            status, answer = await _post(
                destination, secret, message_id, body, settings, read_answer=read_answer
            )
    except (TimeoutError, httpx.TimeoutException):
        return Answer(None, f"no answer within {seconds:g} s"), b""
    except httpx.HTTPError as exc:
        return Answer(None, f"could not reach the endpoint: {exc or type(exc).__name__}"), b""
    if not HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
        return Answer(status, _unaccepted(status)), answer
    return Answer(status, None), answer


async def send(
    destination: Destination, secret: str, message_id: str, body: bytes, settings: Settings
) -> Answer:
    """One try of a message; any 2xx accepts it."""
    answer, _ = await _try(destination, secret, message_id, body, settings)
    return answer


def _echoed_challenge(answer: bytes) -> object:
    try:
        document = json.loads(answer)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return document.get("challenge") if isinstance(document, dict) else None


async def verify_endpoint(destination: Destination, secret: str, settings: Settings) -> Answer:
    """The handshake: a signed challenge the endpoint must echo as `{"challenge": ...}`, 2xx."""
    challenge = secrets.token_urlsafe(24)
    body = encode_body({"type": VERIFICATION_TYPE, "challenge": challenge})
    answer, content = await _try(
        destination, secret, str(uuid.uuid4()), body, settings, read_answer=True
    )
    if answer.accepted and _echoed_challenge(content) != challenge:
        return Answer(answer.status, 'the answer did not echo the challenge as {"challenge": ...}')
    return answer
