"""Conditional answers for public, read-mostly resources: a strong `ETag` from
the body's bytes, `Cache-Control`, and 304 Not Modified to `If-None-Match`.

The ETag is the body's hash, not a group's version: a group's public profile
also changes without a new version (its last activity), and a coverage answer
has no version at all. `must-revalidate`: once `max-age` is over, a cache
(a browser, a proxy) may not show the stored answer without asking again, not
even when this gateway cannot be reached, so a client is never more than
`max-age` behind; asking again costs a 304 without a body.
"""
import hashlib
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Header
from starlette.responses import JSONResponse, Response

# a group or a coverage figure may change at any moment: a minute behind at most
PUBLIC = "public, max-age=60, must-revalidate"
# regions never change while the platform runs; a new region data release comes with a restart
REGIONS = "public, max-age=3600, must-revalidate"

IfNoneMatch = Annotated[str | None, Header(
    description="ETags of answers you hold: 304 without a body when one is still the current answer")]


def etag_of(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


@dataclass(frozen=True)
class Answer:
    """A rendered answer (JSON) with its ETag, and the data it was rendered from."""
    data: Any
    body: bytes
    etag: str

    @classmethod
    def of(cls, data: Any) -> "Answer":
        body = bytes(JSONResponse(data).body)  # exactly as the route would have rendered it
        return cls(data, body, etag_of(body))


def matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match names this answer (weak comparison, as RFC 9110 says for it)."""
    if not if_none_match:
        return False
    offered = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in offered or etag in (tag.removeprefix("W/") for tag in offered)


def respond(if_none_match: str | None, body: bytes, etag: str, cache_control: str,
            media_type: str = "application/json", headers: dict | None = None) -> Response:
    """200 with the body, or 304 with the same headers and no body."""
    all_headers = {"ETag": etag, "Cache-Control": cache_control, **(headers or {})}
    if matches(if_none_match, etag):
        all_headers.pop("Content-Disposition", None)
        return Response(status_code=304, headers=all_headers)
    return Response(body, media_type=media_type, headers=all_headers)


def answer(if_none_match: str | None, found: Answer, cache_control: str) -> Response:
    return respond(if_none_match, found.body, found.etag, cache_control)


HEADERS = {
    "ETag": {"description": "the answer's strong entity tag (a hash of its body); send it in If-None-Match",
             "schema": {"type": "string"}},
    "Cache-Control": {"description": "public, how long a cache may keep the answer, and must-revalidate after",
                      "schema": {"type": "string"}},
}
VARY = {"Vary": {"description": "the CSV's column names follow Accept-Language", "schema": {"type": "string"}}}


def documented(*, vary: bool = False, ok: dict | None = None) -> dict:
    """The 200's headers and the 304, for a route's `responses`."""
    headers = {**HEADERS, **(VARY if vary else {})}
    return {200: {**(ok or {}), "headers": headers},
            304: {"description": "Not Modified: the ETag sent in If-None-Match is still the current answer",
                  "headers": headers}}
