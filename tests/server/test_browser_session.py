"""The web app's session: the token in an httpOnly SameSite=Strict cookie that script never sees,
and every change made with it carrying the session's CSRF token."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from fastship.settings import Settings
from models.domain import Role
from tests.accounts import PASSWORD, verify_email
from tests.helpers import serve_api
from tests.shipments import VALID


@pytest.fixture
async def browser(settings: Settings, worker: None) -> AsyncIterator[httpx.AsyncClient]:
    """A client of its own, as a browser is: the cookies it gets stay with it."""
    async with serve_api(settings) as client:
        yield client


async def _session(api: httpx.AsyncClient, settings: Settings) -> str:
    """Signs a seller up and starts a web session: the client now holds the cookie."""
    email = f"web-{uuid.uuid4().hex[:8]}@example.com"
    signup = {"name": "Acme", "email": email, "password": PASSWORD}
    account = (await api.post("/api/v1/seller/signup", json=signup)).json()
    await verify_email(api, settings, Role.SELLER, account["id"])
    started = await api.post(
        "/api/v1/seller/session", data={"username": email, "password": PASSWORD}
    )
    assert started.status_code == 200, started.text
    cookie = started.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/api/v1" in cookie
    body = started.json()
    assert "access_token" not in body  # the token goes to the cookie only
    assert body["role"] == "seller"
    csrf: str = body["csrf_token"]
    return csrf


async def test_the_cookie_reads_and_changes_only_with_the_csrf_token(
    browser: httpx.AsyncClient, settings: Settings, partner_auth: dict[str, str]
) -> None:
    api = browser
    csrf = await _session(api, settings)

    assert (await api.get("/api/v1/seller/me")).status_code == 200  # reads need no token
    refused = await api.post("/api/v1/shipment", json=VALID)
    assert refused.status_code == 403
    assert "X-CSRF-Token" in refused.json()["detail"]
    forged = await api.post("/api/v1/shipment", json=VALID, headers={"X-CSRF-Token": "0" * 64})
    assert forged.status_code == 403
    created = await api.post("/api/v1/shipment", json=VALID, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201, created.text


async def test_logging_out_ends_the_cookie_session(
    browser: httpx.AsyncClient, settings: Settings
) -> None:
    api = browser
    csrf = await _session(api, settings)
    stolen = api.cookies.get("fastship_session")

    out = await api.post("/api/v1/seller/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert "fastship_session=" in out.headers["Set-Cookie"]  # cleared
    assert (await api.get("/api/v1/seller/me")).status_code == 401
    assert stolen is not None
    api.cookies.set("fastship_session", stolen, path="/api/v1")  # revoked, not just forgotten
    assert (await api.get("/api/v1/seller/me")).status_code == 401
