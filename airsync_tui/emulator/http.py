"""HTTP helpers shared by the emulated APIs: fast JSON responses and problem bodies.

Airbyte's server serialises with Jackson `NON_ABSENT`, so null fields never reach
the wire; `drop_none` mirrors that. Problem bodies are sent as
`application/json` (not `application/problem+json`), as the platform does.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

PROBLEM_TYPE_ROOT = "https://reference.airbyte.com/reference/errors"


class JSONBytesResponse(Response):
    """A JSON response rendered with orjson (big attempt logs make json.dumps too slow)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        if isinstance(content, (bytes, bytearray)):
            return bytes(content)
        return orjson.dumps(content)


def json_response(content: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONBytesResponse(content, status_code=status_code, headers=headers)


def drop_none(mapping: dict[str, Any]) -> dict[str, Any]:
    """Remove keys whose value is None (Jackson NON_ABSENT)."""
    return {key: value for key, value in mapping.items() if value is not None}


def problem(status: int, title: str, detail: str, data: dict[str, Any] | None = None) -> Response:
    """A public-API problem body: `{status, type, title, detail, data}`."""
    body: dict[str, Any] = {
        "status": status,
        "type": f"{PROBLEM_TYPE_ROOT}#{title}",
        "title": title,
        "detail": detail,
    }
    if data is not None:
        body["data"] = data
    return json_response(body, status_code=status)


def bad_request(message: str) -> Response:
    return problem(400, "bad-request", "The request could not be understood by the server due to malformed syntax.", {"message": message})


def not_found(resource_type: str, resource_id: str) -> Response:
    return problem(
        404,
        "resource-not-found",
        "The requested resource could not be found.",
        {"resourceType": resource_type, "resourceId": resource_id},
    )


def unauthorized(message: str) -> Response:
    """401 for a missing, invalid or expired token.

    UNCERTAIN (reference §1.8 / §6): the real 401 comes from the security filter,
    whose exact body is not pinned down. We answer with a problem-shaped body
    titled `invalid-api-key` (the config-client 401 mapping) plus a standard
    `WWW-Authenticate` header; clients should only rely on the status code.
    """
    response = problem(401, "invalid-api-key", "The API key provided is invalid or has expired.", {"message": message})
    response.headers["WWW-Authenticate"] = 'Bearer realm="airbyte"'
    return response


def config_error(status: int, message: str, **extra: Any) -> Response:
    """A config-API `KnownExceptionInfo`-shaped error body."""
    body: dict[str, Any] = {"message": message}
    body.update({key: value for key, value in extra.items() if value is not None})
    return json_response(body, status_code=status)
