"""The `fastship` command."""

import argparse
import asyncio
import json
import signal
import sys

import structlog
import uvicorn

from fastship.logging import configure_logging
from fastship.search_attributes import register_search_attributes
from fastship.settings import Settings, get_settings
from fastship.temporal import connect_temporal
from migrations import migrate

# The largest WebSocket message a client may send: its first one names its token and last id.
WEBSOCKET_MAX_MESSAGE_BYTES = 4096


async def _register_search_attributes(settings: Settings) -> None:
    added = await register_search_attributes(await connect_temporal(settings))
    structlog.get_logger(__name__).info("search attributes registered", added=added)


def main() -> int:
    parser = argparse.ArgumentParser(prog="fastship", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dev", help="run the whole product on embedded servers where none is set")
    commands.add_parser("api", help="serve the HTTP API")
    commands.add_parser("worker", help="run the Temporal worker")
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser(
        "register-search-attributes", help="add the custom search attributes to Temporal"
    )
    commands.add_parser("openapi", help="print the API's OpenAPI document (the web app's client)")
    operator = commands.add_parser(
        "create-operator", help="add an operator account (password from a prompt or stdin)"
    )
    operator.add_argument("--name", required=True)
    operator.add_argument("--email", required=True)
    arguments = parser.parse_args()
    command = arguments.command

    settings = get_settings()
    configure_logging()
    if command == "dev":
        from launcher import dev  # imports the embedded servers' packages, needed only here

        return dev.run(settings)
    if command == "api":
        # Uvicorn re-raises SIGTERM once it drained; exiting 0 then says it stopped as asked.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        uvicorn.run(
            "api.main:app",
            host=settings.api_host,
            port=settings.api_port,
            workers=settings.api_workers,
            log_config=None,
            # The client address (and so the rate-limit keys) comes from X-Forwarded-For only
            # when a trusted proxy sent it.
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            # WebSocket streams: no compression (each message is small, and sent as it is made),
            # and a small largest message from a client (its first one names its token).
            ws_per_message_deflate=False,
            ws_max_size=WEBSOCKET_MAX_MESSAGE_BYTES,
        )
    elif command == "worker":
        from worker.main import exit_now, serve

        asyncio.run(serve(settings))
        exit_now()
    elif command == "migrate":
        asyncio.run(migrate(settings.database_url))
    elif command == "register-search-attributes":
        asyncio.run(_register_search_attributes(settings))
    elif command == "create-operator":
        from launcher import operators

        return asyncio.run(operators.create(settings, arguments.name, arguments.email))
    elif command == "openapi":
        from api.app import create_app

        # Outside production, so the client also has the development outbox (404 in production).
        document = create_app(settings.model_copy(update={"environment": "development"})).openapi()
        print(json.dumps(document, indent=2, sort_keys=True))  # noqa: T201 - the command's output
    return 0
