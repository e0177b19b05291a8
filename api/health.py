"""Liveness, and readiness: PostgreSQL, Redis and Temporal all reachable."""

import asyncio
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from api.dependencies import ResourcesDep
from api.errors import documented_problem, problem_kind, problem_response
from api.resources import Resources

router = APIRouter(prefix="/health", tags=["health"])
NOT_READY = problem_kind(
    "not-ready", HTTPStatus.SERVICE_UNAVAILABLE, "A server FastShip needs is unreachable"
)

CHECK_TIMEOUT_SECONDS = 2.0


class HealthStatus(BaseModel):
    status: Literal["ok"]
    checks: dict[str, str] = {}


async def _database(resources: Resources) -> None:
    async with resources.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _redis(resources: Resources) -> None:
    await resources.redis.ping()


async def _temporal(resources: Resources) -> None:
    await resources.temporal.service_client.check_health()


CHECKS: dict[str, Callable[[Resources], Awaitable[None]]] = {
    "database": _database,
    "redis": _redis,
    "temporal": _temporal,
}


async def _check(name: str, resources: Resources) -> str:
    try:
        await asyncio.wait_for(CHECKS[name](resources), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return f"unreachable: no answer within {CHECK_TIMEOUT_SECONDS:.0f} s"
    except Exception as exc:  # any failure means not ready
        return f"unreachable: {type(exc).__name__}"
    return "ok"


@router.get("/live", summary="The process is up")
async def health_live() -> HealthStatus:
    return HealthStatus(status="ok")


@router.get(
    "/ready",
    summary="PostgreSQL, Redis and Temporal are reachable",
    responses={503: documented_problem("A dependency is unreachable; the problem names it")},
    response_model=HealthStatus,
)
async def health_ready(request: Request, resources: ResourcesDep) -> HealthStatus | JSONResponse:
    results = await asyncio.gather(*(_check(name, resources) for name in CHECKS))
    checks = dict(zip(CHECKS, results, strict=True))
    failed = [name for name, result in checks.items() if result != "ok"]
    if failed:
        detail = f"Not ready: {', '.join(failed)} unreachable"
        return problem_response(request, 503, detail, code=NOT_READY, checks=checks)
    return HealthStatus(status="ok", checks=checks)
