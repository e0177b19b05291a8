"""OpenTelemetry traces: on when an OTLP endpoint is configured, off (nothing installed) otherwise.

The process's tracer provider is kept here rather than as OpenTelemetry's global one, which can be
set only once: the instrumentations, the Temporal interceptor and the log processor ask for it.
"""

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.metrics import NoOpUpDownCounter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.contrib.opentelemetry import TracingInterceptor

from fastship.settings import Settings

_provider: TracerProvider | None = None


def configure_tracing(
    settings: Settings, exporter: SpanExporter | None = None
) -> TracerProvider | None:
    """Installs this process's tracer provider, exporting to `exporter` or else to the OTLP/HTTP
    endpoint of the settings; with neither, uninstalls it (tracing off). Returns it."""
    global _provider
    if exporter is None and settings.otel_exporter_otlp_endpoint is not None:
        # The endpoint is a base URL, as OTEL_EXPORTER_OTLP_ENDPOINT is for every OTLP exporter.
        endpoint = settings.otel_exporter_otlp_endpoint.rstrip("/")
        exporter = OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces")
    if exporter is None:
        _provider = None
        return None
    _provider = TracerProvider(resource=Resource.create({SERVICE_NAME: settings.otel_service_name}))
    _provider.add_span_processor(BatchSpanProcessor(exporter))
    return _provider


def tracer_provider() -> TracerProvider | None:
    """The installed provider; None while tracing is off."""
    return _provider


def temporal_interceptors() -> list[TracingInterceptor]:
    """Carries the trace through workflow headers into workflows and activities (both sides)."""
    if _provider is None:
        return []
    return [TracingInterceptor(_provider.get_tracer("temporalio"))]


def trace_engine(engine: AsyncEngine) -> None:
    """A span for every statement the engine runs, while tracing is on."""
    if _provider is not None:
        tracer = _provider.get_tracer("sqlalchemy")
        connections = NoOpUpDownCounter("db.client.connections.usage")  # only traces here
        EngineTracer(tracer, engine.sync_engine, connections)  # type: ignore[no-untyped-call]
