import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Password = Annotated[str, Field(min_length=8, max_length=128)]


class SellerSignup(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "Acme Books", "email": "ops@acme.example", "password": "correct horse 42"}
            ]
        }
    )

    name: Name
    email: EmailStr
    password: Password


class SellerRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5b0c3c1e-1d3a-4f5e-8e43-2d6f0a7b9c10",
                    "name": "Acme Books",
                    "email": "ops@acme.example",
                    "email_verified": False,
                    "created_at": "2026-11-25T09:30:00Z",
                }
            ]
        },
    )

    id: uuid.UUID
    name: str
    email: str
    email_verified: bool
    created_at: datetime


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
