"""`python -m bench.web`: the web app's figures against the architecture doc's targets.

For each page a person lands on, the JavaScript a cold load fetches (gzipped, as served over the
network) and, for the tracking page recipients open on their phones, the time from navigation to
the first render that shows the parcel's status (Chromium's navigation timing, median of 10 cold
loads, each in a new browser context: no cache). Runs the app built in frontend/dist on a
throwaway stack; build it first (`make web`).
"""

import argparse
import asyncio
import gzip
import statistics
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import httpx
from playwright.async_api import Browser, async_playwright
from sqlalchemy.ext.asyncio import create_async_engine

from bench.report import say, table, verdict
from bench.scenarios import prepare
from bench.stack import Stack, running_stack
from fastship.settings import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TRACKING_JS_LIMIT_KB = 120.0
FIRST_RENDER_LIMIT_MS = 1000.0
# The status heading, shown once the tracking document is on screen (not while loading).
TRACKING_RENDERED = "h1"


async def _javascript_kb(browser: Browser, url: str, dist: Path) -> float:
    """Gzipped kB of every script a cold load of `url` fetches from the app."""
    context = await browser.new_context()
    page = await context.new_page()
    scripts: list[str] = []
    page.on(
        "request",
        lambda request: (
            scripts.append(urlsplit(request.url).path)
            if request.resource_type == "script"
            else None
        ),
    )
    await page.goto(url, wait_until="networkidle")
    await context.close()
    sizes = [len(gzip.compress((dist / path.lstrip("/")).read_bytes(), 9)) for path in scripts]
    return sum(sizes) / 1024


async def _first_render_ms(browser: Browser, url: str) -> float:
    context = await browser.new_context(viewport={"width": 375, "height": 812})
    page = await context.new_page()
    await page.goto(url, wait_until="commit")
    await page.wait_for_selector(TRACKING_RENDERED)
    rendered: float = await page.evaluate("performance.now()")  # since navigation start
    await context.close()
    return rendered


async def measure(stack: Stack, loads: int) -> bool:
    dist = Settings().web_app_dir
    engine = create_async_engine(stack.database_url)
    async with (
        httpx.AsyncClient(base_url=f"{stack.api_url}/api/v1", timeout=30) as client,
        aiohttp.ClientSession() as http,
    ):
        bench = await prepare(client, http, engine, stack)
    await engine.dispose()
    tracking = f"{stack.api_url}/track/{bench.tracking_codes[0]}"
    pages = {
        "landing /": f"{stack.api_url}/",
        "tracking /track/<code>": tracking,
        "seller log in /seller/login": f"{stack.api_url}/seller/login",
        "partner log in /partner/login": f"{stack.api_url}/partner/login",
    }
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        sizes = {name: await _javascript_kb(browser, url, dist) for name, url in pages.items()}
        renders = [await _first_render_ms(browser, tracking) for _ in range(loads)]
        await browser.close()

    tracking_kb = sizes["tracking /track/<code>"]
    median = statistics.median(renders)
    rows = [[name, f"{kb:.1f}"] for name, kb in sizes.items()]
    say(table(["page (cold load)", "JS kB gzipped"], rows, numbers=range(1, 2)))
    checks = [
        ["tracking page JS", f"{tracking_kb:.1f} kB", f"<= {TRACKING_JS_LIMIT_KB:.0f} kB"],
        [
            f"tracking first render with data (median of {loads})",
            f"{median:.0f} ms (min {min(renders):.0f}, max {max(renders):.0f})",
            f"<= {FIRST_RENDER_LIMIT_MS:.0f} ms",
        ],
    ]
    passed = [tracking_kb <= TRACKING_JS_LIMIT_KB, median <= FIRST_RENDER_LIMIT_MS]
    say("")
    say(
        table(
            ["figure", "measured", "target", "result"],
            [[*row, verdict(ok)] for row, ok in zip(checks, passed, strict=True)],
            numbers=range(1, 2),
        )
    )
    return all(passed)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__)
    parser.add_argument("--loads", type=int, default=10, help="cold loads of the tracking page")
    args = parser.parse_args()
    built = Settings().web_app_dir / "index.html"
    if not built.is_file():
        raise SystemExit(f"The web app is not built ({built}): run `make web` first.")
    say("Starting a throwaway stack (the API serves the built app)...")
    with running_stack(api_workers=1) as stack:
        passed = asyncio.run(measure(stack, args.loads))
    raise SystemExit(0 if passed else 1)


if __name__ == "__main__":
    main()
