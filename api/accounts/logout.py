"""`POST /logout` for one role: the presented access token stops working at once."""

from fastapi import APIRouter, Response, status

from api.browser_session import clear_session_cookie
from api.dependencies import Claims, RedisDep, require_role
from api.errors import AUTH_RESPONSES, redis_required
from api.revocation import revoke_token
from models.domain import Role


def add_logout(router: APIRouter, role: Role) -> None:
    @router.post(
        "/logout",
        status_code=status.HTTP_204_NO_CONTENT,
        summary="Log out: the access token used here is revoked at once",
        responses=AUTH_RESPONSES,
        name=f"log_out_{role.value}",
    )
    async def log_out(claims: Claims, redis: RedisDep, response: Response) -> None:
        require_role(claims, role)
        async with redis_required("revoking the access token"):
            await revoke_token(redis, claims)
        clear_session_cookie(response)
