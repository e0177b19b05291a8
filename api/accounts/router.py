"""Sign-up, login and the own account, for sellers (`/seller`) and partners (`/partner`)."""

from collections.abc import Awaitable, Callable
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Form, Response, status

from api.accounts import service
from api.accounts.logout import add_logout
from api.accounts.schemas import (
    BrowserSession,
    ForgotPassword,
    LoginForm,
    PartnerRead,
    PartnerSignup,
    PartnerUpdate,
    ResetPassword,
    SellerRead,
    SellerSignup,
    SellerUpdate,
    TokenResponse,
    VerifyEmail,
)
from api.browser_session import csrf_token, set_session_cookie
from api.dependencies import (
    AccountRouteLimitDep,
    CurrentPartner,
    CurrentSeller,
    PasswordsDep,
    ResourcesDep,
    SessionDep,
    SettingsDep,
    TemporalDep,
)
from api.errors import (
    AUTH_RESPONSES,
    BODY_RESPONSES,
    RATE_LIMITED_RESPONSES,
    UNAVAILABLE_RESPONSES,
    documented_problem,
)
from api.security import AccessToken, decode_access_token
from models.accounts import AnyAccount, Partner, Seller
from models.domain import Role

log = structlog.get_logger(__name__)

seller_router = APIRouter(prefix="/seller", tags=["sellers"])
partner_router = APIRouter(prefix="/partner", tags=["partners"])

# Account routes are rate limited per client IP and per account (429, or 503 without Redis).
PUBLIC_ACCOUNT_RESPONSES = BODY_RESPONSES | RATE_LIMITED_RESPONSES
SIGNUP_RESPONSES = (
    PUBLIC_ACCOUNT_RESPONSES
    | UNAVAILABLE_RESPONSES
    | {409: documented_problem("The email is already registered")}
)
LOGIN_RESPONSES = PUBLIC_ACCOUNT_RESPONSES | {
    401: documented_problem("Incorrect email or password"),
    403: documented_problem("The email address is not verified yet"),
}
LINK_RESPONSES = PUBLIC_ACCOUNT_RESPONSES | {
    400: documented_problem("The link is invalid, expired or already used")
}


LogIn = Callable[..., Awaitable[AccessToken]]


def add_login(router: APIRouter, model: type[AnyAccount]) -> LogIn:
    """`POST /token` for one role; returns its login as a dependency, for other ways in."""
    role = service.ROLES[model]

    async def logged_in(
        form: Annotated[LoginForm, Form()],
        session: SessionDep,
        settings: SettingsDep,
        passwords: PasswordsDep,
        limit: AccountRouteLimitDep,
    ) -> AccessToken:
        """The password checked (and rate limited): a new access token."""
        await limit(f"{role}-login", form.username)
        return await service.log_in(
            session, settings, passwords, model, form.username, form.password
        )

    @router.post(
        "/token",
        summary="Log in (OAuth2 password flow; username is the email)",
        responses=LOGIN_RESPONSES,
        name=f"log_in_{role}",
    )
    async def log_in(token: Annotated[AccessToken, Depends(logged_in)]) -> TokenResponse:
        return TokenResponse(access_token=token.token, expires_in=token.expires_in)

    return logged_in


def _add_account_routes(router: APIRouter, model: type[Seller] | type[Partner]) -> None:
    """The routes both roles share: log in, verify the email, forgot and reset the password."""
    role = service.ROLES[model]
    logged_in = add_login(router, model)

    @router.post(
        "/session",
        summary="Log in the web app: the token goes in an httpOnly cookie, never to script",
        responses=LOGIN_RESPONSES,
        name=f"start_{role}_session",
    )
    async def start_session(
        token: Annotated[AccessToken, Depends(logged_in)],
        response: Response,
        settings: SettingsDep,
    ) -> BrowserSession:
        set_session_cookie(response, settings, token)
        token_id = decode_access_token(settings, token.token).token_id
        return BrowserSession(
            role=role, csrf_token=csrf_token(settings, token_id), expires_in=token.expires_in
        )

    @router.post(
        "/verify",
        status_code=status.HTTP_204_NO_CONTENT,
        summary="Confirm the email address with the token from the verification email",
        responses=LINK_RESPONSES,
        name=f"verify_{role}",
    )
    async def verify(
        body: VerifyEmail,
        session: SessionDep,
        settings: SettingsDep,
        temporal: TemporalDep,
        limit: AccountRouteLimitDep,
    ) -> None:
        await limit(f"{role}-verify", body.token)
        await service.verify_email(session, temporal, settings, model, body.token)

    @router.post(
        "/forgot-password",
        status_code=status.HTTP_202_ACCEPTED,
        summary="Email a password reset link, if an account has this address",
        description="Answers 202 whether or not the account exists.",
        responses=PUBLIC_ACCOUNT_RESPONSES | UNAVAILABLE_RESPONSES,
        name=f"forgot_password_{role}",
    )
    async def forgot_password(
        body: ForgotPassword,
        settings: SettingsDep,
        temporal: TemporalDep,
        limit: AccountRouteLimitDep,
    ) -> None:
        await limit(f"{role}-forgot-password", str(body.email))
        await service.request_password_reset(temporal, settings, model, str(body.email))

    @router.post(
        "/reset-password",
        status_code=status.HTTP_204_NO_CONTENT,
        summary="Set a new password with the token from the reset email; ends every session",
        responses=LINK_RESPONSES | UNAVAILABLE_RESPONSES,
        name=f"reset_password_{role}",
    )
    async def reset_password(
        body: ResetPassword,
        session: SessionDep,
        resources: ResourcesDep,
        passwords: PasswordsDep,
        limit: AccountRouteLimitDep,
    ) -> None:
        await limit(f"{role}-reset-password", body.token)
        await service.reset_password(
            session,
            resources.redis,
            resources.settings,
            passwords,
            model,
            body.token,
            body.password,
        )


_add_account_routes(seller_router, Seller)
_add_account_routes(partner_router, Partner)
add_logout(seller_router, Role.SELLER)
add_logout(partner_router, Role.PARTNER)


def _seller(seller: Seller) -> SellerRead:
    return SellerRead(
        id=seller.id,
        name=seller.name,
        email=seller.email,
        email_verified=seller.email_verified_at is not None,
        language=seller.language,
        created_at=seller.created_at,
    )


def _partner(partner: Partner) -> PartnerRead:
    return PartnerRead(
        id=partner.id,
        name=partner.name,
        email=partner.email,
        email_verified=partner.email_verified_at is not None,
        language=partner.language,
        created_at=partner.created_at,
        serviceable_zip_codes=partner.serviceable_zip_codes,
        max_handling_capacity=partner.max_handling_capacity,
    )


@seller_router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    summary="Create a seller account",
    responses=SIGNUP_RESPONSES,
)
async def sign_up_seller(
    body: SellerSignup,
    session: SessionDep,
    passwords: PasswordsDep,
    settings: SettingsDep,
    temporal: TemporalDep,
    limit: AccountRouteLimitDep,
) -> SellerRead:
    await limit("seller-signup", str(body.email))
    seller = Seller(
        name=body.name,
        email=str(body.email),
        password_hash=await passwords.hash(body.password),
        language=body.language,
    )
    await service.sign_up(session, temporal, settings, seller)
    return _seller(seller)


@seller_router.get("/me", summary="The logged-in seller", responses=AUTH_RESPONSES)
async def get_seller_me(seller: CurrentSeller) -> SellerRead:
    return _seller(seller)


@seller_router.patch(
    "/me",
    summary="Change the name and/or the language of your emails",
    responses=AUTH_RESPONSES | BODY_RESPONSES,
)
async def update_seller_me(
    body: SellerUpdate, seller: CurrentSeller, session: SessionDep
) -> SellerRead:
    return _seller(await service.update_account(session, seller, body))


@partner_router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    summary="Create a delivery partner account",
    responses=SIGNUP_RESPONSES,
)
async def sign_up_partner(
    body: PartnerSignup,
    session: SessionDep,
    passwords: PasswordsDep,
    settings: SettingsDep,
    temporal: TemporalDep,
    limit: AccountRouteLimitDep,
) -> PartnerRead:
    await limit("partner-signup", str(body.email))
    partner = Partner(
        name=body.name,
        email=str(body.email),
        password_hash=await passwords.hash(body.password),
        language=body.language,
        serviceable_zip_codes=body.serviceable_zip_codes,
        max_handling_capacity=body.max_handling_capacity,
    )
    # Not eligible for assignments until verified: waiting shipments are woken then.
    await service.sign_up(session, temporal, settings, partner)
    return _partner(partner)


@partner_router.get("/me", summary="The logged-in delivery partner", responses=AUTH_RESPONSES)
async def get_partner_me(partner: CurrentPartner) -> PartnerRead:
    return _partner(partner)


@partner_router.patch(
    "/me",
    summary="Change the serviceable zip codes and/or the handling capacity",
    responses=AUTH_RESPONSES | BODY_RESPONSES,
)
async def update_partner_me(
    body: PartnerUpdate, partner: CurrentPartner, session: SessionDep, temporal: TemporalDep
) -> PartnerRead:
    return _partner(await service.update_partner(session, temporal, partner, body))
