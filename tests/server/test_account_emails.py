"""Email verification and password reset, through the emails a person would read in the outbox."""

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowHandle

from fastship.secrets import issue_reset_token, issue_review_token
from fastship.settings import Settings
from models.accounts import Partner, Seller
from models.domain import Role
from models.workflow_ids import email_verification_workflow_id
from models.workflow_io import AccountRef
from repositories import accounts
from tests.accounts import PASSWORD, SignUp, log_in
from tests.helpers import eventually, serve_api
from tests.shipments import VALID, create

NEW_PASSWORD = "a brand new horse 7"


async def emails_to(
    api: httpx.AsyncClient, address: str, template: str, count: int = 1
) -> list[dict[str, Any]]:
    """The outbox's `template` emails to `address`, newest first, once `count` have come."""

    async def found() -> list[dict[str, Any]]:
        response = await api.get("/api/v1/dev/outbox", params={"recipient": address})
        return [message for message in response.json() if message["template"] == template]

    return await eventually(found, lambda messages: len(messages) >= count)


def link_token(message: dict[str, Any], page: str) -> str:
    """The token of the link to `page` in a message, checked to be in the HTML part too."""
    found = re.search(rf"/{page}\?token=([\w.-]+)", message["body"])
    assert found, message["body"]
    assert found.group(1) in message["html"]
    return found.group(1)


async def sign_up(
    api: httpx.AsyncClient, role: str, email: str, **fields: object
) -> dict[str, Any]:
    body: dict[str, object] = {"name": "Ana", "email": email, "password": PASSWORD} | fields
    if role == "partner":
        body = {"serviceable_zip_codes": ["10001"], "max_handling_capacity": 3} | body
    response = await api.post(f"/api/v1/{role}/signup", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.mark.parametrize("role", ["seller", "partner"])
async def test_the_verification_email_s_link_verifies_and_then_login_works(
    api: httpx.AsyncClient, temporal: Client, role: str
) -> None:
    account = await sign_up(api, role, f"new-{role}@example.com")
    login = {"username": f"new-{role}@example.com", "password": PASSWORD}
    assert (await api.post(f"/api/v1/{role}/token", data=login)).status_code == 403

    [email] = await emails_to(api, f"new-{role}@example.com", "verify_email")
    assert email["subject"] == "Confirm your email address"
    token = link_token(email, f"verify/{role}")
    page = await api.get(f"/verify/{role}", params={"token": token})
    assert page.status_code == 200  # the web app's page, which posts the token to the API
    assert page.headers["Content-Type"].startswith("text/html")

    assert (await api.post(f"/api/v1/{role}/verify", json={"token": token})).status_code == 204
    assert (await api.post(f"/api/v1/{role}/verify", json={"token": token})).status_code == 204
    assert (await api.post(f"/api/v1/{role}/token", data=login)).status_code == 200
    handle = verification_workflow(temporal, role, account["id"])
    assert await asyncio.wait_for(handle.result(), 10) is True


def verification_workflow(temporal: Client, role: str, account_id: str) -> WorkflowHandle[Any, Any]:
    ref = AccountRef(role=Role(role), account_id=uuid.UUID(account_id))
    return temporal.get_workflow_handle(email_verification_workflow_id(ref))


async def test_the_verification_email_is_in_the_account_s_language(
    api: httpx.AsyncClient,
) -> None:
    await sign_up(api, "seller", "ana@ejemplo.es", language="es")
    [email] = await emails_to(api, "ana@ejemplo.es", "verify_email")
    assert email["language"] == "es"
    assert email["subject"] != "Confirm your email address"
    assert "correo" in email["subject"].lower()


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"],
)
async def test_a_bad_verification_token_is_refused(api: httpx.AsyncClient, token: str) -> None:
    response = await api.post("/api/v1/seller/verify", json={"token": token})
    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_token_of_another_kind_or_role_does_not_verify(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    account = await sign_up(api, "seller", "kind@example.com")
    [email] = await emails_to(api, "kind@example.com", "verify_email")
    token = link_token(email, "verify/seller")
    review = issue_review_token(settings, account["id"], datetime.now(UTC) + timedelta(days=1))

    as_partner = await api.post("/api/v1/partner/verify", json={"token": token})
    with_review_token = await api.post("/api/v1/seller/verify", json={"token": review})

    for response in (as_partner, with_review_token):
        assert response.status_code == 400
        assert response.json()["detail"] == "The verification link is invalid or has expired"


@pytest.fixture
async def quick_verification(settings: Settings, worker: None) -> AsyncIterator[httpx.AsyncClient]:
    durations = {
        "email_verification_reminder": timedelta(seconds=1),
        "email_verification_lifetime": timedelta(seconds=3),
    }
    async with serve_api(settings.model_copy(update=durations)) as client:
        yield client


async def test_an_unverified_account_is_reminded_then_removed(
    quick_verification: httpx.AsyncClient, temporal: Client
) -> None:
    api = quick_verification
    account = await sign_up(api, "seller", "late@example.com")

    [reminder] = await emails_to(api, "late@example.com", "verify_email_reminder")
    assert reminder["subject"] == "Reminder: confirm your email address"
    handle = verification_workflow(temporal, "seller", account["id"])
    assert await asyncio.wait_for(handle.result(), 10) is False

    login = {"username": "late@example.com", "password": PASSWORD}
    assert (await api.post("/api/v1/seller/token", data=login)).status_code == 401
    # The address is free again.
    await sign_up(api, "seller", "late@example.com")


async def test_a_verified_account_gets_no_reminder(
    quick_verification: httpx.AsyncClient, temporal: Client
) -> None:
    api = quick_verification
    account = await sign_up(api, "seller", "prompt@example.com")
    [email] = await emails_to(api, "prompt@example.com", "verify_email")
    token = link_token(email, "verify/seller")
    assert (await api.post("/api/v1/seller/verify", json={"token": token})).status_code == 204

    handle = verification_workflow(temporal, "seller", account["id"])
    assert await asyncio.wait_for(handle.result(), 10) is True
    sent = await api.get("/api/v1/dev/outbox", params={"recipient": "prompt@example.com"})
    assert [message["template"] for message in sent.json()] == ["verify_email"]


async def test_an_unverified_partner_is_never_assigned(
    api: httpx.AsyncClient, seller_auth: dict[str, str]
) -> None:
    await sign_up(api, "partner", "unverified@example.com", serviceable_zip_codes=["30301"])
    body = VALID | {"destination_zip": "30301"}

    refused = await create(api, seller_auth, body)
    assert refused.status_code == 422

    [email] = await emails_to(api, "unverified@example.com", "verify_email")
    token = link_token(email, "verify/partner")
    assert (await api.post("/api/v1/partner/verify", json={"token": token})).status_code == 204
    accepted = await create(api, seller_auth, body)
    assert accepted.status_code == 201
    assert accepted.json()["partner"] is not None


async def test_forgot_password_answers_alike_and_emails_only_a_real_account(
    api: httpx.AsyncClient, sign_up_seller: SignUp, temporal: Client
) -> None:
    await sign_up_seller("known@example.com")

    known = await api.post("/api/v1/seller/forgot-password", json={"email": "KNOWN@example.com"})
    unknown = await api.post("/api/v1/seller/forgot-password", json={"email": "who@example.com"})

    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)
    assert known.status_code == 202
    [reset] = await emails_to(api, "known@example.com", "password_reset")
    assert reset["subject"] == "Reset your FastShip password"
    async for execution in temporal.list_workflows("WorkflowType = 'PasswordResetWorkflow'"):
        await temporal.get_workflow_handle(execution.id).result()
    nothing = await api.get("/api/v1/dev/outbox", params={"recipient": "who@example.com"})
    assert nothing.json() == []


async def test_a_reset_works_once_and_ends_every_session(
    api: httpx.AsyncClient, sign_up_seller: SignUp
) -> None:
    old_session = await sign_up_seller("forgetful@example.com")
    await api.post("/api/v1/seller/forgot-password", json={"email": "forgetful@example.com"})
    [email] = await emails_to(api, "forgetful@example.com", "password_reset")
    token = link_token(email, "reset-password/seller")
    page = await api.get("/reset-password/seller", params={"token": token})
    assert page.status_code == 200  # the web app's page

    reset = {"token": token, "password": NEW_PASSWORD}
    assert (await api.post("/api/v1/seller/reset-password", json=reset)).status_code == 204

    assert (await api.get("/api/v1/seller/me", headers=old_session)).status_code == 401
    old = {"username": "forgetful@example.com", "password": PASSWORD}
    assert (await api.post("/api/v1/seller/token", data=old)).status_code == 401
    new_session = await api.post("/api/v1/seller/token", data=old | {"password": NEW_PASSWORD})
    assert new_session.status_code == 200
    fresh = {"Authorization": f"Bearer {new_session.json()['access_token']}"}
    assert (await api.get("/api/v1/seller/me", headers=fresh)).status_code == 200

    again = await api.post(
        "/api/v1/seller/reset-password", json=reset | {"password": "yet another horse 8"}
    )
    assert again.status_code == 400
    assert again.json()["detail"] == "The reset link is invalid, expired or already used"


async def test_an_expired_reset_link_is_refused(
    api: httpx.AsyncClient,
    sign_up_seller: SignUp,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await sign_up_seller("slow@example.com")
    async with sessions() as session:
        seller = await accounts.find_by_email(session, Seller, "slow@example.com")
    assert seller is not None
    expired = issue_reset_token(
        settings, Role.SELLER, seller.id, seller.password_hash, datetime.now(UTC) - timedelta(1)
    )

    response = await api.post(
        "/api/v1/seller/reset-password", json={"token": expired, "password": NEW_PASSWORD}
    )

    assert response.status_code == 400
    await log_in(api, "seller", "slow@example.com")  # the old password still works


async def test_a_reset_link_for_a_seller_does_not_reset_a_partner(
    api: httpx.AsyncClient,
    sign_up_partner: SignUp,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await sign_up_partner()
    async with sessions() as session:
        partner = await session.scalar(select(Partner))
    assert partner is not None
    token = issue_reset_token(
        settings, Role.SELLER, partner.id, partner.password_hash, datetime.now(UTC) + timedelta(1)
    )

    response = await api.post(
        "/api/v1/partner/reset-password", json={"token": token, "password": NEW_PASSWORD}
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("password123", "too common"),
        ("Qwertyuiop", "too common"),
        ("rules@example.com", "must not be your email"),
        ("RULES", "at least 8"),
    ],
)
async def test_signup_refuses_weak_passwords(
    api: httpx.AsyncClient, password: str, reason: str
) -> None:
    response = await api.post(
        "/api/v1/seller/signup",
        json={"name": "A", "email": "rules@example.com", "password": password},
    )

    assert response.status_code == 422
    assert reason in response.json()["detail"]
    assert password not in response.text


async def test_reset_refuses_a_password_that_is_the_email(
    api: httpx.AsyncClient, sign_up_seller: SignUp
) -> None:
    await sign_up_seller("same@example.com")
    await api.post("/api/v1/seller/forgot-password", json={"email": "same@example.com"})
    [email] = await emails_to(api, "same@example.com", "password_reset")
    token = link_token(email, "reset-password/seller")

    response = await api.post(
        "/api/v1/seller/reset-password", json={"token": token, "password": "same@example.com"}
    )

    assert response.status_code == 422
    assert "email" in response.json()["detail"]
    await log_in(api, "seller", "same@example.com")  # nothing changed
