"""Rate limits per token, per delivery-code guess and per account route, shared by API processes."""

import asyncio
import contextlib
import itertools
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from starlette.requests import Request

from api.errors import ServiceUnavailable
from api.ratelimit import RateLimiter, limit_account_route
from fastship.settings import Settings
from launcher.embedded import free_port
from tests.accounts import PASSWORD, SignUp, log_in
from tests.helpers import serve_api
from tests.shipments import SHIPMENT, created, delivery_code, out_for_delivery

ME = "/api/v1/seller/me"
# The limits of the API processes started here; the in-process `api` fixture's are generous.
PROCESS_LIMITS = {
    "RATE_LIMIT_ACCOUNT_PER_IP": "3/minute",
    "RATE_LIMIT_ACCOUNT_PER_ACCOUNT": "2/minute",
    "RATE_LIMIT_PER_TOKEN": "6/minute",
    "RATE_LIMIT_DELIVERY_CODE_PER_IP": "2/minute",
    "RATE_LIMIT_DELIVERY_CODE_PER_SHIPMENT": "3/minute",
}


async def _start_api_process(
    settings: Settings, log: Path
) -> tuple[asyncio.subprocess.Process, str]:
    port = free_port()
    env = (
        os.environ
        | PROCESS_LIMITS
        | {
            "ENVIRONMENT": "test",
            "JWT_SECRET": settings.jwt_secret.get_secret_value(),
            "PAYLOAD_ENCRYPTION_KEYS": settings.payload_encryption_keys.get_secret_value(),
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": settings.redis_url,
            "TEMPORAL_ADDRESS": settings.temporal_address,
            "API_HOST": "127.0.0.1",
            "API_PORT": str(port),
        }
    )
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "launcher", "api", env=env, stdout=output, stderr=output
        )
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=url) as client, asyncio.timeout(30):
        while process.returncode is None:
            with contextlib.suppress(httpx.TransportError):
                if (await client.get("/health/live")).status_code == 200:
                    return process, url
            await asyncio.sleep(0.1)
    raise AssertionError(f"the API process exited while starting; see {log}")


@pytest.fixture(scope="module")
async def api_processes(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Two `fastship api` processes on one Redis, with the low PROCESS_LIMITS."""
    logs = tmp_path_factory.mktemp("api-processes")
    started = await asyncio.gather(
        *(_start_api_process(settings, logs / f"api-{n}.log") for n in (1, 2))
    )
    try:
        async with (
            httpx.AsyncClient(base_url=started[0][1]) as first,
            httpx.AsyncClient(base_url=started[1][1]) as second,
        ):
            yield first, second
    finally:
        for process, _ in started:
            process.terminate()
            await process.wait()


async def test_the_per_token_limit_holds_across_api_processes(
    api_processes: tuple[httpx.AsyncClient, httpx.AsyncClient], seller_auth: dict[str, str]
) -> None:
    first, second = api_processes

    statuses = [
        (await (first, second)[n % 2].get(ME, headers=seller_auth)).status_code for n in range(8)
    ]

    assert statuses == [200] * 6 + [429] * 2


async def test_delivery_code_guesses_are_limited_per_ip_and_per_shipment_across_processes(
    api: httpx.AsyncClient,
    api_processes: tuple[httpx.AsyncClient, httpx.AsyncClient],
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
) -> None:
    shipment_id = (await created(api, seller_auth))["id"]
    await out_for_delivery(api, partner_auth, shipment_id)
    code = await delivery_code(api, shipment_id)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    first, second = api_processes

    async def guess(client: httpx.AsyncClient, client_ip: str, value: str) -> httpx.Response:
        # The processes trust X-Forwarded-For from 127.0.0.1, as from a proxy in front of them.
        headers = partner_auth | {"X-Forwarded-For": client_ip}
        body = {"status": "delivered", "verification_code": value}
        return await client.post(f"{SHIPMENT}/{shipment_id}/events", json=body, headers=headers)

    # Two guesses per client IP, whichever process answers.
    assert (await guess(first, "203.0.113.1", wrong)).status_code == 422
    assert (await guess(second, "203.0.113.1", wrong)).status_code == 422
    refused = await guess(first, "203.0.113.1", wrong)
    assert refused.status_code == 429
    assert refused.headers["RateLimit-Policy"] == '"delivery-code-ip";q=2;w=60'

    # Three per shipment, whichever IPs guess; the refused guess above did not count.
    assert (await guess(second, "203.0.113.2", wrong)).status_code == 422
    refused = await guess(first, "203.0.113.3", code)
    assert refused.status_code == 429
    assert refused.headers["RateLimit-Policy"] == '"delivery-code-shipment";q=3;w=60'
    shipment = (await api.get(f"{SHIPMENT}/{shipment_id}", headers=seller_auth)).json()
    assert shipment["status"] == "out_for_delivery"


async def test_a_token_over_its_limit_is_told_when_to_retry(
    api: httpx.AsyncClient, settings: Settings, sign_up_seller: SignUp
) -> None:
    email = "busy@example.com"
    busy = await sign_up_seller(email)
    limited = settings.model_copy(update={"rate_limit_per_token": "3/minute"})

    async with serve_api(limited) as client:
        allowed = [(await client.get(ME, headers=busy)).status_code for _ in range(3)]
        refused = await client.get(ME, headers=busy)
        fresh = await client.get(ME, headers=await log_in(api, "seller", email))

    assert allowed == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    retry_after = int(refused.headers["Retry-After"])
    assert 0 < retry_after <= 60
    assert refused.headers["RateLimit-Policy"] == '"token";q=3;w=60'
    assert refused.headers["RateLimit"] == f'"token";r=0;t={retry_after}'
    assert refused.json()["detail"] == (
        f"Rate limit exceeded: 3 per 1 minute for token; retry in {retry_after} s"
    )
    assert fresh.status_code == 200  # the limit is per token


async def test_logins_are_limited_per_client_ip_and_per_account_across_processes(
    api_processes: tuple[httpx.AsyncClient, httpx.AsyncClient], sign_up_seller: SignUp
) -> None:
    await sign_up_seller("ana@example.com")
    processes = itertools.cycle(api_processes)

    async def log_in_from(client_ip: str, email: str, password: str = PASSWORD) -> httpx.Response:
        return await next(processes).post(
            "/api/v1/seller/token",
            data={"username": email, "password": password},
            headers={"X-Forwarded-For": client_ip},
        )

    # One IP trying many accounts meets the IP's limit (three), whichever process answers.
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        assert (await log_in_from("198.51.100.1", email, "guess")).status_code == 401
    refused = await log_in_from("198.51.100.1", "ana@example.com")
    assert refused.status_code == 429
    assert refused.headers["RateLimit-Policy"] == '"seller-login-ip";q=3;w=60'

    # One account tried from many IPs meets the account's limit (two), whatever the email's case.
    assert (await log_in_from("198.51.100.2", "ana@example.com", "guess")).status_code == 401
    assert (await log_in_from("198.51.100.3", "Ana@example.com")).status_code == 200
    refused = await log_in_from("198.51.100.4", "ANA@example.com")
    assert refused.status_code == 429
    assert refused.headers["RateLimit-Policy"] == '"seller-login-account";q=2;w=60'


def _request_from(client_ip: str) -> Request:
    return Request({"type": "http", "method": "POST", "headers": [], "client": (client_ip, 50000)})


async def test_rate_limits_fail_closed_when_redis_is_unreachable(settings: Settings) -> None:
    async with Redis.from_url(f"redis://127.0.0.1:{free_port()}/0") as unreachable:
        limiter = RateLimiter(unreachable, settings)

        with pytest.raises(ServiceUnavailable, match="Redis is unreachable"):
            await limit_account_route(
                limiter, _request_from("198.51.100.1"), "seller-login", "a@example.com"
            )


async def test_limits_are_documented_on_authenticated_routes(api: httpx.AsyncClient) -> None:
    paths = (await api.get("/api/v1/openapi.json")).json()["paths"]

    for operation in (paths[ME]["get"], paths[f"{SHIPMENT}/{{shipment_id}}/events"]["post"]):
        assert {"429", "503"} <= set(operation["responses"])
        assert {"Retry-After", "RateLimit-Policy", "RateLimit"} <= set(
            operation["responses"]["429"]["headers"]
        )
