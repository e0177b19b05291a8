"""The codec server: the Temporal UI (and `temporal --codec-endpoint`) sends it encrypted payloads
and shows operators what they say.

It answers operators only: a bearer token (`Authorization: Bearer <CODEC_SERVER_TOKEN>`, as the
CLI's `--codec-auth` sends it) or the same token as HTTP Basic password, which a browser asks for
once at /codec/ and then sends with the UI's cross-origin requests ("include credentials"). CORS
admits the Temporal UI's origin only."""

import base64
import binascii
import hmac
from collections.abc import Awaitable, Callable, Sequence
from http import HTTPStatus

from cryptography.exceptions import InvalidTag
from google.protobuf import json_format
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from temporalio.api.common.v1 import Payload, Payloads

from api.errors import MALFORMED_REQUEST, problem_kind, problem_response
from fastship.payload_codec import EncryptionCodec, UnknownKey
from fastship.settings import Settings

Endpoint = Callable[[Request], Awaitable[Response]]
CODEC_OFF = problem_kind(
    "codec-server-off", HTTPStatus.NOT_FOUND, "The codec server is off: no operator token is set"
)
CODEC_TOKEN_REQUIRED = problem_kind(
    "codec-token-required", HTTPStatus.UNAUTHORIZED, "The codec server answers operators only"
)
UNDECRYPTABLE = problem_kind(
    "undecryptable-payload",
    HTTPStatus.UNPROCESSABLE_ENTITY,
    "A payload was encrypted with a key this server does not hold, or was altered",
)
CHALLENGE = {"WWW-Authenticate": 'Basic realm="FastShip codec server", charset="UTF-8"'}


def _presented_token(request: Request) -> str | None:
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return credential
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(credential, validate=True).decode().partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return None
    return None


def codec_app(settings: Settings) -> Starlette:
    codec = EncryptionCodec(settings.payload_keys)
    token = settings.codec_server_token
    # The development key is public: guarding its payloads would protect nothing.
    open_to_all = token is None and settings.environment == "development"

    def refusal(request: Request) -> Response | None:
        if open_to_all:
            return None
        if token is None:
            detail = "the codec server is off: CODEC_SERVER_TOKEN is not set"
            return problem_response(request, 404, detail, code=CODEC_OFF)
        presented = _presented_token(request)
        if presented is None or not hmac.compare_digest(
            presented.encode(), token.get_secret_value().encode()
        ):
            detail = "an operator's codec token is required (Bearer, or Basic as the password)"
            return problem_response(
                request, 401, detail, code=CODEC_TOKEN_REQUIRED, headers=CHALLENGE
            )
        return None

    async def sign_in(request: Request) -> Response:
        """Where an operator's browser asks for the token once, for the UI's requests after."""
        if refused := refusal(request):
            return refused
        return PlainTextResponse(
            "Signed in to the FastShip codec server; the Temporal UI can decode now."
        )

    def transforming(
        operation: Callable[[Sequence[Payload]], Awaitable[list[Payload]]],
    ) -> Endpoint:
        async def transform(request: Request) -> Response:
            if refused := refusal(request):
                return refused
            try:
                payloads = json_format.Parse(await request.body(), Payloads())
            except json_format.ParseError as exc:
                detail = f"not a Payloads JSON document: {exc}"
                return problem_response(request, 400, detail, code=MALFORMED_REQUEST)
            try:
                result = await operation(payloads.payloads)
            except (UnknownKey, InvalidTag) as exc:
                detail = str(exc) or "a payload does not decrypt with its key"
                return problem_response(request, 422, detail, code=UNDECRYPTABLE)
            return JSONResponse(json_format.MessageToDict(Payloads(payloads=result)))

        return transform

    return Starlette(
        routes=[
            Route("/", sign_in, methods=["GET"]),
            Route("/decode", transforming(codec.decode), methods=["POST"]),
            Route("/encode", transforming(codec.encode), methods=["POST"]),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=[settings.temporal_ui_url.rstrip("/")],
                allow_methods=["POST"],
                allow_headers=["Authorization", "Content-Type", "X-Namespace"],
                allow_credentials=True,
            )
        ],
    )
