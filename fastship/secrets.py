"""Secrets made and checked outside workflows: delivery codes and the tokens links carry.

Links carry signed tokens (HS256), each kind with its own audience so one never passes for another.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
import uuid
from datetime import datetime
from typing import Any

import jwt

from fastship.settings import Settings
from models.domain import Role

DELIVERY_CODE_DIGITS = 6
JWT_ALGORITHM = "HS256"  # pinned: a token cannot choose its own algorithm
_REVIEW_AUDIENCE = "fastship-review"
_VERIFY_AUDIENCE = "fastship-verify-email"
_RESET_AUDIENCE = "fastship-reset-password"
_VISIBILITY_CURSOR_AUDIENCE = "fastship-visibility-cursor"


def _key(settings: Settings) -> bytes:
    return settings.jwt_secret.get_secret_value().encode()


def new_delivery_code_nonce() -> str:
    return secrets.token_hex(16)


def delivery_code(settings: Settings, shipment_id: uuid.UUID, nonce: str) -> str:
    """The code for a random nonce: only the hash and the nonce are stored, and a retried
    message re-derives the same code with the server key instead of keeping it anywhere."""
    digest = hmac.new(_key(settings), f"code:{shipment_id}:{nonce}".encode(), hashlib.sha256)
    number = int.from_bytes(digest.digest()[:8], "big") % 10**DELIVERY_CODE_DIGITS
    return f"{number:0{DELIVERY_CODE_DIGITS}d}"


def hash_delivery_code(settings: Settings, shipment_id: uuid.UUID, code: str) -> str:
    """Keyed, so a leaked table does not give the codes away to a million guesses."""
    return hmac.new(_key(settings), f"{shipment_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _issue(
    settings: Settings, audience: str, subject: uuid.UUID, expires_at: datetime, **claims: Any
) -> str:
    payload = {"sub": str(subject), "aud": audience, "exp": expires_at, **claims}
    return jwt.encode(payload, _key(settings), algorithm=JWT_ALGORITHM)


def decode_signed(settings: Settings, token: str, **options: Any) -> dict[str, Any]:
    """Checks the token against the current secret, then the previous ones (a rotation under
    way); raises PyJWT's errors as they are when none signed it."""
    keys = [settings.jwt_secret, *settings.jwt_previous_secrets]
    for key in keys[:-1]:
        try:
            return _decode(token, key.get_secret_value(), options)
        except jwt.InvalidSignatureError:
            continue
    return _decode(token, keys[-1].get_secret_value(), options)


def _decode(token: str, key: str, options: dict[str, Any]) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=[JWT_ALGORITHM], **options)
    return claims


def _read(settings: Settings, audience: str, token: str, *required: str) -> dict[str, Any] | None:
    """The token's claims, or None if it is forged, malformed, expired or of another kind."""
    try:
        claims = decode_signed(
            settings,
            token,
            audience=audience,
            options={"require": ["sub", "aud", "exp", *required]},
        )
        uuid.UUID(claims["sub"])
    except (jwt.InvalidTokenError, ValueError):
        return None
    return claims


def issue_review_token(settings: Settings, shipment_id: uuid.UUID, expires_at: datetime) -> str:
    return _issue(settings, _REVIEW_AUDIENCE, shipment_id, expires_at)


def read_review_token(settings: Settings, token: str) -> uuid.UUID | None:
    """The shipment a review token is for, or None if it is not a valid review token."""
    claims = _read(settings, _REVIEW_AUDIENCE, token)
    return None if claims is None else uuid.UUID(claims["sub"])


def issue_verification_token(
    settings: Settings, role: Role, account_id: uuid.UUID, expires_at: datetime
) -> str:
    return _issue(settings, _VERIFY_AUDIENCE, account_id, expires_at, role=role.value)


def read_verification_token(settings: Settings, role: Role, token: str) -> uuid.UUID | None:
    """The account an email-verification token is for, if valid and for this role."""
    claims = _read(settings, _VERIFY_AUDIENCE, token, "role")
    if claims is None or claims["role"] != role.value:
        return None
    return uuid.UUID(claims["sub"])


def password_fingerprint(password_hash: str) -> str:
    """Changes whenever the password does, so a reset link works once."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def issue_reset_token(
    settings: Settings,
    role: Role,
    account_id: uuid.UUID,
    password_hash: str,
    expires_at: datetime,
) -> str:
    return _issue(
        settings,
        _RESET_AUDIENCE,
        account_id,
        expires_at,
        role=role.value,
        pwd=password_fingerprint(password_hash),
    )


def read_reset_token(settings: Settings, role: Role, token: str) -> tuple[uuid.UUID, str] | None:
    """The account and password fingerprint a reset token is for, if valid and for this role."""
    claims = _read(settings, _RESET_AUDIENCE, token, "role", "pwd")
    if claims is None or claims["role"] != role.value:
        return None
    return uuid.UUID(claims["sub"]), str(claims["pwd"])


def _query_digest(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def issue_visibility_cursor(
    settings: Settings, operator_id: uuid.UUID, query: str, page_token: bytes, expires_at: datetime
) -> str:
    """Temporal's next-page token, signed for this operator and this query: Temporal does not
    check what it is given (a forged token fails as an internal error, retried for seconds)."""
    token = base64.urlsafe_b64encode(page_token).decode()
    return _issue(
        settings,
        _VISIBILITY_CURSOR_AUDIENCE,
        operator_id,
        expires_at,
        tok=token,
        q=_query_digest(query),
    )


def read_visibility_cursor(
    settings: Settings, operator_id: uuid.UUID, query: str, cursor: str
) -> bytes | None:
    """The page token, or None unless this API gave the cursor to this operator for this query."""
    claims = _read(settings, _VISIBILITY_CURSOR_AUDIENCE, cursor, "tok", "q")
    if claims is None or claims["sub"] != str(operator_id) or claims["q"] != _query_digest(query):
        return None
    try:
        return base64.urlsafe_b64decode(claims["tok"])
    except (binascii.Error, ValueError, TypeError):
        return None
