"""The worker process: runs shipment workflows and their activities until SIGTERM or SIGINT.

It serves Prometheus metrics (the Temporal SDK's and its own counters) on `WORKER_METRICS_PORT`,
and traces when an OTLP endpoint is configured.
"""

import asyncio
import os
import signal
import sys
import time
from datetime import timedelta
from typing import NoReturn

import structlog
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.accounts import AccountActivities
from activities.assignment import AssignmentActivities
from activities.notifications.sending import NotificationActivities, NotificationSender
from activities.publishing import ChangePublisher
from activities.shipments import ShipmentActivities
from activities.webhooks import WebhookActivities
from fastship.database import create_engine, create_session_factory
from fastship.logging import configure_logging
from fastship.settings import Settings, get_settings
from fastship.telemetry.tracing import configure_tracing, trace_engine, tracer_provider
from fastship.telemetry.worker_metrics import ActivityOutcomes, metrics_runtime
from fastship.temporal import connect_temporal
from models.domain import TASK_QUEUE
from workflows.accounts import EmailVerificationWorkflow, PasswordResetWorkflow
from workflows.shipment import ShipmentWorkflow

log = structlog.get_logger(__name__)


def build_worker(
    client: Client, sessions: async_sessionmaker[AsyncSession], settings: Settings, redis: Redis
) -> Worker:
    """`redis` is the worker's own client, for publishing changes (activities.publishing)."""
    shipment_activities = ShipmentActivities(sessions, settings, ChangePublisher(redis))
    assignment_activities = AssignmentActivities(sessions)
    sender = NotificationSender(sessions, settings)
    account_activities = AccountActivities(sessions, sender)
    return Worker(
        client,
        task_queue=TASK_QUEUE,
        workflows=[ShipmentWorkflow, EmailVerificationWorkflow, PasswordResetWorkflow],
        activities=[
            *shipment_activities.all,
            assignment_activities.wake_waiting_shipments,
            NotificationActivities(sender).send_notifications,
            account_activities.send_account_email,
            account_activities.send_password_reset,
            account_activities.expire_unverified_account,
            WebhookActivities(sessions, settings).deliver_webhook,
        ],
        interceptors=[ActivityOutcomes()],
        # No sandbox here: it cost a sixth of the worker's CPU per create (it runs code in the
        # sandbox for every payload it encodes). The replay tests and the workflow tier run the
        # workflows sandboxed, so a nondeterministic call still fails a test.
        workflow_runner=UnsandboxedWorkflowRunner(),
        graceful_shutdown_timeout=timedelta(seconds=10),
    )


async def connect_when_reachable(settings: Settings) -> Client:
    """Temporal, once it answers; retried for TEMPORAL_START_WAIT, each failure logged."""
    deadline = time.monotonic() + settings.temporal_start_wait.total_seconds()
    while True:
        try:
            return await connect_temporal(settings)
        except RuntimeError as exc:  # the SDK's bridge raises it for a refused connection
            if time.monotonic() >= deadline:
                raise
            log.warning("temporal unreachable; trying again", error=str(exc))
            await asyncio.sleep(1)


async def serve(settings: Settings) -> None:
    # Before the client: clients run on the runtime that is the default when they connect.
    Runtime.set_default(metrics_runtime(settings.worker_metrics_port))
    configure_tracing(settings)
    engine = create_engine(settings)
    trace_engine(engine)
    client = await connect_when_reachable(settings)
    redis = Redis.from_url(settings.redis_url)
    worker = build_worker(client, create_session_factory(engine), settings, redis)

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    log.info(
        "worker started",
        task_queue=TASK_QUEUE,
        temporal=settings.temporal_address,
        metrics_port=settings.worker_metrics_port,
    )
    async with worker:
        await stop.wait()
        log.info("worker stopping: finishing in-flight tasks")
    await engine.dispose()
    await redis.aclose()
    if provider := tracer_provider():  # exit_now skips the atexit hook that would flush it
        provider.shutdown()
    log.info("worker stopped")


def exit_now() -> NoReturn:
    """Ends the stopped worker without the interpreter's finalization, during which the Temporal
    SDK's core threads may still take the GIL and abort the process ("PyGILState_Release: thread
    state must be current", SIGABRT) after a clean stop."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def run() -> None:
    configure_logging()
    asyncio.run(serve(get_settings()))
    exit_now()
