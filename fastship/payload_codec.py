"""Workflow payloads encrypted before they leave the process, so a history (the Temporal UI, its
database, its backups) holds no recipient's email, phone or address in clear.

AES-GCM with a 256-bit key; each payload names its key in its metadata, so keys rotate: new
payloads take the first key, old ones still decrypt with theirs. Bare strings stay readable —
they are the summaries and details the UI shows operators — and carry no personal data (a test
reads a whole recorded history for it)."""

import base64
import os
from collections.abc import Mapping, Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCRYPTED = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12
KEY_BYTES = 32


class UnknownKey(ValueError):
    """A payload encrypted with a key this process was not given."""


def parse_keys(configured: str) -> dict[str, bytes]:
    """`id:base64key,id:base64key`, the first one encrypting; every one decrypting."""
    keys: dict[str, bytes] = {}
    for entry in filter(None, (part.strip() for part in configured.split(","))):
        key_id, separator, encoded = entry.partition(":")
        if not separator or not key_id:
            raise ValueError("each key is written `id:base64key`")
        key = base64.b64decode(encoded, validate=True)
        if len(key) != KEY_BYTES:
            raise ValueError(f"key {key_id!r} is {len(key)} bytes; AES-256 needs {KEY_BYTES}")
        keys[key_id] = key
    if not keys:
        raise ValueError("at least one key is needed")
    return keys


def _is_readable_text(payload: Payload) -> bool:
    """A bare JSON string: a summary, a detail, an id."""
    return payload.metadata.get("encoding") == b"json/plain" and payload.data.startswith(b'"')


class EncryptionCodec(PayloadCodec):
    def __init__(self, keys: Mapping[str, bytes]) -> None:
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._current = next(iter(keys))

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [
            payload if _is_readable_text(payload) else self._encrypt(payload)
            for payload in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [
            self._decrypt(payload) if payload.metadata.get("encoding") == ENCRYPTED else payload
            for payload in payloads
        ]

    def _encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        key_id = self._current.encode()
        sealed = self._ciphers[self._current].encrypt(nonce, payload.SerializeToString(), key_id)
        return Payload(metadata={"encoding": ENCRYPTED, KEY_ID: key_id}, data=nonce + sealed)

    def _decrypt(self, payload: Payload) -> Payload:
        key_id = payload.metadata[KEY_ID]
        cipher = self._ciphers.get(key_id.decode())
        if cipher is None:
            raise UnknownKey(f"payload encrypted with key {key_id.decode()!r}, not configured")
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        return Payload.FromString(cipher.decrypt(nonce, sealed, key_id))
