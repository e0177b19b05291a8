"""Seller signup, login and `/seller/me` through HTTP."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from argon2 import PasswordHasher
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fastship.settings import Settings
from models.accounts import Seller
from models.domain import Role
from tests.accounts import PASSWORD, SignUp, verify_email
from tests.helpers import serve_api
from tests.shipments import VALID, created

SIGNUP = "/api/v1/seller/signup"
TOKEN = "/api/v1/seller/token"
ME = "/api/v1/seller/me"


async def test_signup_then_verify_then_login_then_me(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    response = await api.post(
        SIGNUP, json={"name": " Acme Books ", "email": "ops@acme.example", "password": PASSWORD}
    )
    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "Acme Books"
    assert created["email_verified"] is False
    assert "password" not in response.text
    assert "hash" not in response.text

    login = {"username": "OPS@acme.example", "password": PASSWORD}
    refused = await api.post(TOKEN, data=login)
    assert refused.status_code == 403
    assert "Confirm your email" in refused.json()["detail"]
    await verify_email(api, settings, Role.SELLER, created["id"])

    response = await api.post(TOKEN, data=login)
    assert response.status_code == 200
    token = response.json()
    assert token["token_type"] == "bearer"
    assert token["expires_in"] == 3600

    response = await api.get(ME, headers={"Authorization": f"Bearer {token['access_token']}"})
    assert response.status_code == 200
    assert response.json()["id"] == created["id"]
    assert response.json()["email_verified"] is True


async def test_password_is_stored_as_argon2id(
    api: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await api.post(SIGNUP, json={"name": "A", "email": "a@example.com", "password": PASSWORD})
    async with sessions() as session:
        stored = await session.scalar(select(Seller.password_hash))
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


async def test_email_is_unique_whatever_its_case(api: httpx.AsyncClient) -> None:
    body = {"name": "A", "email": "dup@example.com", "password": PASSWORD}
    assert (await api.post(SIGNUP, json=body)).status_code == 201

    response = await api.post(SIGNUP, json=body | {"email": "DUP@Example.com"})

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "An account with this email already exists"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "A", "email": "not-an-email", "password": PASSWORD}, "body.email"),
        ({"name": "A", "email": "a@example.com", "password": "short"}, "body.password"),
        ({"name": "", "email": "a@example.com", "password": PASSWORD}, "body.name"),
        ({"email": "a@example.com", "password": PASSWORD}, "body.name"),
    ],
)
async def test_invalid_signup_is_a_problem_naming_the_field(
    api: httpx.AsyncClient, body: dict[str, str], field: str
) -> None:
    response = await api.post(SIGNUP, json=body)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "Unprocessable Entity"
    assert field in problem["detail"]
    assert [error["location"] for error in problem["errors"]] == [field]


async def test_invalid_signup_never_echoes_the_password(api: httpx.AsyncClient) -> None:
    response = await api.post(
        SIGNUP, json={"name": "A", "email": "a@example.com", "password": "s3cr"}
    )
    assert response.status_code == 422
    assert "s3cr" not in response.text


async def test_wrong_password_and_unknown_email_answer_alike(
    api: httpx.AsyncClient, sign_up_seller: SignUp
) -> None:
    await sign_up_seller("known@example.com")

    wrong = await api.post(TOKEN, data={"username": "known@example.com", "password": "nope-nope"})
    unknown = await api.post(TOKEN, data={"username": "who@example.com", "password": PASSWORD})

    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == "Incorrect email or password"


def _token(settings: Settings, secret: str | None = None, **overrides: object) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(uuid.uuid4()),
        "role": "seller",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": uuid.uuid4().hex,
    }
    key = secret or settings.jwt_secret.get_secret_value()
    return jwt.encode(claims | overrides, key, "HS256")


async def _me_with(api: httpx.AsyncClient, token: str) -> httpx.Response:
    return await api.get(ME, headers={"Authorization": f"Bearer {token}"})


async def test_me_without_a_token_is_unauthorized(api: httpx.AsyncClient) -> None:
    response = await api.get(ME)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


async def test_expired_token_is_refused(api: httpx.AsyncClient, settings: Settings) -> None:
    past = datetime.now(UTC) - timedelta(hours=2)
    response = await _me_with(api, _token(settings, iat=past, exp=past + timedelta(hours=1)))
    assert response.status_code == 401
    assert response.json()["detail"] == "The access token has expired; request a new one"


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "someone-else"},
        {"iss": "someone-else"},
        {"secret": "another-secret-of-sufficient-length-0123456789"},
    ],
    ids=["audience", "issuer", "signature"],
)
async def test_foreign_token_is_refused(
    api: httpx.AsyncClient, settings: Settings, overrides: dict[str, str]
) -> None:
    response = await _me_with(api, _token(settings, **overrides))
    assert response.status_code == 401
    assert response.json()["detail"] == "The access token is invalid"


async def test_unsigned_token_is_refused(api: httpx.AsyncClient, settings: Settings) -> None:
    claims = jwt.decode(_token(settings), options={"verify_signature": False})
    unsigned = jwt.encode(claims, key="", algorithm="none")
    assert (await _me_with(api, unsigned)).status_code == 401


async def test_partner_token_does_not_work_on_seller_routes(
    api: httpx.AsyncClient, settings: Settings, sign_up_seller: SignUp
) -> None:
    auth = await sign_up_seller()
    seller_id = (await api.get(ME, headers=auth)).json()["id"]

    response = await _me_with(api, _token(settings, sub=seller_id, role="partner"))

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_hash_with_old_parameters_is_upgraded_at_login(
    api: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    async with sessions.begin() as session:
        session.add(
            Seller(
                name="Old",
                email="old@example.com",
                password_hash=weak,
                email_verified_at=datetime.now(UTC),
            )
        )

    response = await api.post(TOKEN, data={"username": "old@example.com", "password": PASSWORD})

    assert response.status_code == 200
    async with sessions() as session:
        stored = await session.scalar(select(Seller.password_hash))
    assert stored != weak
    assert not PasswordHasher().check_needs_rehash(stored or "")


async def test_a_corrupt_stored_hash_refuses_the_login_and_is_logged(
    api: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with sessions.begin() as session:
        session.add(Seller(name="Broken", email="broken@example.com", password_hash="$argon2id$x"))

    response = await api.post(TOKEN, data={"username": "broken@example.com", "password": PASSWORD})

    assert response.status_code == 401
    assert "stored password hash is corrupt" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("path", "fields", "field"),
    [
        (SIGNUP, {"name": "A\x00", "email": "n@example.com", "password": PASSWORD}, "body.name"),
        (
            SIGNUP,
            {"name": "A", "email": "n@example.com", "password": "pass\x00word"},
            "body.password",
        ),
        (TOKEN, {"username": "n\x00@example.com", "password": PASSWORD}, "body.username"),
    ],
)
async def test_control_characters_are_refused_naming_the_field(
    api: httpx.AsyncClient, path: str, fields: dict[str, str], field: str
) -> None:
    if path == SIGNUP:
        response = await api.post(path, json=fields)
    else:
        response = await api.post(path, data=fields)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"{field}: ")


async def test_partners_sign_up_log_in_and_read_themselves(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    body = {
        "name": "Swift",
        "email": "swift@example.com",
        "password": PASSWORD,
        "serviceable_zip_codes": ["10001", "sw1a1aa", "10001"],
        "max_handling_capacity": 12,
    }
    created = await api.post("/api/v1/partner/signup", json=body)
    assert created.status_code == 201
    assert created.json()["serviceable_zip_codes"] == ["10001", "SW1A1AA"]
    assert (await api.post("/api/v1/partner/signup", json=body)).status_code == 409
    await verify_email(api, settings, Role.PARTNER, created.json()["id"])

    token = await api.post(
        "/api/v1/partner/token", data={"username": "swift@example.com", "password": PASSWORD}
    )
    auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
    me = await api.get("/api/v1/partner/me", headers=auth)
    assert me.json() == created.json() | {"email_verified": True}
    assert (await api.get(ME, headers=auth)).status_code == 403
    seller_login = await api.post(
        TOKEN, data={"username": "swift@example.com", "password": PASSWORD}
    )
    assert seller_login.status_code == 401


async def test_a_seller_chooses_the_language_of_its_emails_and_its_recipients(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    changed = await api.patch(ME, json={"language": "es"}, headers=seller_auth)
    assert changed.status_code == 200
    assert changed.json()["language"] == "es"
    assert (await api.get(ME, headers=seller_auth)).json()["language"] == "es"

    shipment = await created(api, seller_auth)
    assert shipment["recipient_language"] == "es"
    override = await created(api, seller_auth, VALID | {"recipient_language": "en"})
    assert override["recipient_language"] == "en"

    unknown = await api.patch(ME, json={"language": "fr"}, headers=seller_auth)
    assert unknown.status_code == 422
    assert unknown.json()["detail"].startswith("body.language")


async def test_rotating_the_secret_keeps_sessions_and_links_working(
    api: httpx.AsyncClient, settings: Settings, seller_auth: dict[str, str]
) -> None:
    """JWT_SECRET becomes new, the old one moves to JWT_PREVIOUS_SECRETS: nobody is logged out."""
    rotated = settings.model_copy(
        update={
            "jwt_secret": SecretStr("a-brand-new-secret-of-forty-characters-xx"),
            "jwt_previous_secrets": [settings.jwt_secret],
        }
    )
    forged = _token(settings, secret="some-secret-nobody-configured-0123456789")
    async with serve_api(rotated) as after:
        assert (await after.get(ME, headers=seller_auth)).status_code == 200
        assert (await _me_with(after, forged)).status_code == 401
        fresh = await after.post(TOKEN, data=await _login_of(api, seller_auth))
        new_token = fresh.json()["access_token"]
        assert (await _me_with(after, new_token)).status_code == 200

    # The new secret signs: the old configuration alone does not accept the new token.
    assert (await _me_with(api, new_token)).status_code == 401


async def _login_of(api: httpx.AsyncClient, auth: dict[str, str]) -> dict[str, str]:
    email = (await api.get(ME, headers=auth)).json()["email"]
    return {"username": email, "password": PASSWORD}
