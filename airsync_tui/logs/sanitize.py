"""Make untrusted log text inert before it can reach a terminal.

Attempt logs are written by third-party connectors, so they may contain
anything: colour codes, cursor movement (``ESC[2J`` clears the screen),
OSC 8 hyperlinks, OSC 52 (writes the *user's clipboard*), bell, NUL, C1
controls or bidi overrides that make text read differently from what it is.
A TUI that forwarded any of that would let a log line control the
operator's terminal, so every log byte goes through this module first.

Two shapes are offered:

* :func:`sanitize_buffer` works on one big UTF-8 buffer of many lines (the
  whole attempt log) with a handful of C-level passes, so a million lines
  cost no per-line Python work. It keeps ``\\n`` (the line separator) and
  never removes one, which the parser relies on to keep line counts stable.
* :func:`sanitize_text` does the same for one Python string (titles,
  notices, error messages).

Rich markup is a separate hazard: ``[bold red]x[/]`` would be *interpreted*
if a string were passed through ``Text.from_markup``/``console.print``.
airsync never does that with log text: the viewer builds ``rich.segment``
``Segment``s / ``Strip``s from plain strings, so brackets are shown literally.
"""

from __future__ import annotations

import re

__all__ = ["sanitize_buffer", "sanitize_text", "strip_ansi", "TAB_SIZE"]

TAB_SIZE = 8

# ECMA-48 escape sequences introduced by ESC (7-bit form). None of the
# classes can match "\n", so removing them never changes the line count.
_ESC_SEQUENCES = (
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours (SGR), cursor moves, ESC[2J ...
    r"|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"  # OSC: titles, OSC 8 links, OSC 52 clipboard
    r"|\x1b[PX^_][^\x1b\n]*(?:\x1b\\)?"  # DCS / SOS / PM / APC strings
    r"|\x1b[ -/]*[0-~]"  # other two-byte escapes (ESC c reset, ESC 7, ESC ( B ...)
)
# The same introducers in their 8-bit C1 form (one code point each).
_C1_SEQUENCES = (
    r"\x9b[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x9d[^\x07\x1b\x9c\n]*(?:\x07|\x9c)?"  # OSC
    r"|[\x90\x98\x9e\x9f][^\x9c\x1b\n]*\x9c?"  # DCS / SOS / PM / APC
)
# Bidi embedding/override/isolate controls ("Trojan Source" style spoofing).
_BIDI = "\u202a-\u202e\u2066-\u2069"

_STR_SEQUENCES = re.compile(_ESC_SEQUENCES + "|" + _C1_SEQUENCES)
# Invisible characters that hide or reorder what is shown or copied: zero-width
# space/joiners, LRM/RLM/ALM, line/paragraph separators, word joiner and
# invisible operators, BOM, Mongolian vowel separator (titles, names, errors).
_INVISIBLE = "\u200b-\u200f\u2028\u2029\u2060-\u2064\ufeff\u061c\u180e"
_STR_CONTROLS = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_BIDI}{_INVISIBLE}]")
_STR_ANSI_ONLY = re.compile(_ESC_SEQUENCES + r"|\x9b[0-?]*[ -/]*[@-~]")

_BYTES_ESC = re.compile(_ESC_SEQUENCES.encode("ascii"))
# In UTF-8 the C1 code points U+0080..U+009F are the two bytes C2 80..C2 9F
# and the bidi controls are E2 80 AA..AE / E2 81 A6..A9.
_BYTES_C1_SEQUENCES = re.compile(
    rb"\xc2\x9b[0-?]*[ -/]*[@-~]"
    rb"|\xc2\x9d(?:[^\x07\x1b\n\xc2]|\xc2[^\x9c\n])*(?:\x07|\xc2\x9c)?"
    rb"|\xc2[\x90\x98\x9e\x9f](?:[^\x1b\n\xc2]|\xc2[^\x9c\n])*(?:\xc2\x9c)?"
    rb"|\xc2[\x80-\x9f]"
    rb"|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
)
# C0 controls except TAB and LF, plus DEL: deleted with one bytes.translate.
_BYTES_C0_DELETE = bytes(range(0x00, 0x09)) + bytes(range(0x0B, 0x20)) + b"\x7f"


def sanitize_buffer(buf: bytes) -> bytes:
    """Sanitise a UTF-8 buffer of ``\\n``-separated lines.

    Removes escape sequences (7-bit and C1), other control characters and
    bidi overrides, and expands tabs. ``\\n`` is kept and never created or
    removed. Each pass is skipped when a cheap ``in`` test shows it has
    nothing to do, because most structured logs contain no escapes at all.
    """
    if b"\x1b" in buf:
        buf = _BYTES_ESC.sub(b"", buf)
    if b"\xc2" in buf or b"\xe2" in buf:
        buf = _BYTES_C1_SEQUENCES.sub(b"", buf)
    buf = buf.translate(None, _BYTES_C0_DELETE)
    if b"\t" in buf:
        # Column counting restarts at every "\n", so this is per line.
        buf = buf.expandtabs(TAB_SIZE)
    return buf


def sanitize_text(text: str, *, keep_newlines: bool = True) -> str:
    """Sanitise one string (see module docstring). Tabs are expanded.

    With ``keep_newlines=False`` line breaks become spaces, for one-line
    places such as titles, notifications and status bars.
    """
    if not keep_newlines:
        text = text.replace("\r\n", " ").replace("\n", " ")
    text = _STR_SEQUENCES.sub("", text)
    text = _STR_CONTROLS.sub("", text)
    if "\t" in text:
        text = text.expandtabs(TAB_SIZE)
    return text


def strip_ansi(text: str) -> str:
    """Drop ANSI/ECMA-48 escape sequences but keep all other characters.

    Used on legacy ``logLines``, whose source word is wrapped in colour codes;
    the remaining control characters are handled by :func:`sanitize_text`.
    """
    if "\x1b" not in text and "\x9b" not in text:
        return text
    return _STR_ANSI_ONLY.sub("", text)
