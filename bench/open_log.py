"""Open one attempt log in LogScreen: the "ours" side of the tmux benchmark.

    python bench/open_log.py --url http://127.0.0.1:PORT/api/v1/attempt/get_for_job
    python bench/open_log.py --json path/to/attempt.json

With ``--url`` the feed downloads the attempt JSON (POST, like the Airbyte
config API) and parses it in a thread, exactly like a real feed would.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import httpx
from textual.app import App

from airsync_tui.logs import LogIndex, parse_attempt
from airsync_tui.ui.screens.log_screen import LogScreen


class HttpAttemptFeed:
    """Minimal AttemptLogFeed over one URL (bench/demo only)."""

    notice = None
    attempt_numbers = [0]
    initial_attempt = 0

    def __init__(self, url: str | None = None, path: Path | None = None, title: str = "Bench · job 1") -> None:
        self.url = url
        self.path = path
        self.title = title
        self._lines = 0

    async def load(self, attempt_number: int) -> LogIndex:
        if self.url:
            async with httpx.AsyncClient(timeout=120) as client:
                response = await client.post(self.url, json={"jobId": 1, "attemptNumber": attempt_number})
                response.raise_for_status()
                body = response.content
        else:
            assert self.path is not None
            body = await asyncio.to_thread(self.path.read_bytes)
        parsed = await asyncio.to_thread(parse_attempt, body)
        self._lines = len(parsed.index)
        return parsed.index

    async def poll(self, attempt_number: int, index: LogIndex) -> int:
        return 0

    def is_live(self, attempt_number: int) -> bool:
        return False

    def attempt_label(self, attempt_number: int) -> str:
        return f"Attempt 1 of 1 · {self._lines:,} lines"


class OpenLogApp(App[None]):
    def __init__(self, feed: HttpAttemptFeed) -> None:
        super().__init__()
        self.feed = feed

    def on_mount(self) -> None:
        self.push_screen(LogScreen(self.feed))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    OpenLogApp(HttpAttemptFeed(url=args.url, path=args.json)).run()


if __name__ == "__main__":
    main()
