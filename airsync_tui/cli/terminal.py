"""The CLI's output boundary: every byte the headless commands write passes here.

Why one boundary instead of care at each call site: server text reaches
stdout/stderr through many paths (error lines, `sync --wait` transitions and
the live line, tables, `cancel` output, logs). A single wrapper around
`sys.stdout`/`sys.stderr` makes all of them safe at once:

* escape sequences (OSC 0 title, OSC 52 clipboard, CSI …), C0/C1 controls,
  carriage returns, zero-width and bidi-override characters are removed —
  only our own control sequences, written through `write_control`, pass;
* every credential we hold or were issued (and user:password@ in URLs, JWTs)
  is redacted;
* a closed pipe (`airsync logs 1 | head -1`) ends output quietly instead of
  raising `BrokenPipeError` with a traceback.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any, TextIO

from airsync_tui.errors import redact
from airsync_tui.logs.sanitize import sanitize_text

# Invisible characters that change how text reads or is copied: zero-width
# spaces/joiners, LRM/RLM/ALM, word joiner and invisible operators, BOM,
# line/paragraph separators, Mongolian vowel separator, and bidi controls.
_INVISIBLE = re.compile("[\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\u061c\u180e\u00ad]")


def clean(text: str) -> str:
    """Server-influenced text made inert for a terminal; newlines and tabs kept."""
    text = text.replace("\r\n", "\n").replace("\r", "")
    text = sanitize_text(text, keep_newlines=True)
    text = _INVISIBLE.sub("", text)
    return redact(text)


class SafeStream:
    """A text stream wrapper that sanitises and redacts everything written."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner
        self.broken = False

    # -- the boundary
    def write(self, text: str) -> int:
        return self._emit(clean(text))

    def write_control(self, sequence: str) -> int:
        """Our own terminal control (redraw of the live line); never server text."""
        return self._emit(sequence)

    def _emit(self, text: str) -> int:
        if self.broken:
            return len(text)
        try:
            return self.inner.write(text)
        except BrokenPipeError:
            self._close_quietly()
            return len(text)

    def flush(self) -> None:
        if self.broken:
            return
        try:
            self.inner.flush()
        except BrokenPipeError:
            self._close_quietly()

    def _close_quietly(self) -> None:
        """The reader went away: drop further output (and keep Python's exit flush quiet)."""
        self.broken = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.inner.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    # -- the rest of TextIO that callers use
    def isatty(self) -> bool:
        try:
            return self.inner.isatty()
        except (OSError, ValueError):
            return False

    def fileno(self) -> int:
        return self.inner.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self.inner, "encoding", "utf-8") or "utf-8"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def install() -> tuple[TextIO, TextIO]:
    """Wrap `sys.stdout` and `sys.stderr`; returns the originals for `restore`."""
    originals = (sys.stdout, sys.stderr)
    if not isinstance(sys.stdout, SafeStream):
        sys.stdout = SafeStream(sys.stdout)
    if not isinstance(sys.stderr, SafeStream):
        sys.stderr = SafeStream(sys.stderr)
    return originals


def restore(originals: tuple[TextIO, TextIO]) -> None:
    sys.stdout, sys.stderr = originals


def reader_gone(stream: TextIO) -> None:
    """A closed pipe surfaced from a write beneath the sanitising wrapper (the log export writes
    its already-sanitised blocks to ``stdout.buffer``): end output as quietly as `SafeStream` does."""
    if isinstance(stream, SafeStream):
        stream._close_quietly()
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def write_control(stream: TextIO, sequence: str) -> None:
    """Write our own control sequence, bypassing sanitising when the stream is a SafeStream."""
    writer = getattr(stream, "write_control", None)
    if writer is not None:
        writer(sequence)
    else:
        stream.write(sequence)


def health_note(event: Any) -> str | None:
    """One line for `sync --wait` when the API is in trouble; None when it is fine."""
    state = getattr(getattr(event, "state", None), "value", "")
    message = " ".join(str(getattr(event, "message", "") or "").split())
    if state == "retrying":
        retry_in = getattr(event, "retry_in", None)
        when = f" in {retry_in:.0f} s" if isinstance(retry_in, (int, float)) else ""
        return f"retrying{when}: {message}" if message else f"retrying{when}"
    if state in ("auth_failed", "unreachable", "degraded"):
        return f"{state.replace('_', ' ')}: {message}" if message else state.replace("_", " ")
    return None


__all__ = ["SafeStream", "clean", "health_note", "install", "reader_gone", "restore", "write_control"]
