"""Typed errors whose message is one line: what went wrong and what to try.

Every error that can reach an operator (CLI stderr, a UI notification, the
header's health state) is one of these, so no traceback and no secret ever
reaches the screen. `exit_code` is what the CLI exits with.
"""

from __future__ import annotations

import re

EXIT_OK = 0
EXIT_JOB_FAILED = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3

_SECRET_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(?i)(basic\s+)[A-Za-z0-9+/=]+"),
    re.compile(r"(?i)((?:client_secret|access_token|api_key|apikey|password|token)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,}]+"),
    # user:password@ in any URL (errors, `config show`, job links).
    re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,15}://)[^/\s@]{1,256}(?=@)"),  # bounded: no quadratic scan
    # A JWT (Airbyte's application tokens) echoed anywhere: "token eyJ… lacks scope".
    re.compile(r"()\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
)

#: Credentials this process holds or was issued (client secrets, API keys,
#: access tokens), registered as they appear so every output path redacts them.
_KNOWN_SECRETS: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a credential so `redact` removes it from any text shown or written."""
    if value and len(value) >= 4:
        _KNOWN_SECRETS.add(value)


def known_secrets() -> tuple[str, ...]:
    return tuple(sorted(_KNOWN_SECRETS, key=len, reverse=True))


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Remove credentials from text that may be shown or logged."""
    for secret in (*secrets, *known_secrets()):
        if secret and len(secret) >= 4:
            text = text.replace(secret, "•••")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "•••", text)
    return text


class AirsyncError(Exception):
    """Base class: `str(err)` is a single line fit for an operator."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = " ".join(message.split())
        self.hint = " ".join(hint.split()) if hint else None
        super().__init__(self.one_line())

    def one_line(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class ConfigError(AirsyncError):
    """Missing or contradictory settings (flags, env, profile file)."""


class ReadOnlyError(AirsyncError):
    """A trigger or cancel refused because the session is read-only."""


class ApiError(AirsyncError):
    """The provider answered, but not with what we asked for."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status_code: int | None = None,
        title: str | None = None,
        retryable: bool = False,
    ) -> None:
        self.status_code = status_code
        self.title = title
        self.retryable = retryable
        super().__init__(message, hint=hint)


class AuthError(ApiError):
    """Credentials were rejected (401/403)."""


class NotFoundError(ApiError):
    """The connection, sync or job does not exist (404)."""


class ConflictError(ApiError):
    """409: e.g. a sync is already running, or the job is not running."""


class UnsupportedError(ApiError):
    """The provider cannot do this (e.g. Airbyte refresh on the public API, Hightouch cancel)."""


class RateLimitedError(ApiError):
    """429 after our retries ran out."""


class TransportError(ApiError):
    """No usable HTTP answer: unreachable host, timeout, dropped connection, non-JSON body."""


class SyncTimeoutError(AirsyncError):
    """`--wait` ran past `--timeout`."""

    exit_code = EXIT_TIMEOUT


class JobFailedError(AirsyncError):
    """The job ended failed or cancelled."""

    exit_code = EXIT_JOB_FAILED
