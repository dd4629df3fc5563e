"""Error groups of one attempt log: ERROR and exception lines fingerprinted, with counts and positions.

Why: a failed attempt's log repeats the same error hundreds of times between
retries, and the one line that explains the failure drowns. Grouping by the
masked message (`logs.fingerprint`) turns that into a short list: each group
with its count, first and last occurrence, and every occurrence's line number
so the viewer can step through them.

Stack frames (`\\tat …`, `  File "…"`, `Traceback …`, `Caused by: …`,
`... 12 more`) belong to the error above them and never form groups of their
own. Cost: the ERROR lines come from the level column (a bytes scan) and the
exception lines from one regex pass over the buffer (`LogIndex.search`), so a
million-line log is grouped without looking at every line in Python.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from dataclasses import dataclass, field

from airsync_tui.logs.fingerprint import normalise_message
from airsync_tui.logs.index import Level, LogIndex

#: Lines that say an exception happened even when the logger's level is not ERROR.
EXCEPTION_PATTERN = r"\b[\w.$]*(?:Exception|Error)\b|Traceback \(most recent call last\)|\bFATAL\b"
_FRAME = re.compile(r"^\s+at\s|^\s+File \"|^Traceback \(most recent call last\)|^\s*Caused by:|^\s*\.\.\. \d+ more|^\s+\^+\s*$")
MAX_GROUPS = 500


@dataclass
class ErrorGroup:
    """One cause within a log."""

    key: str
    pattern: str
    example: str
    lines: array[int] = field(default_factory=lambda: array("q"))

    @property
    def id(self) -> str:
        return hashlib.sha1(self.key.encode("utf-8")).hexdigest()[:8]

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def first(self) -> int:
        return int(self.lines[0])

    @property
    def last(self) -> int:
        return int(self.lines[-1])


def candidate_lines(index: LogIndex) -> list[int]:
    """ERROR-level lines plus lines naming an exception, sorted, each once."""
    levels = index.levels
    error = bytes([Level.ERROR])
    found: set[int] = set()
    position = levels.find(error)
    while position >= 0:
        found.add(position)
        position = levels.find(error, position + 1)
    found.update(index.search(EXCEPTION_PATTERN, True, True))
    return sorted(found)


def error_groups(index: LogIndex, *, limit: int = MAX_GROUPS) -> list[ErrorGroup]:
    """Groups of this log's errors, most frequent first (ties: earliest first)."""
    groups: dict[str, ErrorGroup] = {}
    overflow: ErrorGroup | None = None
    for number in candidate_lines(index):
        text = index.line(number)
        if _FRAME.search(text) or not text.strip():
            continue
        pattern = normalise_message(text)
        key = f"{int(index.level(number))}|{pattern.lower()}"
        group = groups.get(key)
        if group is None:
            if len(groups) >= limit:
                if overflow is None:
                    overflow = ErrorGroup("overflow", "(more error kinds)", text.strip()[:300])
                overflow.lines.append(number)
                continue
            group = groups[key] = ErrorGroup(key, pattern, text.strip()[:300])
        group.lines.append(number)
    ordered = sorted(groups.values(), key=lambda g: (-g.count, g.first))
    if overflow is not None:
        ordered.append(overflow)
    return ordered


def first_line_matching(index: LogIndex, needle: str | None) -> int | None:
    """The first line that contains the failure's text (exact, then its masked shape's longest literal run).

    Used to open the log at "the first line of that error" from a failure
    summary, whose message the connector usually logged verbatim.
    """
    if not needle:
        return None
    text = needle.strip().splitlines()[0][:200] if needle.strip() else ""
    if not text:
        return None
    hits = index.search(text, True, False)
    if hits:
        return int(hits[0])
    # Longest literal piece between masked parts (ids, numbers, quoted values differ per occurrence).
    pieces = [p.strip() for p in re.split(r"<(?:n|id|uuid|ts|host|url|q|email)>", normalise_message(text))]
    pieces = sorted((p for p in pieces if len(p) >= 12), key=len, reverse=True)
    for piece in pieces[:3]:
        hits = index.search(piece, False, False)
        if hits:
            return int(hits[0])
    return None


__all__ = [
    "EXCEPTION_PATTERN",
    "ErrorGroup",
    "candidate_lines",
    "error_groups",
    "first_line_matching",
]
