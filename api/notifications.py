"""Twilio's calls back: delivery receipts for sent SMS, and inbound replies (STOP opts out).

Twilio signs every request; the signature is checked with its SDK against the public URL it
called, so nobody else can mark messages delivered or opt a number out.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from api.dependencies import SessionDep, SettingsDep
from api.errors import Forbidden, NotFound, documented_problem
from models.notifications import NotificationStatus
from repositories import notifications

router = APIRouter(
    prefix="/notifications/twilio",
    tags=["notifications"],
    responses={
        403: documented_problem("The request is not signed by Twilio"),
        404: documented_problem("Twilio is not configured"),
    },
)

# Twilio's final message statuses; the intermediate ones (queued, sent...) change nothing.
FINAL_STATUSES = {
    "delivered": NotificationStatus.DELIVERED,
    "undelivered": NotificationStatus.FAILED,
    "failed": NotificationStatus.FAILED,
}
# The keywords carriers and Twilio treat as opting out of, and back into, a sender's SMS.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"})
START_WORDS = frozenset({"START", "UNSTOP", "YES"})


async def signed_twilio_form(request: Request, settings: SettingsDep) -> dict[str, str]:
    """The form Twilio posted, once its X-Twilio-Signature checks out."""
    if not settings.sends_sms or settings.twilio_auth_token is None:
        raise NotFound("Twilio is not configured")
    form = await request.form()
    params = {key: value for key, value in form.items() if isinstance(value, str)}
    url = f"{settings.public_url}{request.url.path}"
    if request.url.query:
        url += f"?{request.url.query}"
    validator = RequestValidator(settings.twilio_auth_token.get_secret_value())
    if not validator.validate(url, params, request.headers.get("X-Twilio-Signature", "")):
        raise Forbidden("The request is not signed by Twilio")
    return params


TwilioForm = Annotated[dict[str, str], Depends(signed_twilio_form)]


@router.post(
    "/status",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Twilio status callback: records whether an SMS was delivered",
)
async def twilio_status(form: TwilioForm, session: SessionDep) -> None:
    final = FINAL_STATUSES.get(form.get("MessageStatus", ""))
    message_id = form.get("MessageSid")
    if final is None or not message_id:
        return
    code = form.get("ErrorCode")
    error = f"Twilio error {code}" if code else None
    await notifications.record_delivery_report(session, message_id, final, error)
    await session.commit()


@router.post(
    "/inbound",
    summary="Twilio inbound SMS: STOP opts the number out of FastShip's SMS, START back in",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}, "description": "Empty TwiML"}},
)
async def twilio_inbound(form: TwilioForm, session: SessionDep) -> Response:
    phone = form.get("From", "")
    keyword = form.get("Body", "").strip().upper()
    if phone and keyword in STOP_WORDS:
        await notifications.opt_out(session, phone)
    elif phone and keyword in START_WORDS:
        await notifications.opt_in(session, phone)
    await session.commit()
    # No reply of ours: Twilio answers the keywords itself.
    return Response("<Response/>", media_type="application/xml")
