"""Liveness and readiness, with each dependency reachable or not."""

from pathlib import Path

import httpx
import pytest

from fastship.settings import Settings
from launcher.embedded import EmbeddedRedis, free_port
from tests.helpers import serve_api


@pytest.mark.parametrize("path", ["/health/live", "/api/v1/health/live"])
async def test_live(api: httpx.AsyncClient, path: str) -> None:
    response = await api.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {}}


async def test_ready_when_every_dependency_answers(api: httpx.AsyncClient) -> None:
    response = await api.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "temporal": "ok"}


async def test_not_ready_once_redis_goes_down(settings: Settings, tmp_path: Path) -> None:
    redis = EmbeddedRedis(tmp_path, port=free_port(), persist=False)
    async with serve_api(settings.model_copy(update={"redis_url": redis.url})) as api:
        assert (await api.get("/health/ready")).status_code == 200

        redis.stop()
        response = await api.get("/health/ready")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["detail"] == "Not ready: redis unreachable"
    assert problem["checks"]["redis"].startswith("unreachable")
    assert problem["checks"]["database"] == problem["checks"]["temporal"] == "ok"


@pytest.mark.parametrize(
    ("setting", "value", "failed"),
    [
        ("database_url", "postgresql+asyncpg://fastship@127.0.0.1:{port}/fastship", "database"),
        ("temporal_address", "127.0.0.1:{port}", "temporal"),
    ],
)
async def test_not_ready_names_the_unreachable_dependency(
    settings: Settings, setting: str, value: str, failed: str
) -> None:
    broken = settings.model_copy(update={setting: value.format(port=free_port())})
    async with serve_api(broken) as api:
        response = await api.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["detail"] == f"Not ready: {failed} unreachable"
