import re
from typing import Any

import httpx


async def test_openapi_document_has_examples_and_problem_responses(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()

    schemas = document["components"]["schemas"]
    assert schemas["ShipmentCreate"]["examples"][0]["destination_zip"] == "10001"
    assert schemas["SellerSignup"]["examples"]
    create = document["paths"]["/api/v1/shipment"]["post"]
    assert "application/problem+json" in create["responses"]["422"]["content"]
    assert "Idempotency-Key" in [parameter["name"] for parameter in create["parameters"]]


async def test_docs_page_is_served_with_its_assets(api: httpx.AsyncClient) -> None:
    response = await api.get("/docs")
    assert response.status_code == 200
    assert "/api/v1/openapi.json" in response.text
    assert "cdn" not in response.text.lower()
    script = await api.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.text


async def _document(api: httpx.AsyncClient) -> dict[str, Any]:
    document: dict[str, Any] = (await api.get("/api/v1/openapi.json")).json()
    return document


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [operation for path in document["paths"].values() for operation in path.values()]


async def test_operation_ids_are_short_unique_and_camel_case(api: httpx.AsyncClient) -> None:
    ids = [operation["operationId"] for operation in _operations(await _document(api))]

    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", found) for found in ids), ids
    assert {"listSellerShipments", "createShipment", "reportEvent", "trackShipment"} <= set(ids)


async def test_every_error_is_documented_as_the_problem_it_is_sent_as(
    api: httpx.AsyncClient,
) -> None:
    document = await _document(api)
    errors = [
        response
        for operation in _operations(document)
        for status, response in operation["responses"].items()
        if status.startswith(("4", "5"))
    ]

    assert errors
    for response in errors:  # generated clients type each error as a Problem
        assert response["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
    assert "HTTPValidationError" not in document["components"]["schemas"]


async def test_every_request_body_has_an_example(api: httpx.AsyncClient) -> None:
    document = await _document(api)
    schemas = document["components"]["schemas"]
    for operation in _operations(document):
        for media in operation.get("requestBody", {}).get("content", {}).values():
            schema = media["schema"]
            refs = [schema, *schema.get("anyOf", [])]
            names = [ref["$ref"].rpartition("/")[2] for ref in refs if "$ref" in ref]
            assert names, operation["operationId"]
            assert all(schemas[name].get("examples") for name in names), operation["operationId"]
