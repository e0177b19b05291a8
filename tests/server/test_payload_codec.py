"""Workflow payloads are encrypted: a shipment's history shows nobody the recipient's contact
details, and the codec server shows them to operators only."""

import base64
import json
import secrets

import httpx
import pytest
from google.protobuf import json_format
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.client import Client

from fastship.payload_codec import ENCRYPTED, KEY_ID, EncryptionCodec
from fastship.settings import Settings
from tests.helpers import payloads_in, serve_api
from tests.shipments import VALID, created

EMAIL = VALID["client_contact_email"].encode()
PHONE = VALID["client_contact_phone"].encode()
UI = "http://127.0.0.1:8233"


def _key() -> bytes:
    return secrets.token_bytes(32)


def _plain(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=f'{{"email": "{text}"}}'.encode())


@pytest.fixture
async def history_payloads(
    api: httpx.AsyncClient,
    settings: Settings,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
) -> list[Payload]:
    """Every payload of a new shipment's history as Temporal stores it: no codec in between."""
    shipment = await created(api, seller_auth)
    raw = await Client.connect(settings.temporal_address)
    history = await raw.get_workflow_handle(f"shipment-{shipment['id']}").fetch_history()
    document = json.loads(history.to_json())
    return [json_format.ParseDict(payload, Payload()) for payload in payloads_in(document)]


def _sealed(payloads: list[Payload]) -> list[Payload]:
    return [p for p in payloads if p.metadata.get("encoding") == ENCRYPTED]


async def test_a_shipments_history_holds_the_recipients_contact_only_encrypted(
    history_payloads: list[Payload],
) -> None:
    sealed = _sealed(history_payloads)
    clear = [p for p in history_payloads if p not in sealed]

    assert sealed, "the workflow's input and results are encrypted"
    assert all(p.metadata[KEY_ID] == b"test" for p in sealed)
    assert not [p for p in history_payloads if EMAIL in p.data or PHONE in p.data]
    # What operators read without the codec: the summaries, in clear.
    assert any(b"Store the shipment" in p.data for p in clear), [p.data[:60] for p in clear]


async def test_the_codec_server_decodes_a_history_for_an_operator_only(
    history_payloads: list[Payload], settings: Settings
) -> None:
    sealed = _sealed(history_payloads)
    body = json_format.MessageToJson(Payloads(payloads=sealed))
    token = secrets.token_urlsafe(24)
    operators = settings.model_copy(
        update={"codec_server_token": SecretStr(token), "temporal_ui_url": UI}
    )
    async with serve_api(operators) as codec:
        anonymous = await codec.post("/codec/decode", content=body)
        wrong = await codec.post(
            "/codec/decode", content=body, headers={"Authorization": "Bearer guess"}
        )
        bearer = await codec.post(
            "/codec/decode", content=body, headers={"Authorization": f"Bearer {token}"}
        )
        basic = base64.b64encode(f"operator:{token}".encode()).decode()
        from_the_ui = await codec.post(
            "/codec/decode",
            content=body,
            headers={"Authorization": f"Basic {basic}", "Origin": UI, "X-Namespace": "default"},
        )
        preflight = await codec.options(
            "/codec/decode",
            headers={
                "Origin": UI,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,x-namespace",
            },
        )
        elsewhere = await codec.options(
            "/codec/decode",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )

    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Basic ")
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert "codec token" in anonymous.json()["detail"]
    assert wrong.status_code == 401
    for answer in (bearer, from_the_ui):
        assert answer.status_code == 200, answer.text
        decoded = json_format.ParseDict(answer.json(), Payloads()).payloads
        assert len(decoded) == len(sealed)
        assert any(EMAIL in p.data for p in decoded)
    assert from_the_ui.headers["access-control-allow-origin"] == UI
    assert from_the_ui.headers["access-control-allow-credentials"] == "true"
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == UI
    assert "access-control-allow-origin" not in elsewhere.headers


async def test_without_a_token_the_codec_server_is_off_outside_development(
    settings: Settings,
) -> None:
    async with serve_api(settings) as codec:
        answer = await codec.post("/codec/decode", content='{"payloads": []}')
    assert answer.status_code == 404
    assert "CODEC_SERVER_TOKEN" in answer.json()["detail"]


async def test_the_codec_server_explains_a_body_it_cannot_read(settings: Settings) -> None:
    token = "operator-token"
    operators = settings.model_copy(update={"codec_server_token": SecretStr(token)})
    headers = {"Authorization": f"Bearer {token}"}
    async with serve_api(operators) as codec:
        garbled = await codec.post("/codec/decode", content="{not json", headers=headers)
        foreign = await codec.post(
            "/codec/decode",
            content=json_format.MessageToJson(
                Payloads(payloads=await EncryptionCodec({"other": _key()}).encode([_plain("x")]))
            ),
            headers=headers,
        )
    assert garbled.status_code == 400
    assert "not a Payloads JSON document" in garbled.json()["detail"]
    assert foreign.status_code == 422
    assert "'other'" in foreign.json()["detail"]
