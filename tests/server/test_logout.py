"""Logout and session revocation through Redis, and authentication failing closed without Redis."""

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from redis.asyncio import Redis

from api.revocation import revoke_sessions
from api.security import decode_access_token, issue_access_token
from fastship.settings import Settings
from launcher.embedded import free_port
from models.domain import Role
from tests.accounts import SignUp, log_in
from tests.helpers import serve_api
from tests.shipments import created

REVOKED = "The access token was revoked; log in again"


def _bearer(auth: dict[str, str]) -> str:
    return auth["Authorization"].removeprefix("Bearer ")


@pytest.mark.parametrize("role", ["seller", "partner"])
async def test_logout_revokes_the_token_at_once(
    api: httpx.AsyncClient, sign_up_seller: SignUp, sign_up_partner: SignUp, role: str
) -> None:
    auth = await (sign_up_seller() if role == "seller" else sign_up_partner())
    assert (await api.get(f"/api/v1/{role}/me", headers=auth)).status_code == 200

    response = await api.post(f"/api/v1/{role}/logout", headers=auth)
    assert response.status_code == 204
    assert response.content == b""

    response = await api.get(f"/api/v1/{role}/me", headers=auth)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == REVOKED
    assert (await api.post(f"/api/v1/{role}/logout", headers=auth)).status_code == 401


async def test_logout_leaves_the_accounts_other_tokens_working(
    api: httpx.AsyncClient, sign_up_seller: SignUp
) -> None:
    email = "two-devices@example.com"
    phone = await sign_up_seller(email)
    laptop = await log_in(api, "seller", email)

    assert (await api.post("/api/v1/seller/logout", headers=phone)).status_code == 204

    assert (await api.get("/api/v1/seller/me", headers=phone)).status_code == 401
    assert (await api.get("/api/v1/seller/me", headers=laptop)).status_code == 200


async def test_a_partner_token_cannot_log_out_on_the_seller_route(
    api: httpx.AsyncClient, partner_auth: dict[str, str]
) -> None:
    response = await api.post("/api/v1/seller/logout", headers=partner_auth)

    assert response.status_code == 403
    assert (await api.get("/api/v1/partner/me", headers=partner_auth)).status_code == 200


async def test_a_revocation_is_kept_as_long_as_the_token_would_have_lived(
    api: httpx.AsyncClient, settings: Settings, seller_auth: dict[str, str], redis: Redis
) -> None:
    token_id = decode_access_token(settings, _bearer(seller_auth)).token_id

    assert (await api.post("/api/v1/seller/logout", headers=seller_auth)).status_code == 204

    keys = [key async for key in redis.scan_iter(match=f"*revoked*{token_id}*")]
    assert len(keys) == 1
    lifetime = settings.access_token_lifetime.total_seconds()
    assert lifetime - 10 < await redis.ttl(keys[0]) <= lifetime


async def test_revoking_sessions_ends_older_tokens_but_not_a_login_made_after(
    api: httpx.AsyncClient, settings: Settings, sign_up_seller: SignUp, redis: Redis
) -> None:
    email = "reset@example.com"
    before_reset = await sign_up_seller(email)
    seller_id = decode_access_token(settings, _bearer(before_reset)).subject

    await revoke_sessions(
        redis, Role.SELLER, seller_id, datetime.now(UTC), settings.access_token_lifetime
    )
    after_reset = await log_in(api, "seller", email)

    response = await api.get("/api/v1/seller/me", headers=before_reset)
    assert response.status_code == 401
    assert response.json()["detail"] == REVOKED
    assert (await api.get("/api/v1/seller/me", headers=after_reset)).status_code == 200


async def test_a_session_cutoff_tells_apart_tokens_issued_microseconds_apart(
    api: httpx.AsyncClient, settings: Settings, seller_auth: dict[str, str], redis: Redis
) -> None:
    seller_id = decode_access_token(settings, _bearer(seller_auth)).subject
    older = issue_access_token(settings, seller_id, Role.SELLER).token
    newer = issue_access_token(settings, seller_id, Role.SELLER).token
    older_at = decode_access_token(settings, older).issued_at
    newer_at = decode_access_token(settings, newer).issued_at
    assert older_at < newer_at

    cutoff = older_at + (newer_at - older_at) / 2
    await revoke_sessions(redis, Role.SELLER, seller_id, cutoff, timedelta(minutes=5))

    me = "/api/v1/seller/me"
    assert (await api.get(me, headers={"Authorization": f"Bearer {older}"})).status_code == 401
    assert (await api.get(me, headers={"Authorization": f"Bearer {newer}"})).status_code == 200
    keys = [key async for key in redis.scan_iter(match=f"*revoked*{seller_id}*")]
    assert len(keys) == 1
    assert 290 < await redis.ttl(keys[0]) <= 300


async def test_without_redis_authenticated_routes_answer_503_and_public_ones_still_work(
    api: httpx.AsyncClient,
    settings: Settings,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
) -> None:
    tracking_code = (await created(api, seller_auth))["tracking_code"]
    unreachable = f"redis://127.0.0.1:{free_port()}/0"

    async with serve_api(settings.model_copy(update={"redis_url": unreachable})) as broken:
        me = await broken.get("/api/v1/seller/me", headers=seller_auth)
        logout = await broken.post("/api/v1/seller/logout", headers=seller_auth)
        tracking = await broken.get(f"/api/v1/track/{tracking_code}")

    for response in (me, logout):
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert "Redis" in response.json()["detail"]
    assert tracking.status_code == 200
    # Nothing was revoked while Redis was away: the token still works where Redis answers.
    assert (await api.get("/api/v1/seller/me", headers=seller_auth)).status_code == 200


async def test_a_silent_redis_answers_503_within_seconds(
    settings: Settings, seller_auth: dict[str, str]
) -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up
        writer.close()

    async with await asyncio.start_server(never_answer, "127.0.0.1", 0) as silent:
        port = silent.sockets[0].getsockname()[1]
        update = {"redis_url": f"redis://127.0.0.1:{port}/0"}
        async with serve_api(settings.model_copy(update=update)) as stalled, asyncio.timeout(10):
            response = await stalled.get("/api/v1/seller/me", headers=seller_auth)

    assert response.status_code == 503
    assert "Redis" in response.json()["detail"]


async def test_a_burst_of_authenticated_requests_waits_for_redis_connections_not_503(
    api: httpx.AsyncClient, seller_auth: dict[str, str]
) -> None:
    """Each request checks its token in Redis; more at once than the pool holds must queue."""
    responses = await asyncio.gather(
        *(api.get("/api/v1/seller/me", headers=seller_auth) for _ in range(300))
    )

    assert {response.status_code for response in responses} == {200}
