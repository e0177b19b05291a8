"""`python -m bench.faults`: kills each part of a running FastShip under load, then checks that
nothing acknowledged was lost or doubled, that no shipment is stuck and that nothing answered 500.

Clients create shipments, pick them up and post location scans, each request with an
Idempotency-Key; an unconfirmed answer (503, or no answer: the API was killed) is retried with
the same key until it is acknowledged, and some requests are sent twice on purpose. Meanwhile the
worker, the Temporal server, PostgreSQL, Redis and the API are killed in turn (SIGKILL) and
started again after a pause. Then every shipment is read back, compared with what its workflow
says, and delivered. Exits 1 if any count that must be zero is not.
"""

import argparse
import asyncio
import itertools
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import create_async_engine
from temporalio.client import Client

from bench.database import verify_all_accounts
from bench.report import say, table
from bench.scenarios import PASSWORD
from bench.stack import Part, Stack, running_stack
from fastship.settings import get_settings
from fastship.temporal import data_converter
from models.workflow_io import ShipmentState

RETRY_PAUSE = 0.5  # seconds between tries of an unconfirmed request
GIVE_UP_AFTER = 120.0  # seconds: a request unconfirmed this long counts as stuck
SCANS_PER_SHIPMENT = 3
DUPLICATE_EVERY = 4  # every 4th scan is sent a second time, with its key, at once
ZIP_CODE = "10001"
UNCONFIRMED = {502, 503, 504}


class Unacknowledged(Exception):
    """A request that never got a 2xx answer, its key retried for GIVE_UP_AFTER seconds."""


@dataclass
class Ledger:
    """What the clients sent and were told."""

    answers: Counter[int] = field(default_factory=Counter)
    no_answer: int = 0  # the connection failed: the API was down
    retries: int = 0
    duplicates_sent: int = 0
    refused: list[str] = field(default_factory=list)  # 4xx other than those expected
    shipments: dict[str, str] = field(default_factory=dict)  # create key -> shipment id
    scans: dict[str, list[str]] = field(default_factory=dict)  # shipment id -> acknowledged
    stuck_requests: list[str] = field(default_factory=list)

    @property
    def acknowledged(self) -> int:
        return len(self.shipments) * 2 + sum(len(scans) for scans in self.scans.values())


@dataclass
class Accounts:
    seller: dict[str, str]
    partner: dict[str, str]


async def _acknowledged(
    http: httpx.AsyncClient, ledger: Ledger, method: str, url: str, **request: Any
) -> httpx.Response:
    """Sends until a 2xx answer, retrying unconfirmed ones with the same request (and key)."""
    deadline = time.monotonic() + GIVE_UP_AFTER
    for attempt in itertools.count():
        if attempt:
            ledger.retries += 1
            await asyncio.sleep(RETRY_PAUSE)
        try:
            response = await http.request(method, url, **request)
        except httpx.TransportError:
            ledger.no_answer += 1
        else:
            ledger.answers[response.status_code] += 1
            if response.is_success:
                return response
            if response.status_code not in UNCONFIRMED and response.status_code != 500:
                ledger.refused.append(f"{method} {url}: {response.status_code} {response.text}")
                return response
        if time.monotonic() > deadline:
            raise Unacknowledged(f"{method} {url}")
    raise AssertionError("unreachable")


async def _client(
    http: httpx.AsyncClient, accounts: Accounts, ledger: Ledger, number: int, stop: asyncio.Event
) -> None:
    """One client's shipments: create, pick up, scan; every request keyed."""
    for round_number in itertools.count():
        if stop.is_set():
            return
        key = f"fault-{number}-{round_number}"
        body = {
            "content": f"Fault run parcel {key}",
            "weight": 1.5,
            "destination_zip": ZIP_CODE,
            "client_contact_email": "ana@example.com",
            "client_contact_phone": "+14155550123",
        }
        try:
            created = await _acknowledged(
                http, ledger, "POST", "/shipment", json=body, headers=_keyed(accounts.seller, key)
            )
            if not created.is_success:
                continue
            shipment_id = created.json()["id"]
            ledger.shipments[key] = shipment_id
            ledger.scans[shipment_id] = []
            events = f"/shipment/{shipment_id}/events"
            pickup = {"status": "in_transit", "description": "Picked up"}
            await _acknowledged(
                http,
                ledger,
                "POST",
                events,
                json=pickup,
                headers=_keyed(accounts.partner, f"{key}-pickup"),
            )
            for scan_number in range(SCANS_PER_SHIPMENT):
                description = f"{key} scan {scan_number}"
                scan = {"location_zip": "07030", "description": description}
                headers = _keyed(accounts.partner, f"{key}-scan-{scan_number}")
                sends = [_acknowledged(http, ledger, "POST", events, json=scan, headers=headers)]
                if scan_number % DUPLICATE_EVERY == 0:
                    ledger.duplicates_sent += 1
                    sends.append(
                        _acknowledged(http, ledger, "POST", events, json=scan, headers=headers)
                    )
                answers = await asyncio.gather(*sends)
                if all(answer.is_success for answer in answers):
                    ledger.scans[shipment_id].append(description)
        except Unacknowledged as exc:
            ledger.stuck_requests.append(str(exc))


def _keyed(auth: dict[str, str], key: str) -> dict[str, str]:
    return auth | {"Idempotency-Key": key}


async def _wait_until_ready(http: httpx.AsyncClient) -> float:
    started = time.monotonic()
    while time.monotonic() - started < GIVE_UP_AFTER:
        try:
            if (await http.get("/health/ready", timeout=3)).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise TimeoutError("the stack was not ready again in time")


async def _faults(
    stack: Stack, root: httpx.AsyncClient, pause: float, down: float
) -> list[list[str]]:
    """Kills each part in turn, starts it again after `down` seconds, lets the load run on."""
    rows = []
    for part in stack.parts:
        await asyncio.sleep(pause)
        say(f"  killing {part.name}...")
        part.kill()
        await asyncio.sleep(down)
        await asyncio.to_thread(_restart, part)
        recovered = await _wait_until_ready(root)
        rows.append([part.name, f"{down:.0f}", f"{recovered:.1f}"])
    await asyncio.sleep(pause)
    return rows


def _restart(part: Part) -> None:
    """Starts the part again; a crashed PostgreSQL may need a moment before it can."""
    for attempt in range(20):
        try:
            part.restart()
            return
        except Exception:  # any failure to start is retried, then raised
            if attempt == 19:
                raise
            time.sleep(0.5)


@dataclass
class Findings:
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)


async def _check(
    http: httpx.AsyncClient, stack: Stack, accounts: Accounts, ledger: Ledger
) -> Findings:
    """Reads every shipment back, asks its workflow, and takes it to delivery."""
    findings = Findings()
    converter = data_converter(get_settings().payload_keys)  # the stack's: it inherits ours
    temporal = await Client.connect(stack.temporal_address, data_converter=converter)
    listed = await _listed(http, accounts.seller)
    extra = len(listed) - len(ledger.shipments)
    if extra:
        findings.duplicated.append(f"{extra} shipments stored beyond the acknowledged creates")
    for key, shipment_id in ledger.shipments.items():
        read = await _acknowledged(
            http, ledger, "GET", f"/shipment/{shipment_id}", headers=accounts.seller
        )
        if read.status_code == 404:
            findings.lost.append(f"shipment {key}")
            continue
        shipment = read.json()
        descriptions = Counter(event["description"] for event in shipment["timeline"])
        for description in ["Picked up", *ledger.scans[shipment_id]]:
            if descriptions[description] == 0:
                findings.lost.append(f"{shipment_id}: {description}")
        findings.duplicated += [
            f"{shipment_id}: {description} x{count}"
            for description, count in descriptions.items()
            if count > 1 and description
        ]
        handle = temporal.get_workflow_handle(f"shipment-{shipment_id}")
        state = await handle.query("state", result_type=ShipmentState)
        if state.status != shipment["status"]:
            findings.stuck.append(f"{shipment_id}: workflow {state.status}, stored {shipment}")
        elif not await _delivered(http, ledger, accounts, shipment_id, key):
            findings.stuck.append(f"{shipment_id}: could not be delivered")
    return findings


async def _listed(http: httpx.AsyncClient, seller: dict[str, str]) -> list[Any]:
    items: list[Any] = []
    params = {"limit": "100"}
    while True:
        page = await _acknowledged(
            http, Ledger(), "GET", "/seller/shipments", params=params, headers=seller
        )
        items += page.json()["items"]
        if page.json()["next_cursor"] is None:
            return items
        params["cursor"] = page.json()["next_cursor"]


async def _delivered(
    http: httpx.AsyncClient, ledger: Ledger, accounts: Accounts, shipment_id: str, key: str
) -> bool:
    events = f"/shipment/{shipment_id}/events"
    out = await _acknowledged(
        http,
        ledger,
        "POST",
        events,
        json={"status": "out_for_delivery"},
        headers=_keyed(accounts.partner, f"{key}-out"),
    )
    if not out.is_success:
        return False
    code = await _delivery_code(http, shipment_id)
    delivered = await _acknowledged(
        http,
        ledger,
        "POST",
        events,
        json={"status": "delivered", "verification_code": code},
        headers=_keyed(accounts.partner, f"{key}-delivered"),
    )
    return delivered.is_success and delivered.json()["status"] == "delivered"


async def _delivery_code(http: httpx.AsyncClient, shipment_id: str) -> str:
    deadline = time.monotonic() + GIVE_UP_AFTER
    while time.monotonic() < deadline:
        messages = (
            await http.get("/dev/outbox", params={"shipment_id": shipment_id, "channel": "sms"})
        ).json()
        for message in messages:
            if found := re.search(r"\b(\d{6})\b", message["body"]):
                return found.group(1)
        await asyncio.sleep(0.2)
    raise Unacknowledged(f"no delivery code sent for {shipment_id}")


async def _accounts(http: httpx.AsyncClient, stack: Stack) -> Accounts:
    tokens = []
    for role in ("seller", "partner"):
        account: dict[str, Any] = {
            "name": f"Fault run {role}",
            "email": f"faults-{role}@example.com",
            "password": PASSWORD,
        }
        if role == "partner":
            account |= {"serviceable_zip_codes": [ZIP_CODE], "max_handling_capacity": 10_000}
        assert (await http.post(f"/{role}/signup", json=account)).status_code == 201
        tokens.append((role, account["email"]))
    engine = create_async_engine(stack.database_url)
    await verify_all_accounts(engine)
    await engine.dispose()
    headers = []
    for role, email in tokens:
        login = {"username": email, "password": PASSWORD}
        token = (await http.post(f"/{role}/token", data=login)).json()["access_token"]
        headers.append({"Authorization": f"Bearer {token}"})
    return Accounts(*headers)


async def run(stack: Stack, clients: int, pause: float, down: float) -> bool:
    timeout = httpx.Timeout(30)
    async with (
        httpx.AsyncClient(base_url=f"{stack.api_url}/api/v1", timeout=timeout) as http,
        httpx.AsyncClient(base_url=stack.api_url, timeout=timeout) as root,
    ):
        accounts = await _accounts(http, stack)
        ledger = Ledger()
        stop = asyncio.Event()
        say(f"Load: {clients} clients; killing each part in turn, {down:.0f} s down...")
        load = [
            asyncio.create_task(_client(http, accounts, ledger, number, stop))
            for number in range(clients)
        ]
        outages = await _faults(stack, root, pause, down)
        stop.set()
        await asyncio.gather(*load)
        say("Checking every shipment against its workflow, and delivering each...")
        findings = await _check(http, stack, accounts, ledger)

    say("")
    say(table(["killed", "down s", "ready again after s"], outages, numbers=range(1, 3)))
    answers = ", ".join(f"{status}: {n}" for status, n in sorted(ledger.answers.items()))
    say(f"\nAnswers: {answers}; no answer (API down): {ledger.no_answer}")
    say(
        f"Retries with the same key: {ledger.retries}; duplicates sent on purpose: "
        f"{ledger.duplicates_sent}"
    )
    counts = {
        "acknowledged changes lost": len(findings.lost),
        "changes duplicated": len(findings.duplicated),
        "stuck shipments": len(findings.stuck) + len(ledger.stuck_requests),
        "answers of 500": ledger.answers[500],
        "unexpected refusals (4xx)": len(ledger.refused),
    }
    say(
        f"Acknowledged changes checked: {ledger.acknowledged} on {len(ledger.shipments)} "
        "shipments (each then delivered)"
    )
    say(table(["must be zero", "count"], [[k, str(v)] for k, v in counts.items()], range(1, 2)))
    for detail in [
        *findings.lost,
        *findings.duplicated,
        *findings.stuck,
        *ledger.stuck_requests,
        *ledger.refused,
    ][:20]:
        say(f"  ! {detail}")
    return not any(counts.values())


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__)
    parser.add_argument("--clients", type=int, default=4, help="clients sending at once")
    parser.add_argument("--pause", type=float, default=5, help="seconds of load between kills")
    parser.add_argument("--down", type=float, default=5, help="seconds each part stays dead")
    args = parser.parse_args()
    say("Starting PostgreSQL, Redis, Temporal, the worker and the API in a temporary folder...")
    with running_stack(api_workers=1) as stack:
        passed = asyncio.run(run(stack, args.clients, args.pause, args.down))
    say("PASS" if passed else "FAIL")
    raise SystemExit(0 if passed else 1)


if __name__ == "__main__":
    main()
