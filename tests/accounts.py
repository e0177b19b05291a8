"""Accounts for server tests: through the API as a person would sign up (`new_seller`,
`new_partner`: the verification link made directly; its email has tests of its own), or stored
verified in one insert with a token issued at once (`stored_seller`, `stored_partner`: what the
`sign_up_*` fixtures use, skipping two Argon2 hashes and three requests per account)."""

import asyncio
import os
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.security import Passwords, issue_access_token
from fastship.secrets import issue_verification_token
from fastship.settings import Settings
from models.accounts import Partner, Seller
from models.domain import Role

PASSWORD = "correct horse 42"

SignUp = Callable[..., Awaitable[dict[str, str]]]
_password_hashes: list[str] = []  # PASSWORD's, hashed once for every stored account


async def _password_hash() -> str:
    if not _password_hashes:
        _password_hashes.append(await Passwords(concurrency=1).hash(PASSWORD))
    return _password_hashes[0]


async def _stored(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    account: Seller | Partner,
    role: Role,
) -> dict[str, str]:
    account.password_hash = await _password_hash()
    account.email_verified_at = datetime.now(UTC)
    async with sessions.begin() as session:
        session.add(account)
    token = issue_access_token(settings, account.id, role).token
    return {"Authorization": f"Bearer {token}"}


async def stored_seller(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    email: str | None = None,
    language: str = "en",
) -> dict[str, str]:
    """A verified seller, stored directly; returns its authorization header."""
    email = email or f"seller-{uuid.uuid4().hex[:8]}@example.com"
    seller = Seller(name="Acme", email=email, language=language)
    return await _stored(sessions, settings, seller, Role.SELLER)


async def stored_partner(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    zip_codes: list[str] | None = None,
    capacity: int = 10,
    name: str = "Swift Couriers",
    language: str = "en",
) -> dict[str, str]:
    """A verified delivery partner, stored directly (no waiting shipment is woken: sign up
    through `new_partner` for that); returns its authorization header."""
    partner = Partner(
        name=name,
        email=f"partner-{uuid.uuid4().hex[:8]}@example.com",
        language=language,
        serviceable_zip_codes=zip_codes or ["10001"],
        max_handling_capacity=capacity,
    )
    return await _stored(sessions, settings, partner, Role.PARTNER)


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


async def create_operator(
    database_url: str, email: str, password: str = PASSWORD, name: str = "Ops"
) -> tuple[int, str]:
    """`fastship create-operator`, the password on its standard input: exit code and output."""
    command = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "launcher", "create-operator", "--name", name, "--email", email),
        env=os.environ | {"DATABASE_URL": database_url},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await command.communicate(f"{password}\n".encode())
    assert command.returncode is not None
    return command.returncode, output.decode()
