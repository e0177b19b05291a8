import pytest
from pydantic import SecretStr, ValidationError

from fastship.settings import Environment, Settings


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
    settings = Settings(environment="production", jwt_secret=SecretStr("s" * 40))
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
