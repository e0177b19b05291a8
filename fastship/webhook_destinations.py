"""Where a webhook may go: the URL's form, and the addresses its host resolves to.

Unless private networks are allowed, only https to public internet addresses is accepted, checked
on every resolution: at registration and before each try, since DNS answers change. The message
then goes to the very address that was checked, so a second lookup cannot swap in another.
"""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import httpx

from fastship.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedDestination(ValueError):
    """The URL may not receive webhooks; the message says why, for the seller."""


@dataclass(frozen=True)
class Destination:
    url: httpx.URL
    address: IPAddress  # checked; the connection goes here


def parse_webhook_url(url: str) -> httpx.URL:
    """The URL if it is an absolute http(s) URL with a host, else RefusedDestination."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise RefusedDestination(f"not a valid URL ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        raise RefusedDestination("must start with https://")
    if not parsed.host:
        raise RefusedDestination("has no host")
    if parsed.fragment:
        raise RefusedDestination("must not have a #fragment")
    return parsed


def _as_ipv4_when_embedded(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv4-mapped or 6to4 IPv6 address stands for, else the address."""
    if isinstance(address, ipaddress.IPv6Address):
        return address.ipv4_mapped or address.sixtofour or address
    return address


def _non_public_kind(address: IPAddress) -> str | None:
    """What makes the address non-public ("a loopback address", ...); None if it is public."""
    address = _as_ipv4_when_embedded(address)
    kinds = {
        "an unspecified address": address.is_unspecified,
        "a loopback address": address.is_loopback,
        "a link-local address": address.is_link_local,
        "a multicast address": address.is_multicast,
        "a private address": address.is_private,
        "a reserved address": address.is_reserved,
        "not a public address": not address.is_global,
    }
    return next((kind for kind, applies in kinds.items() if applies), None)


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


async def _look_up(host: str, port: int, settings: Settings) -> list[IPAddress]:
    try:
        async with asyncio.timeout(settings.webhook_timeout.total_seconds()):
            answers = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
    except (socket.gaierror, UnicodeError):
        raise RefusedDestination(f"the host {host} does not resolve") from None
    except TimeoutError:
        raise RefusedDestination(f"resolving the host {host} timed out") from None
    # A link-local IPv6 answer's scope ("fe80::1%eth0") is dropped; outside development such
    # addresses are refused anyway.
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in answers]
    if not addresses:
        raise RefusedDestination(f"the host {host} does not resolve")
    return addresses


async def resolve_destination(url: str, settings: Settings) -> Destination:
    """The checked URL and the address to send to; RefusedDestination says why not."""
    allow_private = settings.webhooks_may_reach_private_networks
    parsed = parse_webhook_url(url)
    if parsed.scheme == "http" and not allow_private:
        raise RefusedDestination("must use https; plain http is refused")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    literal = _ip_literal(parsed.host)
    addresses = [literal] if literal else await _look_up(parsed.host, port, settings)
    if not allow_private:
        for address in addresses:
            if kind := _non_public_kind(address):
                shown = parsed.host if literal else f"{parsed.host} ({address})"
                raise RefusedDestination(
                    f"{shown} is {kind}; webhooks go to public internet addresses only"
                )
    return Destination(parsed, addresses[0])
