"""The payload codec alone: keys rotate, and payloads written before encryption still read."""

import secrets

import pytest
from temporalio.api.common.v1 import Payload

from fastship.payload_codec import KEY_ID, EncryptionCodec, UnknownKey


def _key() -> bytes:
    return secrets.token_bytes(32)


def _plain(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=f'{{"email": "{text}"}}'.encode())


async def test_rotated_keys_encrypt_with_the_newest_and_still_decrypt_the_old() -> None:
    old, new = _key(), _key()
    before = EncryptionCodec({"2026-01": old})
    after = EncryptionCodec({"2026-12": new, "2026-01": old})
    [sealed_before] = await before.encode([_plain("ana@example.com")])

    [sealed_after] = await after.encode([_plain("ana@example.com")])
    [opened] = await after.decode([sealed_before])

    assert sealed_after.metadata[KEY_ID] == b"2026-12"
    assert b"ana@example.com" not in sealed_after.data
    assert opened == _plain("ana@example.com")
    with pytest.raises(UnknownKey, match="2026-12"):
        await before.decode([sealed_after])


async def test_histories_written_before_encryption_still_read() -> None:
    codec = EncryptionCodec({"k1": _key()})
    assert await codec.decode([_plain("old")]) == [_plain("old")]
