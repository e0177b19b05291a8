"""Password hashing (Argon2id) and access tokens (JWT, HS256 pinned)."""

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt
import structlog
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from api.errors import Unauthorized
from fastship.secrets import JWT_ALGORITHM, decode_signed
from fastship.settings import Settings
from models.domain import Role

_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "jti", "role"]

log = structlog.get_logger(__name__)

_hasher = PasswordHasher()  # Argon2id with the library's recommended parameters
# Verified against when an account does not exist, so a login takes as long either way.
_UNKNOWN_ACCOUNT_HASH = _hasher.hash("no account has this password")


@dataclass(frozen=True)
class PasswordCheck:
    matches: bool
    new_hash: str | None = None  # set when the stored hash used older parameters


class Passwords:
    """Argon2id hashing off the event loop, a bounded number at a time (each takes 64 MiB)."""

    def __init__(self, concurrency: int) -> None:
        self._slots = asyncio.Semaphore(concurrency)

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(_hasher.hash, password)

    async def check(self, password_hash: str | None, password: str) -> PasswordCheck:
        def verify() -> PasswordCheck:
            stored = password_hash or _UNKNOWN_ACCOUNT_HASH
            try:
                _hasher.verify(stored, password)
            except VerifyMismatchError:
                return PasswordCheck(matches=False)
            except (VerificationError, InvalidHashError):  # the stored hash cannot be decoded
                log.error("stored password hash is corrupt; refusing the login")
                return PasswordCheck(matches=False)
            if password_hash is None:
                return PasswordCheck(matches=False)
            if _hasher.check_needs_rehash(stored):
                return PasswordCheck(matches=True, new_hash=_hasher.hash(password))
            return PasswordCheck(matches=True)

        async with self._slots:
            return await asyncio.to_thread(verify)


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_in: int


@dataclass(frozen=True)
class TokenClaims:
    subject: uuid.UUID
    role: Role
    token_id: str
    issued_at: datetime  # to the microsecond, so a revocation cutoff can tell tokens apart
    expires_at: datetime


def issue_access_token(settings: Settings, subject: uuid.UUID, role: Role) -> AccessToken:
    issued_at = datetime.now(UTC)
    claims = {
        "sub": str(subject),
        "role": role.value,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        # A fractional NumericDate (RFC 7519 allows it): whole seconds would not tell a token
        # issued just before a password reset from one issued just after it.
        "iat": issued_at.timestamp(),
        "exp": issued_at + settings.access_token_lifetime,
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=JWT_ALGORITHM)
    return AccessToken(token, int(settings.access_token_lifetime.total_seconds()))


def decode_access_token(settings: Settings, token: str) -> TokenClaims:
    try:
        claims = decode_signed(
            settings,
            token,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": _REQUIRED_CLAIMS},
        )
        return TokenClaims(
            subject=uuid.UUID(claims["sub"]),
            role=Role(claims["role"]),
            token_id=claims["jti"],
            issued_at=datetime.fromtimestamp(claims["iat"], UTC),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The access token has expired; request a new one") from exc
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise Unauthorized("The access token is invalid") from exc
