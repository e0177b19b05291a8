from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm

from api.accounts import service
from api.accounts.schemas import SellerRead, SellerSignup, TokenResponse
from api.dependencies import CurrentSeller, SessionDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from models.accounts import Seller

router = APIRouter(prefix="/seller", tags=["sellers"], responses=PROBLEM_RESPONSES)


def _read(seller: Seller) -> SellerRead:
    return SellerRead(
        id=seller.id,
        name=seller.name,
        email=seller.email,
        email_verified=seller.email_verified_at is not None,
        created_at=seller.created_at,
    )


@router.post("/signup", status_code=status.HTTP_201_CREATED, summary="Create a seller account")
async def sign_up(body: SellerSignup, session: SessionDep) -> SellerRead:
    seller = await service.sign_up_seller(session, body.name, str(body.email), body.password)
    await session.refresh(seller)
    return _read(seller)


@router.post("/token", summary="Log in (OAuth2 password flow; username is the email)")
async def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> TokenResponse:
    token = await service.log_in_seller(session, settings, form.username, form.password)
    return TokenResponse(access_token=token.token, expires_in=token.expires_in)


@router.get("/me", summary="The logged-in seller")
async def me(seller: CurrentSeller) -> SellerRead:
    return _read(seller)
