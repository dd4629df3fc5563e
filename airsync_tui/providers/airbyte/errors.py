"""Map Airbyte error answers to our typed, one-line errors.

Two body shapes arrive: public-API "problem" objects `{status, type, title,
detail, data}` and config-API `KnownExceptionInfo` `{message, ...}`; a 401 from
the security filter or a 429 from the load-shed filter may carry neither.
Each message says what went wrong AND what to do, names the id involved, and
never includes a credential (JsonHttp also redacts known secrets).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx

from airsync_tui.errors import (
    ApiError,
    AuthError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    UnsupportedError,
)
from airsync_tui.providers.airbyte.wire import KnownExceptionInfo, ProblemBody

LABEL = "Airbyte"
_MAX_TEXT = 200
_JOB_PATH = re.compile(r"/jobs/(\d+)$")
_CONNECTION_PATH = re.compile(r"/connections/([^/]+)$")
_WORKSPACE_PATH = re.compile(r"/workspaces/([^/]+)$")

REFRESH_UNSUPPORTED = "Refreshes are not supported in the public API"
REFRESH_HINT = "use `airsync refresh` or x → Refresh streams in the dashboard (config API), or reset or clear"


class ConfigApiUnavailable(ApiError):
    """The config (internal) API refused or is not exposed: degrade to the public API.

    Deliberately NOT an AuthError: a 403 on the internal API is common (it is
    not meant for API clients) and must not flag the whole session as
    "credentials rejected" while the public API works.
    """


def _clip(text: str | None) -> str:
    if not text:
        return ""
    line = " ".join(str(text).split())
    return line if len(line) <= _MAX_TEXT else line[: _MAX_TEXT - 1] + "…"


def _server_message(body: Any) -> tuple[str, str | None]:
    """(best human message, problem title) from either body shape."""
    if isinstance(body, dict):
        if "title" in body or "type" in body:
            problem = ProblemBody.model_validate(body)
            return _clip(problem.data_message or problem.detail or problem.title), problem.title
        if "message" in body:
            info = KnownExceptionInfo.model_validate(body)
            return _clip(info.message), None
    if isinstance(body, str):
        text = body.strip()
        if text.startswith("<"):
            return "", None  # an HTML page: say nothing from it
        return _clip(text), None
    return "", None


def _is_not_found_problem(body: Any) -> bool:
    """True for a problem body whose title/type names a missing resource."""
    if not isinstance(body, dict):
        return False
    for key in ("title", "type"):
        value = body.get(key)
        if isinstance(value, str) and value.rstrip("/").rsplit("/", 1)[-1].lower() in {
            "resource-not-found",
            "resource_not_found",
            "not-found",
        }:
            return True
    return False


def _resource(method: str, path: str, body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        data = body["data"]
        if data.get("resourceType") and data.get("resourceId"):
            return f"{data['resourceType']} {data['resourceId']}"
    if isinstance(body, dict) and body.get("id") and "message" in body:
        return f"resource {body['id']}"
    for pattern, noun in ((_JOB_PATH, "job"), (_CONNECTION_PATH, "connection"), (_WORKSPACE_PATH, "workspace")):
        match = pattern.search(path)
        if match:
            return f"{noun} {match.group(1)}"
    return f"{method} {path}"


def make_error_mapper(*, profile: str | None = None, config_api_prefix: str | None = None) -> Callable[[httpx.Response, Any], ApiError]:
    """Build the `JsonHttp` error mapper for one Airbyte session.

    `config_api_prefix` is the config API's URL path prefix (e.g. `/api/v1`),
    so its 403/404s become `ConfigApiUnavailable` for graceful fallback.
    """
    who = f" for profile {profile!r}" if profile else ""

    def mapper(response: httpx.Response, body: Any) -> ApiError:
        status = response.status_code
        request = response.request
        method = request.method
        path = request.url.path
        message, title = _server_message(body)
        is_token = path.endswith("/applications/token")
        if status == 400 and _is_not_found_problem(body):
            # Some Airbyte versions answer a missing resource with 400 and a
            # `resource-not-found` problem: map by the problem, not the status.
            status = 404
        is_config = bool(config_api_prefix and path.startswith(config_api_prefix.rstrip("/") + "/")) and not is_token

        def made(kind: type[ApiError], text: str, hint: str | None = None, **extra: Any) -> ApiError:
            """One error of `kind` for this answer: its status and problem title unless `extra` says otherwise."""
            fields: dict[str, Any] = {"status_code": status, "title": title, **extra}
            return kind(text, hint=hint, **fields)

        if status == 401:
            return made(
                AuthError, f"Airbyte rejected the credentials (HTTP 401 on {method} {path})", f"check client id/secret (or token){who}"
            )
        if status == 403:
            if is_config:
                return made(
                    ConfigApiUnavailable,
                    f"Airbyte's config API refused {path} (HTTP 403)",
                    "live stats and logs need config-API access; falling back to the public API",
                )
            return made(
                AuthError,
                f"Airbyte refused {method} {path}: the credentials lack the required role (HTTP 403)",
                f"ask for workspace reader access to view, runner access to trigger or cancel{who}",
            )
        if status == 404:
            if is_token:
                return made(
                    ApiError,
                    f"no Airbyte token endpoint at {response.request.url.host}{path} (HTTP 404)",
                    "check api_url: Cloud is https://api.airbyte.com/v1, self-managed is http://host:8000/api/public/v1",
                    title=None,
                )
            if is_config and not isinstance(body, dict):
                return made(
                    ConfigApiUnavailable,
                    f"Airbyte's config API is not reachable at {path} (HTTP 404)",
                    "set config_api_url in the profile if it lives elsewhere",
                    title=None,
                )
            return made(
                NotFoundError,
                f"Airbyte {_resource(method, path, body)} not found",
                "check the id, and that it belongs to a workspace these credentials can see",
            )
        if status == 409:
            if title == "try-again-later" or "already running" in message.lower():
                return made(
                    ConflictError,
                    f"Airbyte: {message or 'a sync is already running'}",
                    "follow the running job, or wait for it to finish",
                    title=title or "try-again-later",
                )
            if "not currently running" in message.lower() or method == "DELETE":
                return made(
                    ConflictError,
                    f"Airbyte {_resource(method, path, body)} is not running, so there is nothing to cancel",
                    "it may have just finished; refresh to see its final status",
                    title=title or "state-conflict",
                )
            return made(
                ConflictError,
                f"Airbyte refused {method} {path}: {message or 'state conflict'} (HTTP 409)",
                "the connection may be inactive or locked; check it in the Airbyte UI",
                title=title or "state-conflict",
            )
        if status == 422:
            if "refresh" in message.lower() or "refresh" in str(body).lower():
                return made(UnsupportedError, REFRESH_UNSUPPORTED, REFRESH_HINT)
            return made(ApiError, f"Airbyte could not process {method} {path}: {message or 'unprocessable entity'} (HTTP 422)")
        if status == 429:
            return made(
                RateLimitedError,
                f"Airbyte is rate limiting requests (HTTP 429 on {path})",
                "slow down: raise the poll interval or watch fewer connections",
                retryable=True,
            )
        if status == 400:
            return made(
                ApiError,
                f"Airbyte rejected {method} {path} as a bad request: {message or 'no detail'} (HTTP 400)",
                "this is likely a bug in airsync or an older Airbyte version; please report it",
            )
        detail = f": {message}" if message else ""
        if status >= 500:
            return made(
                ApiError,
                f"Airbyte had a server error on {method} {path} (HTTP {status}){detail}",
                "usually transient; it will be retried",
                retryable=True,
            )
        return made(ApiError, f"Airbyte answered HTTP {status} to {method} {path}{detail}")

    return mapper


__all__ = ["ConfigApiUnavailable", "LABEL", "REFRESH_HINT", "REFRESH_UNSUPPORTED", "make_error_mapper"]
