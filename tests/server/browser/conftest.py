"""The web app in a real browser: Debian's Chromium driven by Playwright, against a real uvicorn
serving the built app and the API in the suite's event loop (with the suite's worker).

Every page a test visits is saved as a screenshot under `test-screenshots/<test>/`.
"""

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, ViewportSize, expect

from fastship.settings import Settings
from tests.accounts import PASSWORD
from tests.helpers import serving_uvicorn

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parents[3] / "test-screenshots"
PHONE = ViewportSize(width=375, height=812)
DESK = ViewportSize(width=1280, height=900)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    # This machine's closed network refuses Chromium's background connections: turn them off.
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
async def web_url(settings: Settings, worker: None) -> AsyncIterator[str]:
    """The product's one origin: the built app at `/`, the API under `/api/v1`."""
    built = settings.web_app_dir / "index.html"
    assert built.is_file(), f"the web app is not built ({built}): run `make web`"
    port = urlsplit(settings.public_url).port  # the links in messages open this server
    assert port is not None
    async with serving_uvicorn(settings, port):
        yield settings.public_url


class Shots:
    """Numbered screenshots of what a test saw, in the folder the README names; each page is
    checked with axe-core as it is taken."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken = 0

    async def take(self, page: Page, name: str) -> None:
        self.taken += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=self.folder / f"{self.taken:02d}-{name}.png", full_page=True)
        results = await Axe().run(page)
        serious = [
            f"{violation['id']} ({violation['impact']}): {violation['help']} at "
            + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            for violation in results.response["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
        assert not serious, f"accessibility of {name}: {serious}"


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(SCREENSHOTS / re.sub(r"[^\w-]+", "-", request.node.name).strip("-"))


async def log_in_seller(
    page: Page, web_url: str, api: httpx.AsyncClient, seller_auth: dict[str, str]
) -> None:
    """Logs the browser in as the seller behind `seller_auth`, through the app's login page."""
    me = (await api.get("/api/v1/seller/me", headers=seller_auth)).json()
    await page.goto(f"{web_url}/seller/login")
    await page.get_by_label("Email").fill(me["email"])
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Your shipments")).to_be_visible()
