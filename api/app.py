"""The FastAPI application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from api import dev, health, metrics, notifications, problems, public
from api.accounts.router import partner_router, seller_router
from api.codec import codec_app
from api.errors import install_error_handlers
from api.middleware import install_middleware
from api.openapi import install_openapi, operation_id
from api.operators.router import router as operator_router
from api.resources import open_resources
from api.shipments import lists
from api.shipments.router import router as shipments_router
from api.streams.router import router as streams_router
from api.web_app import install_web_app
from api.webhooks.router import router as webhooks_router
from fastship.settings import Settings, get_settings
from fastship.telemetry.tracing import configure_tracing, trace_engine, tracer_provider

API_PREFIX = "/api/v1"
# The largest request body FastShip takes (the codec server's batches included).
MAX_BODY_BYTES = 4 * 1024 * 1024


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # Once per process: a provider installed already (by a test) is kept.
    tracing = tracer_provider() or configure_tracing(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_resources(settings) as resources:
            trace_engine(resources.engine)
            app.state.resources = resources
            yield

    # Swagger UI served from the package, not a CDN: the docs work on a machine with no internet.
    app = FastAPIOffline(
        title="FastShip",
        version="0.1.0",
        summary="Shipments run as durable Temporal workflows.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        static_url="/docs/assets",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    api = APIRouter(prefix=API_PREFIX)
    # Routes are matched in order, one by one: the busiest first (public reads, then a
    # shipment's commands and reads, then the lists).
    api.include_router(public.router)
    api.include_router(streams_router)
    api.include_router(shipments_router)
    api.include_router(lists.router)
    api.include_router(seller_router)
    api.include_router(partner_router)
    api.include_router(operator_router)
    api.include_router(webhooks_router)
    api.include_router(problems.router)
    api.include_router(notifications.router)
    if settings.environment != "production":
        api.include_router(dev.router)
    api.include_router(health.router)
    app.include_router(api)
    # Also at the root, where load balancers and orchestrators probe by default.
    app.include_router(health.router, include_in_schema=False)
    app.include_router(metrics.router)
    app.state.metrics = metrics.HttpMetrics()
    install_error_handlers(app)
    install_openapi(app)
    app.mount("/codec", codec_app(settings))
    install_web_app(app, settings.web_app_dir)  # last: its catch-all comes after every route
    install_middleware(app, app.state.metrics, MAX_BODY_BYTES)
    if tracing is not None:
        # Outermost: the request's log line and every span below share the request's trace.
        FastAPIInstrumentor.instrument_app(
            app, tracer_provider=tracing, excluded_urls="/metrics,/health/"
        )
    return app
