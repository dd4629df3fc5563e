"""Render the dashboard's screens to `screenshots/*.svg` from the real app on demo data.

Runs the same path as `airsync --demo`: the embedded emulator (fixed seed)
plus the real providers and watcher, headless at 140x40 and again at 80x24
(files named `*_80x24.svg`: what an operator sees in a small terminal). Usage:

    python scripts/screenshots.py [--out screenshots] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from airsync_tui.cli.demo import start_demo  # noqa: E402
from airsync_tui.service.session import build_watcher  # noqa: E402
from airsync_tui.service.watcher import WatcherConfig  # noqa: E402
from airsync_tui.ui.app import AirsyncApp, SessionInfo  # noqa: E402
from airsync_tui.ui.screens.connections import ConnectionsScreen  # noqa: E402
from airsync_tui.ui.screens.job import JobScreen  # noqa: E402
from airsync_tui.ui.screens.log_screen import LogScreen  # noqa: E402

SIZE = (140, 40)
#: Every screen is also shot at the smallest size the product supports.
SIZES: tuple[tuple[tuple[int, int], str], ...] = ((SIZE, ""), ((80, 24), "_80x24"))
CONFIG = WatcherConfig(active_interval=0.5, idle_interval=1.0, progress_interval=0.5, detail_interval=0.5)


async def _until(pilot, predicate: Callable[[], bool], timeout: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if predicate():
            return True
        await pilot.pause(0.1)
    return predicate()


def _pick(app: AirsyncApp, provider: str, want: Callable[[object], bool]) -> str | None:
    screen = app.screen
    assert isinstance(screen, ConnectionsScreen)
    for key in screen.table.row_keys():
        job = app.watcher.latest_job.get(key)
        if key.startswith(provider + ":") and job is not None and want(job):
            return key
    return None


async def shoot(out: Path, seed: int, size: tuple[int, int] = SIZE, suffix: str = "") -> list[Path]:
    demo = start_demo(seed=seed)
    written: list[Path] = []
    try:
        watcher = build_watcher(demo.profile, config=CONFIG)
        app = AirsyncApp(watcher, SessionInfo(profile_name="demo", demo=True, workspace_label="Demo workspace"))
        async with app.run_test(size=size) as pilot:

            def save(name: str) -> None:
                path = out / f"{name}{suffix}.svg"
                app.save_screenshot(filename=path.name, path=str(out))
                written.append(path)

            await _until(
                pilot,
                lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0 and all(app.watcher.loaded.values()),
            )
            await pilot.pause(1.5)
            save("connections")

            running = _pick(app, "airbyte", lambda job: job.status.raw == "running")  # type: ignore[attr-defined]
            if running:
                app.screen.table.move_to_key(running)  # type: ignore[attr-defined]
                await pilot.pause()
                await pilot.press("c")
                await pilot.pause(0.5)
                save("confirm_cancel")
                await pilot.press("n")
                await pilot.pause(0.2)
                await pilot.press("enter")
                await _until(pilot, lambda: isinstance(app.screen, JobScreen) and app.screen.query_one("#streams").row_count > 0)
                await pilot.pause(1.0)
                save("job_panel_running")
                await pilot.press("l")
                await pilot.pause(2.0)
                await _until(pilot, lambda: isinstance(app.screen, LogScreen))
                if isinstance(app.screen, LogScreen):
                    save("log_viewer")
                    await pilot.press("escape")
                else:
                    print("log viewer not available: skipped log_viewer.svg", file=sys.stderr)
                await pilot.pause(0.3)
                if isinstance(app.screen, JobScreen):
                    await pilot.press("escape")
                await pilot.pause(0.3)

            await pilot.press("question_mark")
            await pilot.pause(0.5)
            save("help")
            await pilot.press("escape")
            await pilot.pause(0.3)

            hightouch = _pick(app, "hightouch", lambda job: bool(getattr(job, "row_breakdown", ()))) or _pick(
                app, "hightouch", lambda job: True
            )
            if hightouch:
                app.screen.table.move_to_key(hightouch)  # type: ignore[attr-defined]
                await pilot.pause()
                await pilot.press("enter")
                await _until(pilot, lambda: isinstance(app.screen, JobScreen))
                await pilot.pause(1.5)
                save("hightouch_run")
                await pilot.press("escape")
                await _until(pilot, lambda: isinstance(app.screen, ConnectionsScreen))
            else:
                print("no Hightouch sync in the demo: skipped hightouch_run.svg", file=sys.stderr)

            for key, name in (("b", "triage"), ("A", "alerts")):  # fleet views: problems by cause, open alerts
                await pilot.press(key)
                await _until(pilot, lambda: not isinstance(app.screen, ConnectionsScreen))
                await pilot.pause(2.0)
                save(name)
                await pilot.press("escape")
                await _until(pilot, lambda: isinstance(app.screen, ConnectionsScreen))
        await watcher.aclose()
    finally:
        demo.stop()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for size, suffix in SIZES:
            for path in asyncio.run(shoot(args.out, args.seed, size, suffix)):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    except KeyboardInterrupt:
        print("screenshots: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except OSError as exc:  # unwritable --out, no space, ...: say which file and why
        print(f"screenshots: error: cannot write {exc.filename or args.out}: {exc.strerror or exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        print(f"screenshots: error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
