"""The built web app (`frontend/dist`), served after every API route.

Deep links get `index.html`, which the app routes; files under `/assets` are named by their
content hash, so browsers keep them for good; unknown `/api/…` paths stay problem+json 404s.
"""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import Response
from starlette.types import Scope

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


class AppPath(Convertor[str]):
    """Any path but the API's: an unknown /api/… path stays the router's 404, and a known one
    with the wrong method its 405."""

    regex = r"(?!api(?:/|$)).*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("app_path", AppPath())


def install_web_app(app: FastAPI, dist: Path) -> None:
    """Serves the app in `dist` if it was built; without it the API runs alone."""
    if not (dist / "index.html").is_file():
        return
    root = dist.resolve()
    app.mount("/assets", HashedAssets(directory=root / "assets", check_dir=False), name="assets")

    async def web_app(request: Request) -> FileResponse:
        """A file of the app (favicon, robots.txt, …), or else its page, which routes the path."""
        file = (root / request.path_params["path"]).resolve()
        if file.is_file() and root in file.parents:
            return FileResponse(file)
        return FileResponse(root / "index.html", headers=PAGE_HEADERS)

    app.add_route("/{path:app_path}", web_app, methods=["GET", "HEAD"], include_in_schema=False)
