"""All configuration, read once from the environment (and an optional `.env` file)."""

from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from fastship.payload_codec import parse_keys

DEVELOPMENT_JWT_SECRET = "development-only-secret-change-me-0123456789"  # noqa: S105
# base64 of the 32 bytes "fastship-development-only-key-32": public, so development only.
DEVELOPMENT_PAYLOAD_KEYS = "development:ZmFzdHNoaXAtZGV2ZWxvcG1lbnQtb25seS1rZXktMzI="

Environment = Literal["development", "test", "production"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Environment = "development"

    # Infrastructure. `fastship dev` starts an embedded server for each one not set explicitly.
    database_url: str = "postgresql+asyncpg://fastship@localhost:5432/fastship"
    redis_url: str = "redis://localhost:6379/0"
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    # A real cluster (e.g. Temporal Cloud): TLS, with an API key or a client certificate (mTLS).
    # TLS is on when any of these is set, or when TEMPORAL_TLS=true.
    temporal_tls: bool = False
    temporal_api_key: SecretStr | None = None
    temporal_tls_client_cert_path: Path | None = None
    temporal_tls_client_key_path: Path | None = None
    temporal_tls_server_ca_cert_path: Path | None = None
    temporal_tls_server_name: str | None = None

    # Observability: Prometheus metrics (the API serves /metrics; the worker listens on its own
    # port), and OpenTelemetry traces exported over OTLP/HTTP when an endpoint is set.
    worker_metrics_port: int = 9464
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str = "fastship"

    # Embedded stack (development only).
    state_dir: Path = Path(".fastship")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # API processes on this host; reads scale with them (each holds its own pools and client).
    api_workers: int = 1
    embedded_temporal_port: int = 7233
    temporal_ui_port: int = 8233

    # Real-time streams (SSE and WebSocket): a heartbeat this often, when the stream's token is
    # checked again (a logout or an expiry ends the stream within one).
    stream_heartbeat: timedelta = timedelta(seconds=15)
    streams_per_token: int = 5

    # Tokens.
    jwt_secret: SecretStr = SecretStr(DEVELOPMENT_JWT_SECRET)
    # Earlier secrets, still accepted (never used to sign) while a rotation is under way:
    # JWT_PREVIOUS_SECRETS='["the-old-secret"]'.
    jwt_previous_secrets: list[SecretStr] = []
    jwt_issuer: str = "fastship"
    jwt_audience: str = "fastship-api"
    access_token_lifetime: timedelta = timedelta(hours=1)

    # Workflow payloads are encrypted (AES-256-GCM) with these keys, `id:base64key` separated by
    # commas: the first encrypts, every one decrypts. To rotate, put a new key first and keep the
    # old ones while histories encrypted with them exist. A key: `k2:$(openssl rand -base64 32)`.
    payload_encryption_keys: SecretStr = SecretStr(DEVELOPMENT_PAYLOAD_KEYS)
    # The codec server (/codec/decode, /codec/encode) decodes payloads for the Temporal UI at
    # TEMPORAL_UI_URL, for callers bearing this token. Unset: off, except in development (the
    # development key is public anyway), where the local UI may call it without one.
    codec_server_token: SecretStr | None = None
    temporal_ui_url: str = "http://127.0.0.1:8233"

    # The built web app the API serves at `/` (`make web`), from the working directory (the
    # repository's, as `make dev` runs it; the image sets its own); absent: the API alone.
    web_app_dir: Path = Path("frontend/dist")

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
    # How long one try at a shipment's database step may take: a worker that died in one is
    # noticed then, and the step is retried (it recognises a change it had already stored).
    database_step_timeout: timedelta = timedelta(seconds=10)
    # The longest an API request waits on a shipment's workflow before answering.
    workflow_command_timeout: timedelta = timedelta(seconds=10)
    # How long a starting worker waits for an unreachable Temporal server before it exits: both
    # may be restarting at once.
    temporal_start_wait: timedelta = timedelta(seconds=60)

    # Concurrent Argon2 hashes per process: each takes 64 MiB of memory and a core's time.
    password_hashing_concurrency: int = 4

    # Accounts.
    email_verification_lifetime: timedelta = timedelta(days=7)
    email_verification_reminder: timedelta = timedelta(hours=24)
    password_reset_lifetime: timedelta = timedelta(hours=1)

    # Rate limits, in the `limits` library's notation ("5/minute", "100 per hour"), kept in Redis
    # so every API replica shares them. Account routes count per client IP and per account.
    rate_limit_account_per_ip: str = "30/minute"
    rate_limit_account_per_account: str = "10/minute"
    # Delivery-code guesses, per client IP and per shipment (the code itself allows 5 wrong tries).
    rate_limit_delivery_code_per_ip: str = "30/minute"
    rate_limit_delivery_code_per_shipment: str = "10/minute"
    # Every other authenticated route, per token.
    rate_limit_per_token: str = "600/minute"  # noqa: S105
    # Proxies whose X-Forwarded-For names the client (comma-separated IPs, or "*").
    forwarded_allow_ips: str = "127.0.0.1"

    # Notification providers; without credentials messages go to the local outbox.
    sendgrid_api_key: SecretStr | None = None
    sendgrid_from_email: str = "no-reply@fastship.local"
    sendgrid_api_url: str = "https://api.sendgrid.com"
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    # How long a notification is retried while the provider answers 429 or 5xx.
    notification_retry_deadline: timedelta = timedelta(hours=24)
    # How long one try at sending (messages, a webhook) may take: a worker that died mid-try is
    # noticed then, and another worker tries again.
    send_attempt_timeout: timedelta = timedelta(minutes=1)

    # Seller webhooks: retried with backoff for this long; private and loopback addresses (and
    # plain http) are accepted only when allowed, which is the default in development alone.
    webhook_retry_deadline: timedelta = timedelta(hours=24)
    webhook_timeout: timedelta = timedelta(seconds=10)
    webhook_allow_private_networks: bool | None = None

    @field_validator("database_url")
    @classmethod
    def use_asyncpg(cls, url: str) -> str:
        """Hosted databases hand out `postgres://` URLs; FastShip talks to them with asyncpg."""
        scheme, separator, rest = url.partition("://")
        if scheme in ("postgres", "postgresql"):
            return f"postgresql+asyncpg{separator}{rest}"
        return url

    @model_validator(mode="after")
    def client_certificate_comes_with_its_key(self) -> Self:
        if (self.temporal_tls_client_cert_path is None) != (
            self.temporal_tls_client_key_path is None
        ):
            raise ValueError(
                "TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together"
            )
        return self

    @field_validator("payload_encryption_keys")
    @classmethod
    def payload_keys_parse(cls, keys: SecretStr) -> SecretStr:
        parse_keys(keys.get_secret_value())
        return keys

    @property
    def payload_keys(self) -> dict[str, bytes]:
        return parse_keys(self.payload_encryption_keys.get_secret_value())

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

    @model_validator(mode="after")
    def refuse_public_payload_key_outside_development(self) -> Self:
        if (
            self.environment != "development"
            and self.payload_encryption_keys.get_secret_value() == DEVELOPMENT_PAYLOAD_KEYS
        ):
            raise ValueError(
                "PAYLOAD_ENCRYPTION_KEYS is the development default, whose key is public; set "
                f"keys of your own (see .env.example) when ENVIRONMENT={self.environment}"
            )
        return self

    @property
    def webhooks_may_reach_private_networks(self) -> bool:
        if self.webhook_allow_private_networks is None:
            return self.environment == "development"
        return self.webhook_allow_private_networks

    @property
    def sends_email(self) -> bool:
        """SendGrid is configured; otherwise email goes to the local outbox."""
        return self.sendgrid_api_key is not None

    @property
    def sends_sms(self) -> bool:
        """Twilio is configured; otherwise SMS go to the local outbox."""
        return None not in (
            self.twilio_account_sid,
            self.twilio_auth_token,
            self.twilio_from_number,
        )

    @property
    def temporal_uses_tls(self) -> bool:
        return self.temporal_tls or any(
            value is not None
            for value in (
                self.temporal_api_key,
                self.temporal_tls_client_cert_path,
                self.temporal_tls_server_ca_cert_path,
            )
        )

    def configured(self, field: str) -> bool:
        """True when `field` came from the environment rather than its default."""
        return field in self.model_fields_set


@lru_cache
def get_settings() -> Settings:
    return Settings()
