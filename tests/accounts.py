"""Accounts for server tests, made through the API as a person would (the email verification
link made directly, which is quicker; its email has tests of its own)."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx

from fastship.secrets import issue_verification_token
from fastship.settings import Settings
from models.domain import Role

PASSWORD = "correct horse 42"

SignUp = Callable[..., Awaitable[dict[str, str]]]


async def verify_email(
    api: httpx.AsyncClient, settings: Settings, role: Role, account_id: str
) -> None:
    """Confirms the email as the link in the verification email would (that email is tested in
    test_account_emails; here the token is made directly, which is quicker)."""
    token = issue_verification_token(
        settings, role, uuid.UUID(account_id), datetime.now(UTC) + timedelta(hours=1)
    )
    response = await api.post(f"/api/v1/{role}/verify", json={"token": token})
    assert response.status_code == 204, response.text


async def log_in(api: httpx.AsyncClient, role: str, email: str) -> dict[str, str]:
    """The authorization header of a fresh token."""
    response = await api.post(
        f"/api/v1/{role}/token", data={"username": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def new_seller(
    api: httpx.AsyncClient, settings: Settings, email: str | None = None, language: str = "en"
) -> dict[str, str]:
    """Signs up a seller, verifies its email and returns its authorization header."""
    email = email or f"seller-{uuid.uuid4().hex[:8]}@example.com"
    body = {"name": "Acme", "email": email, "password": PASSWORD, "language": language}
    response = await api.post("/api/v1/seller/signup", json=body)
    assert response.status_code == 201, response.text
    await verify_email(api, settings, Role.SELLER, response.json()["id"])
    return await log_in(api, "seller", email)


async def new_partner(
    api: httpx.AsyncClient,
    settings: Settings,
    zip_codes: list[str] | None = None,
    capacity: int = 10,
    name: str = "Swift Couriers",
    language: str = "en",
) -> dict[str, str]:
    """Signs up a delivery partner, verifies its email and returns its authorization header."""
    email = f"partner-{uuid.uuid4().hex[:8]}@example.com"
    body = {
        "name": name,
        "email": email,
        "password": PASSWORD,
        "serviceable_zip_codes": zip_codes or ["10001"],
        "max_handling_capacity": capacity,
        "language": language,
    }
    response = await api.post("/api/v1/partner/signup", json=body)
    assert response.status_code == 201, response.text
    await verify_email(api, settings, Role.PARTNER, response.json()["id"])
    return await log_in(api, "partner", email)
