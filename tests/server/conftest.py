"""Real servers for the whole test session: PostgreSQL, Redis and a Temporal dev server.

PostgreSQL and Redis come from DATABASE_URL / REDIS_URL when set, else from embedded servers.
Every test starts on empty tables.
"""

import asyncio
import functools
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from fastship.database import create_engine, create_session_factory
from fastship.payload_codec import parse_keys
from fastship.settings import Settings
from fastship.temporal import data_converter
from launcher.dev import create_database_if_missing
from launcher.embedded import (
    EmbeddedPostgres,
    EmbeddedRedis,
    dynamic_config_flags,
    free_port,
    temporal_cli_path,
)
from migrations import migrate
from models.domain import SearchAttributes
from models.tables import metadata
from tests.accounts import SignUp, stored_partner, stored_seller
from tests.fake_providers import FakeSendGrid, FakeTwilio
from tests.fake_webhooks import Receiver, serving_receiver
from tests.helpers import PAYLOAD_KEYS, serve_api
from worker.main import build_worker

TEST_DATABASE = "fastship_test"


@pytest.fixture(scope="session")
def database_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A URL to the server's maintenance database; the tests use their own database beside it."""
    if url := os.environ.get("DATABASE_URL"):
        yield url
        return
    postgres = EmbeddedPostgres(tmp_path_factory.mktemp("postgres"))
    yield postgres.url("postgres")
    postgres.stop()


@pytest.fixture(scope="session")
async def database_url(database_server_url: str) -> str:
    url = make_url(database_server_url).set(database=TEST_DATABASE).render_as_string(False)
    await create_database_if_missing(database_server_url, TEST_DATABASE)
    await migrate(url)
    return url


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url := os.environ.get("REDIS_URL"):
        yield url
        return
    redis = EmbeddedRedis(tmp_path_factory.mktemp("redis"), port=free_port(), persist=False)
    yield redis.url
    redis.stop()


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli_path(),
        dev_server_extra_args=dynamic_config_flags(),
        search_attributes=SearchAttributes.ALL,
        data_converter=data_converter(parse_keys(PAYLOAD_KEYS)),
        dev_server_log_level="error",
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def temporal(temporal_env: WorkflowEnvironment) -> Client:
    return temporal_env.client


@pytest.fixture(scope="session")
def settings(database_url: str, redis_url: str, temporal: Client) -> Settings:
    generous = "100000/minute"  # rate limits that only tests setting lower ones reach
    return Settings(
        environment="test",
        jwt_secret=SecretStr(secrets.token_hex(32)),
        payload_encryption_keys=SecretStr(PAYLOAD_KEYS),
        database_url=database_url,
        redis_url=redis_url,
        temporal_address=temporal.service_client.config.target_host,
        rate_limit_account_per_ip=generous,
        rate_limit_account_per_account=generous,
        rate_limit_delivery_code_per_ip=generous,
        rate_limit_delivery_code_per_shipment=generous,
        rate_limit_per_token=generous,
        # Webhook receivers in tests listen on loopback; the refusal has tests of its own.
        webhook_allow_private_networks=True,
        # Where the browser tests serve the app: the links in messages open it.
        public_url=f"http://127.0.0.1:{free_port()}",
    )


@pytest.fixture(scope="session")
async def sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(settings)
    yield create_session_factory(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(settings.redis_url)
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
async def worker(
    temporal: Client,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    redis: Redis,
) -> AsyncIterator[None]:
    async with build_worker(temporal, sessions, settings, redis):
        yield


@pytest.fixture(autouse=True)
async def empty_tables(
    sessions: async_sessionmaker[AsyncSession], temporal: Client, redis_url: str
) -> AsyncIterator[None]:
    """Each test starts with no rows, no running workflow and nothing in Redis."""
    yield
    async for execution in temporal.list_workflows('ExecutionStatus="Running"'):
        try:
            await temporal.get_workflow_handle(execution.id).terminate("test finished")
        except RPCError as exc:  # it completed since it was listed
            if exc.status is not RPCStatusCode.NOT_FOUND:
                raise
    tables = ", ".join(table.name for table in metadata.sorted_tables)
    for attempt in range(5):
        try:
            async with sessions.begin() as session:
                await session.execute(text(f"TRUNCATE {tables} CASCADE"))
            break
        except DBAPIError as exc:  # a terminated workflow's activity was still writing
            if "deadlock" not in str(exc) or attempt == 4:
                raise
            await asyncio.sleep(0.2)
    async with Redis.from_url(redis_url) as redis:  # revocations and rate-limit counts
        await redis.flushdb()


@pytest.fixture(scope="session")
async def api(settings: Settings, worker: None) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the API, with a worker running the workflows it starts."""
    async with serve_api(settings) as client:
        yield client


@pytest.fixture
def sign_up_seller(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> SignUp:
    return functools.partial(stored_seller, sessions, settings)


@pytest.fixture
def sign_up_partner(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> SignUp:
    return functools.partial(stored_partner, sessions, settings)


@pytest.fixture
async def partner_auth(sign_up_partner: SignUp) -> dict[str, str]:
    """A partner serving zip 10001 (and SW1A1AA), with room for ten shipments."""
    return await sign_up_partner(["10001", "SW1A1AA"])


@pytest.fixture
async def seller_auth(sign_up_seller: SignUp) -> dict[str, str]:
    return await sign_up_seller()


@pytest.fixture
async def sendgrid() -> AsyncIterator[FakeSendGrid]:
    """A local SendGrid: records what it is sent, fails when told to."""
    async with FakeSendGrid() as fake:
        yield fake


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    """A local Twilio: records what it is sent, fails when told to."""
    async with FakeTwilio() as fake:
        yield fake


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A seller's webhook endpoint on loopback: records requests, fails when told to."""
    async with serving_receiver() as receiver:
        yield receiver


@pytest.fixture
async def own_temporal(settings: Settings) -> AsyncIterator[Settings]:
    """Settings for a Temporal server of its own, where only the workers this test starts poll."""
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli_path(),
        dev_server_extra_args=dynamic_config_flags(),
        search_attributes=SearchAttributes.ALL,
        data_converter=data_converter(settings.payload_keys),
        dev_server_log_level="error",
    ) as env:
        yield settings.model_copy(
            update={
                "temporal_address": env.client.service_client.config.target_host,
                "workflow_command_timeout": timedelta(seconds=30),
            }
        )
