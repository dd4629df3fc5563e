"""Stream a big HTTP body into an unlinked temp file and map it, instead of holding it in the heap.

Why: a 1,000,000-line attempt log is ~120-150 MB of JSON. Read with
``response.content`` it lives in the heap twice at the peak (httpx joins its
chunks) and its pages stay in glibc's arenas after it is freed. Spooled, the
body goes chunk by chunk to a temporary file that is unlinked at once, and the
parser reads it through a read-only ``mmap``: the kernel pages it in as the
chunked parse walks it and may drop those pages again, and closing the map
(dropping the last reference) frees the file. Small bodies stay ``bytes``:
mapping a few KB buys nothing.

Everything that reads attempt JSON (``airsync_tui.logs.parse``,
``airsync_tui.logs.progressive``) accepts either form: both support slicing,
``find``/``rfind`` and ``re`` searches.
"""

from __future__ import annotations

import mmap
import tempfile
from collections.abc import AsyncIterable, Callable
from contextvars import ContextVar
from typing import Protocol

__all__ = [
    "BODY_OBSERVER",
    "BodyObserver",
    "HEAD_BYTES",
    "HEAD_HOOK",
    "MAP_MIN_BYTES",
    "RawBody",
    "drop_resident_pages",
    "head_bytes",
    "spool_chunks",
]

#: A provider's raw JSON body: in the heap (small) or mapped from a spool file (big).
RawBody = bytes | mmap.mmap

#: Bodies at least this big are mapped from the spool file; smaller ones are read back as bytes.
MAP_MIN_BYTES = 4 * 1024 * 1024
#: Chunks are gathered in memory up to this size before the spool file is created.
_MEMORY_BYTES = 1024 * 1024
#: How much of a big body's start goes to :data:`HEAD_HOOK` (enough for a first screen of log lines).
HEAD_BYTES = 512 * 1024

#: Who wants the first :data:`HEAD_BYTES` of a big body while the rest still downloads (the log
#: screen's first screen: ``service/log_feed.py``). A context variable, so the provider's fetch
#: signature does not change: the feed sets it around its own fetch only. Called once, on the
#: event loop; it must not block.
HEAD_HOOK: ContextVar[Callable[[bytes], None] | None] = ContextVar("airsync_spool_head_hook", default=None)


class BodyObserver(Protocol):
    """Sees every chunk of a spooled body as it arrives (``airsync logs JOB``'s streamed export)."""

    def begin(self, expected_bytes: int | None) -> None:
        """A body starts (again, after a retry: forget the previous one)."""

    def feed(self, chunk: bytes) -> None:
        """The next bytes of the body, in order; called on the event loop."""


#: Who wants each chunk of a spooled body while it downloads, so work on the body overlaps the
#: download (``airsync_tui.logs.stream_export``). A context variable, like :data:`HEAD_HOOK`.
BODY_OBSERVER: ContextVar[BodyObserver | None] = ContextVar("airsync_spool_body_observer", default=None)


async def spool_chunks(chunks: AsyncIterable[bytes], *, map_min_bytes: int | None = None, expected_bytes: int | None = None) -> RawBody:
    """The concatenated ``chunks``: ``bytes`` below ``map_min_bytes`` (default
    :data:`MAP_MIN_BYTES`), else a read-only map of a spool file.

    When :data:`HEAD_HOOK` is set and the body is big (``expected_bytes``,
    the Content-Length, at least ``map_min_bytes``, or unknown), the hook gets
    the body's first :data:`HEAD_BYTES` as soon as they have arrived.
    """
    if map_min_bytes is None:
        map_min_bytes = MAP_MIN_BYTES
    held: list[bytes] = []
    held_size = 0
    spool = None
    total = 0
    hook = HEAD_HOOK.get() if expected_bytes is None or expected_bytes >= map_min_bytes else None
    observer = BODY_OBSERVER.get()
    if observer is not None:
        observer.begin(expected_bytes)
    try:
        async for chunk in chunks:
            if not chunk:
                continue
            total += len(chunk)
            if observer is not None:
                observer.feed(chunk)
            if spool is None:
                held.append(chunk)
                held_size += len(chunk)
                if hook is not None and held_size >= HEAD_BYTES:
                    head = b"".join(held)
                    held[:] = [head]
                    hook(head[:HEAD_BYTES])
                    hook = None
                if held_size < _MEMORY_BYTES:
                    continue
                spool = tempfile.TemporaryFile(prefix="airsync-body-")  # noqa: SIM115 — closed in `finally`; a map outlives it
                spool.write(b"".join(held))
                held.clear()
            else:
                spool.write(chunk)
        if spool is None:
            body = b"".join(held)
            return _map_bytes(body) if held_size >= map_min_bytes else body
        spool.flush()
        if total < map_min_bytes:
            spool.seek(0)
            return spool.read()
        # The map keeps its own descriptor: the (already unlinked) file lives as long as the map.
        return mmap.mmap(spool.fileno(), 0, access=mmap.ACCESS_READ)
    finally:
        if spool is not None:
            spool.close()


def _map_bytes(body: bytes) -> RawBody:
    """A small body asked to be mapped anyway (a low ``map_min_bytes``): spool it now."""
    if not body:
        return body
    with tempfile.TemporaryFile(prefix="airsync-body-") as spool:
        spool.write(body)
        spool.flush()
        return mmap.mmap(spool.fileno(), 0, access=mmap.ACCESS_READ)


def head_bytes(body: RawBody, size: int = 64) -> bytes:
    """The first ``size`` bytes after leading whitespace (for "is this JSON?" checks)."""
    start = 0
    length = len(body)
    while start < length and body[start : start + 1] in (b" ", b"\t", b"\r", b"\n"):
        start += 1
    return bytes(body[start : start + size])


def drop_resident_pages(body: object) -> None:
    """Let the kernel drop a mapped body's pages from this process's RSS after a full scan.

    A shared, read-only file mapping is re-read from the page cache when
    touched again, so this is always safe; ``bytes`` are left alone.
    """
    if isinstance(body, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED") and not body.closed:
        try:
            body.madvise(mmap.MADV_DONTNEED)
        except (OSError, ValueError):
            pass
