"""Drive LogScreen in a real (headless) Textual app with a StaticLogFeed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.app import App

from airsync_tui.logs import Level, LogIndex, StaticAttempt, StaticLogFeed, parse_attempt_json
from airsync_tui.logs.synthetic import synthetic_attempt_json
from airsync_tui.ui.screens import log_screen as log_screen_module
from airsync_tui.ui.screens.log_screen import LogScreen, log_file_name
from airsync_tui.ui.widgets.log_view import LogView

TS = 1767255305000


def _events(count: int) -> list[dict]:
    events = []
    for i in range(count):
        level = "error" if i % 50 == 49 else ("warn" if i % 10 == 5 else "info")
        source = ("source", "destination", "platform")[i % 3]
        events.append(
            {
                "timestamp": TS + i * 1000,
                "level": level,
                "logSource": source,
                "message": f"line {i} stream {'users' if i % 7 == 0 else 'orders'}",
            }
        )
    events.append(
        {"timestamp": TS, "level": "info", "logSource": "source", "message": "[bold red]markup[/] \x1b[2J\x1b]52;c;ZXZpbA==\x07 inert"}
    )
    return events


def _feed(live: bool = False, count: int = 300) -> StaticLogFeed:
    first = parse_attempt_json({"events": _events(20)})
    second = parse_attempt_json({"events": _events(count)})
    return StaticLogFeed(
        "Postgres → Snowflake · job 4812",
        {
            0: StaticAttempt(index=first, status="failed"),
            1: StaticAttempt(index=second, status="running" if live else "succeeded", live=live),
        },
        connection_name="Postgres → Snowflake",
        job_id=4812,
    )


class LogApp(App[None]):
    def __init__(self, feed: StaticLogFeed) -> None:
        super().__init__()
        self.feed = feed

    def on_mount(self) -> None:
        self.push_screen(LogScreen(self.feed))


async def _wait_loaded(pilot, app: LogApp) -> LogScreen:  # noqa: ANN001
    for _ in range(100):
        await pilot.pause()
        screen = app.screen
        if isinstance(screen, LogScreen) and not screen._loading and len(screen.view.index):  # noqa: SLF001
            return screen
    raise AssertionError("log never loaded")


def _screen_text(app: App) -> str:
    return "\n".join(
        "".join(segment.text for segment in strip)
        for strip in app.screen._compositor.render_strips()  # noqa: SLF001
    )


async def test_open_shows_lines_and_status() -> None:
    app = LogApp(_feed())
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _wait_loaded(pilot, app)
        assert screen.feed.load_calls == [1]
        text = _screen_text(app)
        assert "Postgres → Snowflake · job 4812" in text
        assert "2026-01-01 08:15:05 INFO  source   line 0 stream users" in text
        assert "Attempt 2 of 2" in screen.status_text()
        assert "line 1/301" in screen.status_text()


async def test_search_next_match_and_counter() -> None:
    app = LogApp(_feed())
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _wait_loaded(pilot, app)
        await pilot.press("slash")
        assert screen.query_one("#log-search").display
        await pilot.press(*"users", "enter")
        for _ in range(50):
            await pilot.pause()
            if screen.view.match_total:
                break
        view = screen.view
        assert view.match_total == 43  # i % 7 == 0 for i < 300
        assert view.match_current == 1 and view.current_line() == 0
        assert "1/43 matches" in screen.status_text()
        await pilot.press("n")
        await pilot.pause()
        assert view.current_line() == 7 and "2/43 matches" in screen.status_text()
        await pilot.press("N", "N")
        await pilot.pause()
        assert view.current_line() == 294  # wrapped around backwards
        assert "43/43 matches" in screen.status_text()
        await pilot.press("n")
        await pilot.pause()
        assert view.current_line() == 0


async def test_escape_closes_search_then_leaves() -> None:
    app = LogApp(_feed())
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _wait_loaded(pilot, app)
        await pilot.press("slash")
        await pilot.press("escape")
        await pilot.pause()
        assert not screen.query_one("#log-search").display
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, LogScreen)


async def test_follow_pauses_on_scroll_up_and_resumes_with_f() -> None:
    feed = _feed(live=True)
    app = LogApp(feed)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _wait_loaded(pilot, app)
        view = screen.view
        assert view.following and "FOLLOWING" in screen.status_text()
        assert view.current_line() == len(view.index) - 1
        feed.push(1, ["fresh line A", "fresh line B"])
        screen.poll_attempt()
        for _ in range(20):
            await pilot.pause()
        assert view.current_line() == len(view.index) - 1
        assert view.index.line(view.current_line()) == "fresh line B"
        assert "fresh line B" in _screen_text(app)

        await pilot.press("up")
        await pilot.pause()
        assert not view.following and "PAUSED (press f)" in screen.status_text()
        feed.push(1, ["while paused"])
        screen.poll_attempt()
        for _ in range(20):
            await pilot.pause()
        assert view.index.line(view.current_line()) != "while paused"

        await pilot.press("f")
        await pilot.pause()
        assert view.following and view.index.line(view.current_line()) == "while paused"
        await pilot.press("pageup")
        await pilot.pause()
        assert not view.following
        await pilot.press("end")
        await pilot.pause()
        assert view.following


async def test_mouse_wheel_up_pauses_follow() -> None:
    from textual import events

    app = LogApp(_feed(live=True))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _wait_loaded(pilot, app)
        view = screen.view
        assert view.following
        view.post_message(events.MouseScrollUp(view, 5, 5, 0, 0, 0, False, False, False, screen_x=5, screen_y=5))
        for _ in range(5):
            await pilot.pause()
        assert not view.following


async def test_wrap_and_timestamps_toggle() -> None:
    feed = _feed()
    long_line = "x" * 150 + " END"
    feed.attempts[1].index.append_lines([long_line], timestamp=TS, level=Level.INFO)
    app = LogApp(feed)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _wait_loaded(pilot, app)
        assert "2026-01-01 08:15:05" in _screen_text(app)
        await pilot.press("t")
        await pilot.pause()
        assert "2026-01-01 08:15:05" not in _screen_text(app)
        assert "no times" in screen.status_text()
        await pilot.press("t", "end")
        await pilot.pause()
        assert " END" not in _screen_text(app)  # cut at the right edge
        await pilot.press("w")
        await pilot.pause()
        assert screen.view.wrap and "wrap" in screen.status_text()
        assert " END" in _screen_text(app)


async def test_level_and_source_filters_and_next_error() -> None:
    app = LogApp(_feed())
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _wait_loaded(pilot, app)
        view = screen.view
        await pilot.press("e")
        await pilot.pause()
        assert view.current_line() == 49
        await pilot.press("e")
        await pilot.pause()
        assert view.current_line() == 99
        await pilot.press("v", "v")  # all -> info -> warn
        await pilot.pause()
        assert "level ≥ warn" in screen.status_text()
        assert all(view.index.level(view._line_of_row(r)) >= Level.WARN for r in range(view.row_count))  # noqa: SLF001
        assert view.row_count == 36  # 30 warn (i%10==5) + 6 error
        await pilot.press("u")  # source only
        await pilot.pause()
        assert "source: source" in screen.status_text()
        assert view.row_count == 12
        await pilot.press("v", "v", "u", "u", "u", "u")
        await pilot.pause()
        assert view.row_count == len(view.index)
        assert "all lines" in screen.status_text()


async def test_attempt_switching() -> None:
    feed = _feed()
    app = LogApp(feed)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _wait_loaded(pilot, app)
        await pilot.press("left_square_bracket")
        for _ in range(20):
            await pilot.pause()
        assert screen.attempt_number == 0 and len(screen.view.index) == 21
        assert "Attempt 1 of 2" in screen.status_text()
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert screen.attempt_number == 0
        await pilot.press("right_square_bracket")
        for _ in range(20):
            await pilot.pause()
        assert screen.attempt_number == 1 and feed.load_calls == [1, 0, 1]


async def test_load_error_is_shown_not_raised() -> None:
    feed = StaticLogFeed("Broken · job 1", {0: StaticAttempt(error=RuntimeError("HTTP 500 from server"))})
    app = LogApp(feed)
    async with app.run_test(size=(120, 30)) as pilot:
        for _ in range(20):
            await pilot.pause()
        assert "Could not load attempt 1: HTTP 500 from server" in _screen_text(app)


async def test_save_writes_expected_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_screen_module, "log_save_dir", lambda: tmp_path / "logs")
    app = LogApp(_feed())
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _wait_loaded(pilot, app)
        await pilot.press("ctrl+s")
        path = tmp_path / "logs" / "Postgres-Snowflake-job4812-attempt2.log"  # "Attempt 2 of 2" on screen
        for _ in range(50):
            await pilot.pause()
            if path.exists():
                break
        await screen.workers.wait_for_complete()
        lines = path.read_text().splitlines()
        assert len(lines) == 301
        assert lines[0] == "2026-01-01 08:15:05 INFO  source   line 0 stream users"
        assert "\x1b" not in path.read_text() and "[bold red]markup[/]" in lines[-1]
    assert log_file_name("a/b: c", 7, 2) == "a-b-c-job7-attempt3.log"  # index 2 = the third attempt, as on screen


async def test_markup_and_escapes_render_inert() -> None:
    app = LogApp(_feed(count=5))
    async with app.run_test(size=(120, 30)) as pilot:
        await _wait_loaded(pilot, app)
        text = _screen_text(app)
        assert "[bold red]markup[/]" in text and "inert" in text
        assert "\x1b" not in text and "52;c" not in text


async def test_copy_line_uses_clipboard() -> None:
    app = LogApp(_feed())
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=(120, 30)) as pilot:
        await _wait_loaded(pilot, app)
        await pilot.press("y")
        await pilot.pause()
        assert copied == ["2026-01-01 08:15:05 INFO  source   line 0 stream users"]


async def test_view_handles_a_large_index_quickly() -> None:
    index = LogIndex.from_lines((f"line {i}" for i in range(200_000)), level=Level.INFO)
    feed = StaticLogFeed("Big · job 9", [index])
    app = LogApp(feed)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _wait_loaded(pilot, app)
        await pilot.press("end")
        await pilot.pause()
        assert "line 199999" in _screen_text(app)
        assert isinstance(screen.view, LogView)


# -- progressive loading ----------------------------------------------------------


def _progressive_feed(structured: bool = True, count: int = 3_000) -> tuple[StaticLogFeed, asyncio.Event, LogIndex]:
    """A feed that shows a prefix and holds the full index until the event is set."""
    raw = synthetic_attempt_json(count, structured=structured)
    hold = asyncio.Event()
    feed = StaticLogFeed(
        "Events Firehose → S3 · job 7",
        {0: StaticAttempt(raw=raw, hold_full=hold)},
        min_progressive_bytes=0,
    )
    return feed, hold, parse_attempt_json(raw)


async def _wait_prefix(pilot, app: LogApp) -> LogScreen:  # noqa: ANN001
    for _ in range(200):
        await pilot.pause()
        screen = app.screen
        if isinstance(screen, LogScreen) and screen._prefix is not None and len(screen.view.index):  # noqa: SLF001
            return screen
    raise AssertionError("prefix never shown")


@pytest.mark.parametrize("structured", [True, False])
async def test_progressive_prefix_first_then_full_index(structured: bool) -> None:
    feed, hold, full = _progressive_feed(structured)
    app = LogApp(feed)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _wait_prefix(pilot, app)
        shown = len(screen.view.index)
        assert 0 < shown < len(full)
        assert f"indexing… {shown:,} lines" in screen.status_text()
        assert "Rate limited on stream users" in _screen_text(app)  # line 0 is on screen already
        # The user moves while indexing; the swap keeps the cursor line and top line.
        await pilot.press("down", "down", "down", "pagedown", "down")
        cursor_line = screen.view.current_line()
        top = int(screen.view.scroll_y)
        hold.set()
        screen = await _wait_loaded(pilot, app)
        assert len(screen.view.index) == len(full)
        assert screen.view.current_line() == cursor_line
        assert int(screen.view.scroll_y) == top
        assert "indexing" not in screen.status_text()
        assert f"/{len(full):,}" in screen.status_text()


async def test_search_during_indexing_is_rerun_on_the_full_log() -> None:
    feed, hold, full = _progressive_feed(count=12_000)
    expected = len(full.search("connection reset"))
    app = LogApp(feed)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _wait_prefix(pilot, app)
        screen.view.set_search("connection reset")
        assert screen.view.match_total < expected  # only what is indexed so far
        hold.set()
        screen = await _wait_loaded(pilot, app)
        assert screen.view.match_total == expected
        await pilot.press("slash")
        await pilot.press(*"stream users", "enter")
        for _ in range(50):
            await pilot.pause()
            if screen.view._search and screen.view._search[0] == "stream users":  # noqa: SLF001
                break
        assert screen.view.match_total == len(full.search("stream users"))
        assert f"/{screen.view.match_total:,} matches" in screen.status_text()


async def test_filters_set_while_indexing_apply_to_the_full_log() -> None:
    feed, hold, full = _progressive_feed(count=12_000)
    app = LogApp(feed)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _wait_prefix(pilot, app)
        for _ in range(3):  # all → info → warn → error
            await pilot.press("v")
        assert screen.view.min_level == Level.ERROR
        hold.set()
        screen = await _wait_loaded(pilot, app)
        assert screen.view.row_count == len(full.filter(min_level=Level.ERROR))


async def test_save_waits_for_indexing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_screen_module, "log_save_dir", lambda: tmp_path)
    feed, hold, _full = _progressive_feed()
    app = LogApp(feed)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _wait_prefix(pilot, app)
        screen.action_save_log()
        await pilot.pause()
        assert not list(tmp_path.iterdir())
        hold.set()
        await _wait_loaded(pilot, app)


async def test_full_parse_failure_after_prefix_keeps_the_prefix_and_says_so() -> None:
    raw = synthetic_attempt_json(3_000)[:-100]  # truncated download: the prefix parses, the whole does not
    feed = StaticLogFeed("t · job 1", {0: StaticAttempt(raw=raw)}, min_progressive_bytes=0)
    app = LogApp(feed)
    async with app.run_test(size=(120, 30)) as pilot:
        for _ in range(200):
            await pilot.pause()
            screen = app.screen
            if isinstance(screen, LogScreen) and screen._message_is_error:  # noqa: SLF001
                break
        assert isinstance(screen, LogScreen)
        shown = len(screen.view.index)
        assert shown > 0
        assert f"showing its first {shown:,} lines only" in screen._message  # noqa: SLF001
        assert "indexing" not in screen.status_text()


async def test_status_line_at_80_columns_and_after_a_filter_change() -> None:
    """At 80 columns "line 12/42" was cut off the end of the status line: it now tightens instead.
    After a filter change no match is selected: the status says "43 matches", not "0/43 matches"."""
    app = LogApp(_feed())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _wait_loaded(pilot, app)
        await pilot.press("slash", *"users", "enter")
        for _ in range(50):
            await pilot.pause()
            if screen.view.match_total:
                break
        status = screen.status_text()
        assert "1/43 matches" in status and status.rstrip().endswith("/301")
        assert len(status) <= 78 and "all lines" not in status
        await pilot.press("escape", "v")  # all -> info: every "users" line is info, all still match
        await pilot.pause()
        assert " │ 43 matches │ level ≥ info │ " in screen.status_text()
        await pilot.resize_terminal(160, 30)
        await pilot.pause()
        assert "  │  43 matches  │  level ≥ info  │  " in screen.status_text()  # room enough: the roomy form
