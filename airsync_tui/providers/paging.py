"""One guard for every paged listing: a cap on pages and repeat detection.

Why: a server (or proxy) that always answers a full page — or the same page
whatever the offset — would make a listing loop forever and grow without
bound (13,295 requests and 21 GB in one minute). Every paging loop asks this
guard about each page; the guard ends the listing with a one-line error
that says what arrived.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping

from airsync_tui.errors import ConfigError, TransportError

#: No workspace we know of has more than 50,000 connections or jobs listed at once.
MAX_PAGES = 500
MAX_ITEMS = 50_000

#: Lowers the page cap (never raises it past a caller's own cap). Why: an
#: operator facing a broken proxy can stop sooner, and the hostile tests prove
#: "capped" with 50 pages instead of spending 500 round trips.
MAX_PAGES_ENV = "AIRSYNC_MAX_PAGES"


def page_cap(default: int = MAX_PAGES, env: Mapping[str, str] | None = None) -> int:
    """The page cap for one listing: `default`, lowered by `AIRSYNC_MAX_PAGES` when set."""
    raw = (os.environ if env is None else env).get(MAX_PAGES_ENV, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigError(f"{MAX_PAGES_ENV} must be a whole number of pages >= 1, got {raw[:40]!r}")
    return min(value, default)


class PageGuard:
    """Tracks one listing's pages; `check` raises when paging cannot be trusted."""

    def __init__(
        self,
        label: str,
        path: str,
        *,
        max_pages: int = MAX_PAGES,
        max_items: int = MAX_ITEMS,
    ) -> None:
        self.label = label
        self.path = path
        self.max_pages = page_cap(max_pages)
        self.max_items = max_items
        self.pages = 0
        self.items = 0
        self._seen: set[bytes] = set()

    def check(self, keys: Iterable[object]) -> None:
        """Record one page by its item keys (ids); raise on a repeat or past the caps."""
        texts = [str(k) for k in keys]
        self.pages += 1
        self.items += len(texts)
        if texts:
            digest = hashlib.blake2b("\x00".join(texts).encode("utf-8", "replace"), digest_size=16).digest()
            if digest in self._seen:
                raise TransportError(
                    f"{self.label} returned the same page twice while listing {self.path} (page {self.pages})",
                    hint="the server ignores the offset; stopped listing instead of looping",
                )
            self._seen.add(digest)
        if self.pages > self.max_pages or self.items > self.max_items:
            raise TransportError(
                f"{self.label} kept returning full pages for {self.path}: stopped after {self.pages} pages ({self.items} items)",
                hint="the server's paging looks broken; narrow the listing (workspace, connection) or report it",
            )


__all__ = ["MAX_ITEMS", "MAX_PAGES", "MAX_PAGES_ENV", "PageGuard", "page_cap"]
