"""The OpenAPI document, shaped for generated clients.

Short operation ids from the route names (`createShipment`), and every problem answer's schema
under `application/problem+json`, the media type it is sent as, FastAPI's own 422 included.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from api.errors import PROBLEM_MEDIA_TYPE

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def operation_id(route: APIRoute) -> str:
    """`list_seller_shipments` → `listSellerShipments`."""
    first, *rest = route.name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def _problems_as_sent(document: dict[str, Any]) -> None:
    for path in document["paths"].values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if PROBLEM_MEDIA_TYPE in content or status == "422":
                    content.pop("application/json", None)
                    content[PROBLEM_MEDIA_TYPE] = {"schema": PROBLEM_REF}
    schemas = document["components"]["schemas"]
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            _problems_as_sent(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
