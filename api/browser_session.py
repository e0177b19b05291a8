"""The web app's session: the access token in an httpOnly, SameSite=Strict cookie, and a CSRF
token bound to it that the app sends back in a header on every change.

Why a cookie: no script on the page can read it, so an injected script cannot carry a session off
(and the pages' CSP runs scripts from the app's own origin only). Why the CSRF header as well:
SameSite=Strict already keeps other sites' requests from carrying the cookie; a header that only
the app's own script can set makes sure of it. API clients keep using bearer tokens.
"""

import hashlib
import hmac
from urllib.parse import urlsplit

from fastapi import Request, Response

from api.errors import Forbidden
from api.security import AccessToken, TokenClaims
from fastship.settings import Settings

SESSION_COOKIE = "fastship_session"
CSRF_HEADER = "X-CSRF-Token"
COOKIE_PATH = "/api/v1"  # sent to the API only, never with the app's pages and assets
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token(settings: Settings, token_id: str) -> str:
    """Derived from the session's token id with the server key: nothing to store."""
    key = settings.jwt_secret.get_secret_value().encode()
    return hmac.new(key, f"csrf:{token_id}".encode(), hashlib.sha256).hexdigest()


def set_session_cookie(response: Response, settings: Settings, token: AccessToken) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token.token,
        max_age=token.expires_in,
        path=COOKIE_PATH,
        secure=urlsplit(settings.public_url).scheme == "https",
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")


def check_csrf(request: Request, settings: Settings, claims: TokenClaims) -> None:
    """A change made with the session cookie must carry the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent, csrf_token(settings, claims.token_id)):
        raise Forbidden(f"A change made with the session cookie needs its {CSRF_HEADER} header")
