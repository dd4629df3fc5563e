"""Hightouch HTTP errors -> one-line, typed `ApiError`s.

Body shapes differ per status (hightouch-api.md A.6), so each gets its own
reading: 401 `{"message": "Authentication error"}`, 422 `ValidateErrorJSON`
`{message, details}`, 429 `{"error": ...}`, and 500 whose body is the bare JSON
STRING `"Internal Server Error"`. Messages name the sync when the URL says
which one, summarise validation details by field and message only (values
are dropped: they could echo anything a caller sent), and never contain the
API key (JsonHttp redacts again on top).
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from airsync_tui.errors import ApiError, AuthError, NotFoundError, RateLimitedError

LABEL = "Hightouch"
AUTH_MESSAGE = "Hightouch rejected the API key — check HIGHTOUCH_API_KEY or the profile's hightouch.api_key"
_SYNC_IN_PATH = re.compile(r"/syncs/(\d+)")
_RUN_ID_PARAM = "runId"
_MAX_DETAILS = 3


def _body_text(body: Any, *keys: str) -> str | None:
    """The first non-empty string among `keys` of a dict body, or a string body itself."""
    if isinstance(body, str):
        return body.strip() or None
    if isinstance(body, dict):
        for key in keys:
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def summarise_details(details: Any) -> str:
    """`{"limit": {"message": "must be >= 0", "value": "-1"}}` -> `limit: must be >= 0`."""
    if not isinstance(details, dict) or not details:
        return ""
    parts: list[str] = []
    for field, info in details.items():
        message = info.get("message") if isinstance(info, dict) else info if isinstance(info, str) else None
        parts.append(f"{field}: {message}" if message else str(field))
    extra = len(parts) - _MAX_DETAILS
    text = "; ".join(parts[:_MAX_DETAILS])
    return f"{text}; +{extra} more" if extra > 0 else text


def _where(response: httpx.Response) -> str:
    request = response.request
    return f"{request.method} {request.url.path}"


def map_hightouch_error(response: httpx.Response, body: Any) -> ApiError:
    """JsonHttp's `error_mapper` for Hightouch."""
    status = response.status_code
    path = response.request.url.path
    if status in (401, 403):
        return AuthError(AUTH_MESSAGE, status_code=status, title=_body_text(body, "message", "error"))
    if status == 404:
        match = _SYNC_IN_PATH.search(path)
        run_id = response.request.url.params.get(_RUN_ID_PARAM)
        if match:
            subject = f"Hightouch sync {match.group(1)} not found"
            if run_id:
                subject = f"Hightouch sync {match.group(1)} (run {run_id}) not found"
        else:
            subject = f"Hightouch has no {path}"
        return NotFoundError(subject, hint="it may have been deleted, or the API key belongs to another workspace", status_code=404)
    if status in (409, 422, 400):
        message = _body_text(body, "message", "error") or f"HTTP {status}"
        details = summarise_details(body.get("details") if isinstance(body, dict) else None)
        text = f"Hightouch refused {_where(response)}: {message}"
        if details:
            text = f"{text} ({details})"
        return ApiError(text, status_code=status, title=message)
    if status == 429:
        reason = _body_text(body, "error", "message") or "too many requests"
        return RateLimitedError(
            f"Hightouch rate limit hit ({reason})",
            hint="the workspace allows 200 requests per 10 s; slowing down",
            status_code=429,
            retryable=True,
        )
    if status >= 500:
        reason = _body_text(body, "message", "error") or "server error"
        return ApiError(
            f"Hightouch server error on {_where(response)}: HTTP {status} {reason}",
            hint="usually transient; it will be retried",
            status_code=status,
            title=reason,
            retryable=True,
        )
    reason = _body_text(body, "message", "error") or response.reason_phrase or "error"
    return ApiError(f"Hightouch answered HTTP {status} on {_where(response)}: {reason}", status_code=status, title=reason)


__all__ = ["AUTH_MESSAGE", "LABEL", "map_hightouch_error", "summarise_details"]
