"""Give freed heap memory back to the operating system after a big parse.

Parsing a million-line attempt log creates and frees ~100 MB of small Python
objects; glibc keeps the freed arenas, so the process RSS stays high long
after the objects are gone and climbs when the next big log is opened.
`malloc_trim(0)` returns that free memory. A no-op where glibc is absent
(macOS, musl, Windows).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Return free heap pages to the OS; True when the C library did something."""
    trim = _libc()
    return bool(trim(0)) if trim is not None else False


__all__ = ["release_free_memory"]
