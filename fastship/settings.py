"""All configuration, read once from the environment (and an optional `.env` file)."""

from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_JWT_SECRET = "development-only-secret-change-me-0123456789"  # noqa: S105

Environment = Literal["development", "test", "production"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Environment = "development"

    # Infrastructure. `fastship dev` starts an embedded server for each one not set explicitly.
    database_url: str = "postgresql+asyncpg://fastship@localhost:5432/fastship"
    redis_url: str = "redis://localhost:6379/0"
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"

    # Embedded stack (development only).
    state_dir: Path = Path(".fastship")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # API processes on this host; reads scale with them (each holds its own pools and client).
    api_workers: int = 1
    embedded_temporal_port: int = 7233
    temporal_ui_port: int = 8233

    # Tokens.
    jwt_secret: SecretStr = SecretStr(DEVELOPMENT_JWT_SECRET)
    jwt_issuer: str = "fastship"
    jwt_audience: str = "fastship-api"
    access_token_lifetime: timedelta = timedelta(hours=1)

    # Where recipients open tracking and review links.
    public_url: str = "http://127.0.0.1:8000"

    # Shipment rules' durations, fixed per shipment when its workflow starts.
    assignment_deadline: timedelta = timedelta(hours=24)
    assignment_retry: timedelta = timedelta(minutes=15)
    pickup_deadline: timedelta = timedelta(hours=12)
    delivery_estimate: timedelta = timedelta(days=3)
    delivery_code_lifetime: timedelta = timedelta(hours=24)
    review_reminder: timedelta = timedelta(days=3)
    review_window: timedelta = timedelta(days=30)
    # The longest an API request waits on a shipment's workflow before answering.
    workflow_command_timeout: timedelta = timedelta(seconds=10)

    # Concurrent Argon2 hashes per process: each takes 64 MiB of memory and a core's time.
    password_hashing_concurrency: int = 4

    # Notification providers; without credentials messages go to the local outbox.
    sendgrid_api_key: SecretStr | None = None
    sendgrid_from_email: str = "no-reply@fastship.local"
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = None

    @model_validator(mode="after")
    def refuse_default_secret_outside_development(self) -> Self:
        if self.environment != "development":
            secret = self.jwt_secret.get_secret_value()
            if secret == DEVELOPMENT_JWT_SECRET:
                raise ValueError(
                    "JWT_SECRET is the development default; set a secret of your own "
                    f"(at least 32 characters) when ENVIRONMENT={self.environment}"
                )
            if len(secret) < 32:
                raise ValueError(
                    f"JWT_SECRET must be at least 32 characters when ENVIRONMENT={self.environment}"
                )
        return self

    def configured(self, field: str) -> bool:
        """True when `field` came from the environment rather than its default."""
        return field in self.model_fields_set


@lru_cache
def get_settings() -> Settings:
    return Settings()
