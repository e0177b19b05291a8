"""The delivery code: required for `delivered`, five wrong tries, never in the workflow history."""

import asyncio

import httpx
from temporalio.client import Client

from tests.shipments import created, delivery_code, out_for_delivery, report, reported


async def _out_for_delivery(
    api: httpx.AsyncClient, seller: dict[str, str], partner: dict[str, str]
) -> tuple[str, str]:
    shipment_id: str = (await created(api, seller))["id"]
    await out_for_delivery(api, partner, shipment_id)
    return shipment_id, await delivery_code(api, shipment_id)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_delivered_needs_the_right_code(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    shipment_id, code = await _out_for_delivery(api, seller_auth, partner_auth)

    missing = await report(api, partner_auth, shipment_id, status="delivered")
    assert missing.status_code == 422
    assert "verification_code" in missing.json()["detail"]
    malformed = await report(
        api, partner_auth, shipment_id, status="delivered", verification_code="12ab56"
    )
    assert malformed.status_code == 422
    wrong = await report(
        api, partner_auth, shipment_id, status="delivered", verification_code=_wrong(code)
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == "The delivery code is wrong; 4 tries left"

    delivered = await reported(
        api, partner_auth, shipment_id, status="delivered", verification_code=code
    )
    assert delivered["status"] == "delivered"


async def test_fifty_parallel_wrong_guesses_use_up_exactly_five_tries(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    shipment_id, code = await _out_for_delivery(api, seller_auth, partner_auth)
    guesses = [f"{n:06d}" for n in range(100) if f"{n:06d}" != code][:50]

    responses = await asyncio.gather(
        *(
            report(api, partner_auth, shipment_id, status="delivered", verification_code=guess)
            for guess in guesses
        )
    )

    statuses = [response.status_code for response in responses]
    assert statuses.count(422) == 5  # wrong, with tries left 4, 3, 2, 1, 0
    assert statuses.count(409) == 45  # locked
    locked = await report(
        api, partner_auth, shipment_id, status="delivered", verification_code=code
    )
    assert locked.status_code == 409
    assert "Too many wrong delivery codes" in locked.json()["detail"]


async def test_the_code_never_enters_the_workflow_history_or_the_api(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    temporal: Client,
) -> None:
    shipment_id, code = await _out_for_delivery(api, seller_auth, partner_auth)
    await report(api, partner_auth, shipment_id, status="delivered", verification_code=_wrong(code))
    delivered = await report(
        api, partner_auth, shipment_id, status="delivered", verification_code=code
    )
    assert delivered.status_code == 200
    assert code not in delivered.text

    history = await temporal.get_workflow_handle(f"shipment-{shipment_id}").fetch_history()
    assert code not in history.to_json()
    for reader in (seller_auth, partner_auth):
        read = await api.get(f"/api/v1/shipment/{shipment_id}", headers=reader)
        assert code not in read.text
