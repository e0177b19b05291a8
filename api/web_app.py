"""The built web app (`frontend/dist`), served after every API route.

Deep links get `index.html`, which the app routes; files under `/assets` are named by their
content hash, so browsers keep them for good; unknown `/api/…` paths stay problem+json 404s.
"""

from http import HTTPStatus
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

# Scripts and styles from the app's own origin only: no inline script can run on its pages.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-cache",  # the page names the current assets: always ask
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # tracking and review links carry their codes
}


class HashedAssets(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


class WebApp:
    """Mounted at `/` after every route: GET and HEAD of any other path answer a file of the app
    or its page; anything else (another method, a path under /api) is a problem+json 404."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        if scope["method"] not in ("GET", "HEAD") or path == "/api" or path.startswith("/api/"):
            raise HTTPException(HTTPStatus.NOT_FOUND)
        file = (self.root / path.lstrip("/")).resolve()
        if file.is_file() and self.root in file.parents:  # favicon, robots.txt, …
            response = FileResponse(file)
        else:
            response = FileResponse(self.root / "index.html", headers=PAGE_HEADERS)
        await response(scope, receive, send)


def install_web_app(app: FastAPI, dist: Path) -> None:
    """Serves the app in `dist` if it was built; without it the API runs alone."""
    if not (dist / "index.html").is_file():
        return
    root = dist.resolve()
    app.mount("/assets", HashedAssets(directory=root / "assets", check_dir=False), name="assets")
    app.mount("/", WebApp(root), name="web-app")
