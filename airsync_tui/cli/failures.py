"""One error taxonomy for the CLI: any exception becomes one line and an exit code.

Exit codes are a contract with scripts: 1 means only "the job failed or was
cancelled"; every error of ours or the server's is 2 (3 for a `--timeout`,
130 for Ctrl-C). A pydantic `ValidationError` (the server sent a shape we
cannot read) or any unexpected exception must never surface as a traceback
with exit 1, which a script would read as "job failed".
"""

from __future__ import annotations

from pydantic import ValidationError

from airsync_tui.errors import EXIT_USAGE, AirsyncError, redact


def describe_validation(exc: ValidationError) -> str:
    """`field.path: what was wrong` for the first problem (and how many more)."""
    errors = exc.errors()
    if not errors:
        return "unreadable answer"
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "body"
    text = f"{where}: {first.get('msg', 'invalid')}"
    if len(errors) > 1:
        text += f" (and {len(errors) - 1} more)"
    return text


def classify(exc: BaseException) -> tuple[int, str]:
    """(exit code, one line without "airsync: error:") for an exception that ended a command."""
    if isinstance(exc, AirsyncError):
        return exc.exit_code, str(exc)
    if isinstance(exc, ValidationError):
        return EXIT_USAGE, (
            f"the server's answer did not have the expected shape ({describe_validation(exc)}) — "
            "check the API URL; if it is right, please report this with the server version"
        )
    if isinstance(
        exc,
        (OverflowError, ValueError, TypeError, KeyError, IndexError, AttributeError),
    ):
        detail = " ".join(str(exc).split())[:200]
        return (
            EXIT_USAGE,
            f"could not use a value from the server ({type(exc).__name__}: {detail}) — please report this",
        )
    detail = " ".join(str(exc).split())[:200]
    return EXIT_USAGE, redact(f"internal error: {type(exc).__name__}: {detail} — please report this")


__all__ = ["classify", "describe_validation"]
