"""Where the dashboard's screenshot goes, and a one-line reason when it cannot go there.

Why: Textual's own screenshot command saves to the user's Downloads folder
and, when that folder does not exist (servers, containers, fresh accounts),
says only "Failed to save screenshot". An operator who wants to attach the
screen to an incident needs the file, or to know why there is none and what
to change.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

#: Set to a directory to save screenshots there.
SCREENSHOT_DIR_ENV = "AIRSYNC_SCREENSHOT_DIR"


class ScreenshotError(Exception):
    """The screenshot could not be written; the message says where, why and what to do."""


def screenshot_directory(downloads: Path | None = None) -> Path:
    """`$AIRSYNC_SCREENSHOT_DIR`, else the Downloads folder when it exists, else the current directory."""
    configured = os.environ.get(SCREENSHOT_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    if downloads is not None and downloads.is_dir():
        return downloads
    return Path.cwd()


def screenshot_name(now: datetime | None = None) -> str:
    """`airsync-2026-12-01T09-05-07.svg`: sortable, no characters a shell or Windows would trip on."""
    moment = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H-%M-%S")
    return f"airsync-{moment}.svg"


def write_screenshot(svg: str, directory: Path, name: str) -> Path:
    """Write `svg` to `directory/name` (creating the directory) and return the path."""
    target = directory / name
    try:
        directory.mkdir(parents=True, exist_ok=True)
        target.write_text(svg, encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScreenshotError(
            f"could not save the screenshot to {directory}: {reason} — set {SCREENSHOT_DIR_ENV} to a writable directory"
        ) from None
    return target


__all__ = ["SCREENSHOT_DIR_ENV", "ScreenshotError", "screenshot_directory", "screenshot_name", "write_screenshot"]
