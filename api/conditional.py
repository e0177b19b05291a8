"""Conditional reads (RFC 9110): each answer carries an ETag naming its content, and a client
that sends the ETag back in If-None-Match gets 304 Not Modified, without a body, until the
content changes.

The tag is a digest of the body, not the timeline's sequence alone: tags, and the partner's name
a tracking page shows, change without a timeline event.
"""

import hashlib
from typing import Annotated, Any

from fastapi import Header, Response, status

IfNoneMatch = Annotated[
    str | None,
    Header(
        description="ETags of the copies the client holds: if one is current, the answer is "
        "304 Not Modified without a body."
    ),
]
# Public reads hold no personal data: any cache may keep them, revalidating before each use.
PUBLIC = "public, no-cache"
# Reads of one account: only that client's own cache may keep them.
PRIVATE = "private, no-cache"

NOT_MODIFIED_RESPONSES: dict[int | str, dict[str, Any]] = {
    status.HTTP_304_NOT_MODIFIED: {
        "description": "Not modified since the copy whose ETag was sent in If-None-Match",
    }
}


def etag_of(body: bytes) -> str:
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def _matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match's weak comparison: `*`, or any listed tag with or without `W/`."""
    candidates = [candidate.strip() for candidate in if_none_match.split(",")]
    return "*" in candidates or etag in (tag.removeprefix("W/") for tag in candidates)


def conditional_json(body: bytes | str, if_none_match: str | None, cache_control: str) -> Response:
    """The JSON body with its ETag, or 304 when the client's copy is current."""
    content = body.encode() if isinstance(body, str) else body
    etag = etag_of(content)
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if if_none_match is not None and _matches(if_none_match, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(content, media_type="application/json", headers=headers)
