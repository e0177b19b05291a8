import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

from api.shipments.schemas import ZipCode
from api.text import NoControlCharacters
from models.domain import Language, Role

_COMMON_PASSWORDS = frozenset(
    line.strip().lower()
    for line in (Path(__file__).parent / "common_passwords.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)


def _not_common(password: str) -> str:
    if password.lower() in _COMMON_PASSWORDS:
        raise ValueError("This password is too common; choose one that is harder to guess")
    return password


def check_not_email(password: str, email: str) -> None:
    """Refuses a password that is the account's email, or its part before the @."""
    lowered = password.lower()
    if lowered in (email.lower(), email.lower().partition("@")[0]):
        raise ValueError("The password must not be your email address")


Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoControlCharacters
]
Password = Annotated[
    str,
    Field(min_length=8, max_length=128, description="8-128 characters, not a common password"),
    NoControlCharacters,
    AfterValidator(_not_common),
]
Email = Annotated[EmailStr, Field(max_length=320)]
Capacity = Annotated[int, Field(gt=0, le=10_000, strict=True)]


def _unique(zip_codes: list[str]) -> list[str]:
    return list(dict.fromkeys(zip_codes))


ZipCodes = Annotated[list[ZipCode], Field(min_length=1, max_length=500), AfterValidator(_unique)]


class SellerSignup(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "Acme Books", "email": "ops@acme.example", "password": "correct horse 42"}
            ]
        }
    )

    name: Name
    email: Email
    password: Password
    language: Language = Field(Language.EN, description="The language of your emails")

    @model_validator(mode="after")
    def password_is_not_the_email(self) -> Self:
        check_not_email(self.password, str(self.email))
        return self


class PartnerSignup(SellerSignup):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Swift Couriers",
                    "email": "dispatch@swift.example",
                    "password": "correct horse 42",
                    "serviceable_zip_codes": ["10001", "10002"],
                    "max_handling_capacity": 25,
                }
            ]
        }
    )

    serviceable_zip_codes: ZipCodes
    max_handling_capacity: Capacity


class PartnerUpdate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"serviceable_zip_codes": ["10001"], "max_handling_capacity": 30}]
        }
    )

    serviceable_zip_codes: ZipCodes | None = None
    max_handling_capacity: Capacity | None = None
    language: Language | None = None


class SellerUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"language": "es"}]})

    name: Name | None = None
    language: Language | None = None


class VerifyEmail(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"token": "eyJhbGciOi..."}]})

    token: Annotated[str, Field(min_length=1, max_length=2000), NoControlCharacters]


class ForgotPassword(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"email": "ops@acme.example"}]})

    email: Email


class ResetPassword(VerifyEmail):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"token": "eyJhbGciOi...", "password": "new horse 43"}]}
    )

    password: Password


class AccountRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5b0c3c1e-1d3a-4f5e-8e43-2d6f0a7b9c10",
                    "name": "Acme Books",
                    "email": "ops@acme.example",
                    "email_verified": False,
                    "language": "en",
                    "created_at": "2026-11-25T09:30:00Z",
                }
            ]
        },
    )

    id: uuid.UUID
    name: str
    email: str
    email_verified: bool
    language: Language
    created_at: datetime


class SellerRead(AccountRead):
    pass


class PartnerRead(AccountRead):
    serviceable_zip_codes: list[str]
    max_handling_capacity: int


class TokenResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"access_token": "eyJhbGciOi...", "token_type": "bearer", "expires_in": 3600}
            ]
        }
    )

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int


class BrowserSession(BaseModel):
    """The web app's session: its token is in an httpOnly cookie; send `csrf_token` back in the
    X-CSRF-Token header with every change."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"role": "seller", "csrf_token": "9f2c…", "expires_in": 3600}]
        }
    )

    role: Role
    csrf_token: str
    expires_in: int


class LoginForm(BaseModel):
    """The OAuth2 password flow's form; `username` is the account's email."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"username": "ops@acme.example", "password": "correct horse 42"}]
        }
    )

    username: Annotated[str, Field(min_length=1, max_length=320), NoControlCharacters]
    password: Annotated[str, Field(min_length=1, max_length=128), NoControlCharacters]
