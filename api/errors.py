"""One exception hierarchy carrying the HTTP status; handlers render every error as RFC 9457."""

import asyncio
import traceback
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar

import asyncpg
import sqlalchemy.exc
import structlog
from asgi_correlation_id import correlation_id
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException
from starlette.routing import Match

log = structlog.get_logger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
REQUEST_ID_HEADER = "X-Request-ID"
PROBLEM_TYPES_PATH = "/api/v1/problems"  # where each kind's `type` URI documents it


@dataclass(frozen=True)
class ProblemKind:
    """One kind of problem the API answers: its stable code, its status, what it means."""

    code: str
    status: HTTPStatus
    description: str


PROBLEM_KINDS: dict[str, ProblemKind] = {}


def problem_kind(code: str, status: HTTPStatus, description: str) -> str:
    """Registers a kind of problem for the catalog at PROBLEM_TYPES_PATH; returns its code."""
    known = PROBLEM_KINDS.setdefault(code, ProblemKind(code, status, description))
    assert known.status == status, f"problem code {code} is used with two statuses"
    return code


# Problems the handlers below answer for the framework.
INVALID_REQUEST = problem_kind(
    "invalid-request", HTTPStatus.UNPROCESSABLE_ENTITY, "A parameter or a body field is invalid"
)
MALFORMED_REQUEST = problem_kind(
    "malformed-request", HTTPStatus.BAD_REQUEST, "The body is not the JSON it should be"
)
NO_SUCH_ROUTE = problem_kind("no-such-route", HTTPStatus.NOT_FOUND, "Nothing is served here")
METHOD_NOT_ALLOWED = problem_kind(
    "method-not-allowed",
    HTTPStatus.METHOD_NOT_ALLOWED,
    "The resource does not answer this method; `Allow` lists those it does",
)
BODY_TOO_LARGE = problem_kind(
    "body-too-large", HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "The request body is over the limit"
)
INTERNAL_ERROR = problem_kind(
    "internal-error", HTTPStatus.INTERNAL_SERVER_ERROR, "A bug, logged with the request id"
)


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "https://api.fastship.example/api/v1/problems/shipment-not-found",
                    "code": "shipment-not-found",
                    "title": "Not Found",
                    "status": 404,
                    "detail": "No shipment 7f0c2a52-4b8e-4a5e-9a57-3f1f2a7e9b11",
                    "instance": "/api/v1/shipment/7f0c2a52-4b8e-4a5e-9a57-3f1f2a7e9b11",
                    "request_id": "0b7e7d3c9d0f4d2b8d7f6c0e2a1b3c4d",
                }
            ]
        },
    )

    type: str  # a URI per kind of problem, documenting it
    code: str  # the kind's stable code, for programs to branch on
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None


class AppError(Exception):
    """A refusal the API answers as a problem: each class one kind, with its status and a
    stable code (its docstring describes it in the problem catalog)."""

    status: ClassVar[HTTPStatus] = HTTPStatus.INTERNAL_SERVER_ERROR
    code: ClassVar[str] = INTERNAL_ERROR
    headers: Mapping[str, str] = {}  # sent with the problem; set per class or per error

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            problem_kind(cls.code, cls.status, " ".join((cls.__doc__ or cls.code).split()))

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class BadRequest(AppError):
    """The request cannot be taken as sent."""

    status = HTTPStatus.BAD_REQUEST
    code = "bad-request"


class Unprocessable(AppError):
    """The request is well formed but breaks a rule the detail names."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "unprocessable"


class NotFound(AppError):
    """No such resource, or not one of yours."""

    status = HTTPStatus.NOT_FOUND
    code = "not-found"


class Conflict(AppError):
    """The resource's state does not allow this now."""

    status = HTTPStatus.CONFLICT
    code = "conflict"


class Unauthorized(AppError):
    """Missing, invalid, expired or revoked credentials."""

    status = HTTPStatus.UNAUTHORIZED
    code = "unauthorized"
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    """The credentials are valid but do not allow this."""

    status = HTTPStatus.FORBIDDEN
    code = "forbidden"


class TooManyRequests(AppError):
    """A rate limit was reached; the headers say which and when to retry."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "rate-limited"

    def __init__(self, detail: str, headers: Mapping[str, str], **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.headers = headers


class ServiceUnavailable(AppError):
    """A server FastShip needs did not answer; nothing was lost, retry shortly."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    code = "unavailable"


class DatabaseUnavailable(ServiceUnavailable):
    """The database is unreachable; retry with the same Idempotency-Key."""

    code = "database-unavailable"
    headers = {"Retry-After": "2"}

    def __init__(self) -> None:
        super().__init__(
            "The database is unreachable; nothing was changed by this request unless "
            "a retry with the same Idempotency-Key finds it done. Retry shortly"
        )


# asyncpg's connection-level failures: the server went away, is shutting down or starting up,
# or a connection broke mid-protocol. (PostgreSQL's classes 08 and 57.)
_ASYNCPG_OUTAGES = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)


def is_database_outage(exc: BaseException) -> bool:
    """The database could not be reached or dropped the connection: not a bug, an outage."""
    if isinstance(exc, sqlalchemy.exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        return exc.connection_invalidated or isinstance(
            exc.orig.__cause__ if exc.orig else None, _ASYNCPG_OUTAGES
        )
    if isinstance(exc, _ASYNCPG_OUTAGES):
        return True
    # Connecting raises the socket's own error, unwrapped: count it when asyncpg raised it.
    return isinstance(exc, OSError | TimeoutError) and any(
        "/asyncpg/" in frame.filename for frame in traceback.extract_tb(exc.__traceback__)
    )


REDIS_TIMEOUT_SECONDS = 2.0


@asynccontextmanager
async def redis_required(doing: str) -> AsyncIterator[None]:
    """Fails closed: Redis erring, or silent for 2 s, answers 503 instead of skipping the check."""
    try:
        async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
            yield
    except (RedisError, TimeoutError) as exc:
        log.warning("redis unavailable", doing=doing, error=repr(exc))
        raise ServiceUnavailable(f"Redis is unreachable while {doing}; retry shortly") from exc


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    code: str,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    problem = Problem(
        type=f"{str(request.base_url).rstrip('/')}{PROBLEM_TYPES_PATH}/{code}",
        code=code,
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        request_id=correlation_id.get(),
        **extensions,
    )
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=int(status),
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def _describe_validation_errors(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    # The offending input is never echoed back: it may be a password.
    errors = [
        {
            "location": ".".join(str(part) for part in error["loc"]),
            "message": error["msg"],
            "type": error["type"],
        }
        for error in exc.errors()
    ]
    detail = "; ".join(f"{error['location']}: {error['message']}" for error in errors)
    return detail, errors


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem_response(
        request,
        exc.status,
        exc.detail,
        code=exc.code,
        headers=exc.headers or None,
        **exc.extensions,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail, errors = _describe_validation_errors(exc)
    # A body that is not JSON at all is malformed (400); valid JSON with bad values is 422.
    malformed = any(error["type"] == "json_invalid" for error in errors)
    if malformed:
        return problem_response(
            request, HTTPStatus.BAD_REQUEST, detail, code=MALFORMED_REQUEST, errors=errors
        )
    return problem_response(
        request, HTTPStatus.UNPROCESSABLE_ENTITY, detail, code=INVALID_REQUEST, errors=errors
    )


HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers at this path (each route holds one)."""
    routes = request.app.router.routes
    return [
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        allowed = allowed_methods(request)
        allow = {"Allow": ", ".join(allowed)}
        if request.method == "OPTIONS":
            return Response(status_code=int(HTTPStatus.NO_CONTENT), headers=allow)
        detail = f"{request.url.path} answers {', '.join(allowed)}, not {request.method}"
        return problem_response(
            request, exc.status_code, detail, code=METHOD_NOT_ALLOWED, headers=allow
        )
    status = HTTPStatus(exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) else status.phrase
    if status is HTTPStatus.NOT_FOUND:
        code = NO_SUCH_ROUTE
    else:  # another status the framework answered (413, ...): its kind is the status itself
        slug = status.phrase.lower().replace(" ", "-")
        code = problem_kind(slug, status, status.description or status.phrase)
    return problem_response(request, status, detail, code=code, headers=exc.headers)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """A database outage answers 503 (readiness fails meanwhile); any other error is a bug."""
    if not is_database_outage(exc):
        return await _unexpected_error(request, exc)
    log.warning("database unavailable", path=request.url.path, error=repr(exc))
    return await _app_error(request, DatabaseUnavailable())


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", path=request.url.path, exc_info=exc)
    request_id = correlation_id.get()
    return problem_response(
        request,
        HTTPStatus.INTERNAL_SERVER_ERROR,
        "An unexpected error occurred; it has been logged with this request id.",
        code=INTERNAL_ERROR,
        # Starlette answers unexpected errors outside the request id middleware.
        headers={REQUEST_ID_HEADER: request_id} if request_id else None,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for database_error in (
        sqlalchemy.exc.DBAPIError,
        sqlalchemy.exc.TimeoutError,
        *_ASYNCPG_OUTAGES,
        OSError,
        TimeoutError,
    ):
        app.add_exception_handler(database_error, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)


def documented_problem(
    description: str, headers: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """An OpenAPI response entry for a problem+json answer, with the headers it carries."""
    entry: dict[str, Any] = {
        "model": Problem,
        "content": {PROBLEM_MEDIA_TYPE: {}},
        "description": description,
    }
    if headers:
        entry["headers"] = {
            name: {"description": about, "schema": {"type": "string"}}
            for name, about in headers.items()
        }
    return entry


Responses = dict[int | str, dict[str, Any]]

INVALID_RESPONSES: Responses = {422: documented_problem("Invalid parameters or body")}
BODY_RESPONSES: Responses = INVALID_RESPONSES | {400: documented_problem("Malformed body")}
RATE_LIMITED_RESPONSES: Responses = {
    429: documented_problem(
        "Too many requests; the problem says which limit, the headers when to retry",
        {
            "Retry-After": "Seconds until a request can succeed again",
            "RateLimit-Policy": "The limit exceeded: quota `q` per window `w` seconds",
            "RateLimit": "What remains of each limit (`r`) and seconds until it frees (`t`)",
        },
    ),
    503: documented_problem("Redis, which keeps rate limits, is unreachable; retry shortly"),
}
AUTH_RESPONSES: Responses = (
    INVALID_RESPONSES
    | RATE_LIMITED_RESPONSES
    | {
        401: documented_problem("Missing, invalid, expired or revoked token"),
        403: documented_problem("The token belongs to another role"),
        503: documented_problem(
            "Redis, which checks tokens and rate limits, is unreachable; retry shortly"
        ),
    }
)
NOT_FOUND_RESPONSES: Responses = {404: documented_problem("Not found, or not yours")}
UNAVAILABLE_RESPONSES: Responses = {
    503: documented_problem("The workflow service did not confirm in time; retry")
}
