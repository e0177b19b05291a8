"""Contract fuzzing: schemathesis generates requests from the OpenAPI document, checks the answers.

Requests go through the in-process app of the `api` fixture (its lifespan running, a worker beside
it): public operations anonymously, the others anonymously, as a seller and as a partner. Every
answer must be no server error, its status code, content type, headers and body ones the document
declares, and requests that break the schema must be refused.
"""

import asyncio
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from fastship.settings import Settings
from tests.accounts import SignUp
from tests.helpers import PAYLOAD_KEYS

Case = schemathesis.Case[Any]
BASE_URL = "http://fastship.test"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
FUZZING = settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# The document depends on no server, so it is read at collection, from the test environment's app.
_document = create_app(
    Settings(
        environment="test",
        jwt_secret=SecretStr("x" * 32),
        payload_encryption_keys=SecretStr(PAYLOAD_KEYS),
    )
).openapi()
schema = schemathesis.openapi.from_dict(_document)
SECURED = [
    f"{method.upper()} {path}"
    for path, operations in _document["paths"].items()
    for method, operation in operations.items()
    if operation.get("security")
]


@pytest.fixture(scope="session")
async def session_loop() -> asyncio.AbstractEventLoop:
    """The loop the app, the worker and the database pools run on."""
    return asyncio.get_running_loop()


@pytest.fixture(params=["anonymous", "seller", "partner"])
async def auth(
    request: pytest.FixtureRequest, sign_up_seller: SignUp, sign_up_partner: SignUp
) -> dict[str, str]:
    if request.param == "seller":
        return await sign_up_seller()
    if request.param == "partner":
        return await sign_up_partner(["10001", "SW1A1AA"])
    return {}


def call_and_validate(
    case: Case,
    api: httpx.AsyncClient,
    loop: asyncio.AbstractEventLoop,
    headers: dict[str, str],
) -> None:
    # Encoded as schemathesis' own requests transport would, then sent to the in-process app on
    # the session loop. The tests are sync because hypothesis drives the examples.
    kwargs: dict[str, Any] = case.as_transport_kwargs(base_url=BASE_URL, headers=headers)
    prepared = requests.Request(**kwargs).prepare()
    body = prepared.body
    assert body is None or isinstance(body, bytes | str)
    request = api.build_request(
        str(prepared.method),
        str(prepared.url),
        headers=[
            # As http.client puts them on the wire.
            (name.encode("latin-1"), value.encode("latin-1") if isinstance(value, str) else value)
            for name, value in prepared.headers.items()
        ],
        content=body,
    )
    response = loop.run_until_complete(api.send(request))
    case.validate_response(response, checks=CHECKS)


# Streams never end: the in-process transport would wait for their body forever. They have tests
# of their own over a real server (test_streams.py).
STREAMS = r"/(stream|seller/events|partner/events)$"


@schema.exclude(name=SECURED).exclude(path_regex=STREAMS).parametrize()
# A parameter of its own keeps the node ids unique: on pytest 9.2 schemathesis 4.32 gives an
# operation's id no `[METHOD /path]` suffix unless the test has another parameter.
@pytest.mark.parametrize("headers", [{}], ids=["anonymous"])
@FUZZING
def test_public_operations_honour_the_contract(
    case: Case,
    api: httpx.AsyncClient,
    session_loop: asyncio.AbstractEventLoop,
    headers: dict[str, str],
) -> None:
    call_and_validate(case, api, session_loop, headers)


@schema.include(name=SECURED).exclude(path_regex=STREAMS).parametrize()
@FUZZING
def test_secured_operations_honour_the_contract(
    case: Case,
    api: httpx.AsyncClient,
    session_loop: asyncio.AbstractEventLoop,
    auth: dict[str, str],
) -> None:
    call_and_validate(case, api, session_loop, auth)
