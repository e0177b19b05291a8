"""The API serves the built web app after its own routes: deep links get the page, hashed assets
are cached for good, and unknown API paths stay problem+json 404s."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from fastship.settings import Settings
from tests.helpers import serve_api

PAGE = (
    '<!doctype html><html><body><div id="root"></div>'
    '<script type="module" src="/assets/index-abc123.js"></script></body></html>'
)


@pytest.fixture
async def web(settings: Settings, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The API with a built app of its own (a page and a hashed script)."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(PAGE)
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('app')")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    async with serve_api(settings.model_copy(update={"web_app_dir": tmp_path})) as client:
        yield client


@pytest.mark.parametrize("path", ["/", "/track/abc", "/seller/shipments/123?status=placed"])
async def test_every_app_route_gets_the_page_with_a_strict_policy(
    web: httpx.AsyncClient, path: str
) -> None:
    response = await web.get(path)

    assert response.status_code == 200
    assert response.text == PAGE
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["Cache-Control"] == "no-cache"


async def test_hashed_assets_are_cached_for_good_and_files_served_as_they_are(
    web: httpx.AsyncClient,
) -> None:
    script = await web.get("/assets/index-abc123.js")
    icon = await web.get("/favicon.svg")

    assert script.status_code == 200
    assert "immutable" in script.headers["Cache-Control"]
    assert icon.text == "<svg/>"
    assert (await web.get("/assets/missing.js")).status_code == 404


async def test_unknown_api_paths_and_escapes_stay_problems(web: httpx.AsyncClient) -> None:
    for response, status in (
        (await web.get("/api/v1/nothing-here"), 404),
        (await web.post("/api/v1/nothing-here"), 404),
        (await web.get("/api"), 404),
        (await web.delete("/api/v1/seller/me"), 405),
        (await web.post("/track/abc"), 405),  # a page of the app is only read
    ):
        assert response.status_code == status
        assert response.headers["Content-Type"] == "application/problem+json"
    assert (await web.get("/api/v1/health/live")).json() == {"status": "ok", "checks": {}}
    escaped = await web.get("/%2e%2e/%2e%2e/etc/passwd")
    assert escaped.text == PAGE  # never a file outside the app
