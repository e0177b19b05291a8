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
