"""Secrets made and checked outside workflows: delivery codes and review tokens."""

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime

import jwt

from fastship.settings import Settings

DELIVERY_CODE_DIGITS = 6
_REVIEW_AUDIENCE = "fastship-review"
_ALGORITHM = "HS256"


def new_delivery_code() -> str:
    return f"{secrets.randbelow(10**DELIVERY_CODE_DIGITS):0{DELIVERY_CODE_DIGITS}d}"


def hash_delivery_code(settings: Settings, shipment_id: uuid.UUID, code: str) -> str:
    """Keyed, so a leaked table does not give the codes away to a million guesses."""
    key = settings.jwt_secret.get_secret_value().encode()
    return hmac.new(key, f"{shipment_id}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_review_token(settings: Settings, shipment_id: uuid.UUID, expires_at: datetime) -> str:
    claims = {"sub": str(shipment_id), "aud": _REVIEW_AUDIENCE, "exp": expires_at}
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=_ALGORITHM)


def read_review_token(settings: Settings, token: str) -> uuid.UUID | None:
    """The shipment a review token is for, or None if it is forged, malformed or expired."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[_ALGORITHM],
            audience=_REVIEW_AUDIENCE,
            options={"require": ["sub", "aud", "exp"]},
        )
        return uuid.UUID(claims["sub"])
    except (jwt.InvalidTokenError, ValueError):
        return None
