import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status

from api.dependencies import CurrentSeller, SessionDep, SettingsDep, TemporalDep
from api.errors import PROBLEM_RESPONSES, documented_problem
from api.shipments import service
from api.shipments.schemas import ShipmentCreate, ShipmentRead

router = APIRouter(prefix="/shipment", tags=["shipments"], responses=PROBLEM_RESPONSES)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Retrying with the same key returns the first shipment instead of a new one",
    ),
]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a shipment and start its workflow",
    responses={
        409: documented_problem("Idempotency-Key already used for another request"),
        503: documented_problem("Temporal unreachable; nothing was created"),
    },
)
async def create_shipment(
    body: ShipmentCreate,
    request: Request,
    response: Response,
    seller: CurrentSeller,
    session: SessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> ShipmentRead:
    shipment = await service.create_shipment(
        session, temporal, settings, seller, body, idempotency_key
    )
    response.headers["Location"] = request.app.url_path_for(
        "get_shipment", shipment_id=str(shipment.id)
    )
    return ShipmentRead.model_validate(await service.get_shipment(session, seller, shipment.id))


@router.get("/{shipment_id}", summary="A shipment with its timeline (owner only)")
async def get_shipment(
    shipment_id: uuid.UUID, seller: CurrentSeller, session: SessionDep
) -> ShipmentRead:
    return ShipmentRead.model_validate(await service.get_shipment(session, seller, shipment_id))
