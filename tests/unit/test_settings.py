from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from temporalio.service import TLSConfig

from fastship.settings import Environment, Settings
from fastship.temporal import tls_config
from tests.helpers import PAYLOAD_KEYS


@pytest.mark.parametrize("environment", ["test", "production"])
def test_outside_development_the_default_secret_is_refused(
    monkeypatch: pytest.MonkeyPatch, environment: Environment
) -> None:
    monkeypatch.setenv("ENVIRONMENT", environment)
    monkeypatch.delenv("JWT_SECRET", raising=False)
    with pytest.raises(ValidationError, match="JWT_SECRET is the development default"):
        Settings(_env_file=None)


def test_outside_development_a_short_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(environment="production", jwt_secret=SecretStr("short"))


def test_outside_development_a_real_secret_is_accepted() -> None:
    settings = Settings(
        environment="production",
        jwt_secret=SecretStr("s" * 40),
        payload_encryption_keys=SecretStr(PAYLOAD_KEYS),
    )
    assert settings.jwt_secret.get_secret_value() == "s" * 40


def test_development_runs_on_the_default_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    monkeypatch.delenv("JWT_SECRET", raising=False)
    assert Settings(_env_file=None).environment == "development"


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_ADDRESS", "temporal.internal:7233")
    settings = Settings(_env_file=None)
    assert settings.temporal_address == "temporal.internal:7233"
    assert settings.configured("temporal_address")
    assert not settings.configured("redis_url")


def test_a_local_temporal_is_reached_without_tls() -> None:
    assert tls_config(Settings(_env_file=None)) is False


def test_an_api_key_means_tls_with_the_system_roots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_API_KEY", "key-from-the-cloud")
    tls = tls_config(Settings(_env_file=None))
    assert isinstance(tls, TLSConfig)
    assert (tls.client_cert, tls.server_root_ca_cert) == (None, None)


def test_mtls_reads_the_certificate_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("client.pem", "client.key", "ca.pem"):
        (tmp_path / name).write_bytes(f"contents of {name}".encode())
    monkeypatch.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", str(tmp_path / "client.pem"))
    monkeypatch.setenv("TEMPORAL_TLS_CLIENT_KEY_PATH", str(tmp_path / "client.key"))
    monkeypatch.setenv("TEMPORAL_TLS_SERVER_CA_CERT_PATH", str(tmp_path / "ca.pem"))
    monkeypatch.setenv("TEMPORAL_TLS_SERVER_NAME", "ns.tmprl.example")

    tls = tls_config(Settings(_env_file=None))

    assert isinstance(tls, TLSConfig)
    assert tls.client_cert == b"contents of client.pem"
    assert tls.client_private_key == b"contents of client.key"
    assert tls.server_root_ca_cert == b"contents of ca.pem"
    assert tls.domain == "ns.tmprl.example"


def test_a_client_certificate_needs_its_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", "/etc/temporal/client.pem")
    with pytest.raises(ValidationError, match="go together"):
        Settings(_env_file=None)


@pytest.mark.parametrize(
    "url",
    ["postgres://app:pw@db.internal:5432/app", "postgresql://app:pw@db.internal:5432/app"],
)
def test_a_hosted_database_url_is_used_with_asyncpg(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    assert Settings(_env_file=None).database_url == (
        "postgresql+asyncpg://app:pw@db.internal:5432/app"
    )


@pytest.mark.parametrize("environment", ["test", "production"])
def test_outside_development_the_public_payload_key_is_refused(
    monkeypatch: pytest.MonkeyPatch, environment: Environment
) -> None:
    monkeypatch.delenv("PAYLOAD_ENCRYPTION_KEYS", raising=False)
    with pytest.raises(ValidationError, match="PAYLOAD_ENCRYPTION_KEYS is the development default"):
        Settings(_env_file=None, environment=environment, jwt_secret=SecretStr("s" * 40))


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        ("no-separator", "each key is written `id:base64key`"),
        ("k1:c2hvcnQ=", "key 'k1' is 5 bytes; AES-256 needs 32"),
        ("k1:not base64!", "Invalid base64|Non-base64|Incorrect padding|Only base64"),
        (" , ", "at least one key is needed"),
    ],
)
def test_payload_keys_that_cannot_encrypt_are_refused_at_start(keys: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        Settings(_env_file=None, payload_encryption_keys=SecretStr(keys))
