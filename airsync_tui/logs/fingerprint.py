"""Masking what differs between occurrences of the same error, so they group.

Used by triage (failure messages across connections) and by the log viewer's
error groups (ERROR/exception lines within one attempt log). Kept below the
service layer and free of dependencies so both can use it.
"""

from __future__ import annotations

import re

#: Masks applied in order; earlier ones win (a quoted UUID is one quoted value).
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"https?://\S+"), "<url>"),
    (re.compile(r"'[^'\n]{0,200}'|\"[^\"\n]{0,200}\"|`[^`\n]{0,200}`"), "<q>"),
    (re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), "<email>"),
    (
        re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),
        "<uuid>",
    ),
    (
        re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\b"),
        "<ts>",
    ),
    (re.compile(r"\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b"), "<ts>"),
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b"), "<host>"),
    (
        re.compile(r"\b(?:[A-Za-z0-9-]+\.)+(?:com|net|org|io|cloud|dev|internal|local|amazonaws|[a-z]{2})(?::\d+)?\b(?![\w-]|\.\w)"),
        "<host>",
    ),
    (
        re.compile(r"\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b"),
        "<id>",
    ),
    (re.compile(r"\b(?=[\w-]*\d{3})[A-Za-z_][\w-]*\b"), "<id>"),
    (re.compile(r"[-+]?\b\d+(?:\.\d+)?\b"), "<n>"),
)
_SPACES = re.compile(r"\s+")
_MAX_MESSAGE = 300


def normalise_message(text: str | None) -> str:
    """The message with everything occurrence-specific masked (first line, ≤300 chars)."""
    if not text:
        return ""
    first = next((line.strip() for line in text.strip().splitlines() if line.strip()), "")
    for pattern, replacement in _MASKS:
        first = pattern.sub(replacement, first)
    return _SPACES.sub(" ", first).strip()[:_MAX_MESSAGE]


__all__ = ["normalise_message"]
