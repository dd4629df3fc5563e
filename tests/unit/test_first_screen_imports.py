"""The first screen imports only what it shows (startup speed, issue 7).

`airsync --demo` is measured from process start to the first populated
connection list (bench/bench_ui.py); every module imported before that paint
costs start-up time. This test builds the first screen the way the console
script does (the CLI parser, the real providers' clients for the demo's
plain-HTTP URLs, the app with a populated connection list) in a fresh
interpreter, then checks `sys.modules`: the log engine, the job/log/data
screens, the fleet dialogs and journal, the SQL readers, the emulator and the
CLI's command handlers must still be absent. It asserts what is imported,
never how long anything took.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: Loaded only when the screen or command that needs them opens.
DEFERRED = (
    "airsync_tui.emulator",  # never in the dashboard's process: the demo serves from a child
    "airsync_tui.cli.commands",
    "airsync_tui.logs.index",
    "airsync_tui.logs.parse",
    "airsync_tui.logs.feed",
    "airsync_tui.logs.progressive",
    "airsync_tui.service.log_feed",
    "airsync_tui.service.data_access",
    "airsync_tui.service.journal",
    "airsync_tui.service.actions",
    "pydantic_settings",  # config layering: `--demo` builds its profile from the demo hooks
    "dotenv",
    "airsync_tui.providers.settings_layers",
    "airsync_tui.providers.airbyte.sql_access",
    "airsync_tui.providers.airbyte.destination_sql",
    "airsync_tui.ui.screens.job",
    "airsync_tui.ui.screens.log_screen",
    "airsync_tui.ui.screens.data_view",
    "airsync_tui.ui.screens.fleet_dialogs",
    "airsync_tui.ui.widgets.log_view",
    "sqlite3",
    "sqlglot",
    "duckdb",
    "sqlalchemy",
    "httpx._main",
    "click",
    "pygments",
    "rich.syntax",
    "rich.markdown",
    "markdown_it",
    "webbrowser",  # only when a link is opened (ui/app.py _open_in_browser)
)

SCRIPT = r"""
import asyncio, json, sys
sys.modules.setdefault("httpx._main", None)  # as the console script does (cli/entry.py)
from airsync_tui.cli.main import build_parser
args = build_parser().parse_args(["--demo"])
assert args.demo and args.command is None

from pydantic import SecretStr
from airsync_tui.config import AirbyteSettings, HightouchSettings, Profile
from airsync_tui.providers.registry import build_providers

profile = Profile(
    name="demo",
    airbyte=AirbyteSettings(api_url="http://127.0.0.1:9/api/public/v1", client_id="id", client_secret=SecretStr("s")),
    hightouch=HightouchSettings(api_url="http://127.0.0.1:9/hightouch/api/v1", api_key=SecretStr("k")),
)
real = build_providers(profile)  # the demo's clients, built as the dashboard builds them

from airsync_tui.service.watcher import Watcher
from airsync_tui.ui.app import AirsyncApp, SessionInfo
from airsync_tui.ui.screens.connections import ConnectionsScreen
from tests.ui.fakes import FAST_CONFIG, FakeProvider, demo_world

connections, jobs = demo_world()
watcher = Watcher([FakeProvider(connections=connections, jobs=jobs, auto_advance=False)], FAST_CONFIG)
app = AirsyncApp(watcher, SessionInfo(profile_name="demo", demo=True), live_clock=False)

async def main():
    async with app.run_test(size=(200, 50)) as pilot:
        for _ in range(2000):
            screen = app.screen
            if isinstance(screen, ConnectionsScreen) and screen.table.row_count == len(connections):
                break
            await pilot.pause(0.01)
        else:
            raise SystemExit("the connection list never filled")
        await pilot.pause()
        rows = app.screen.table.row_count
        loaded = sorted(name for name, module in sys.modules.items() if module is not None)
        from pydantic import BaseModel
        built = sorted(
            f"{name}.{attr}"
            for name, module in list(sys.modules.items())
            if name.startswith("airsync_tui.models.") and module is not None
            for attr, value in vars(module).items()
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == name
            and value.__pydantic_complete__
        )
    await watcher.aclose()
    for provider in real:
        await provider.aclose()
    print(json.dumps({"rows": rows, "modules": loaded, "built": built}))

asyncio.run(main())
"""


#: Pydantic models only later screens validate: their schemas are built on first use
#: (`defer_build=True`), not at import, so the first screen does not pay for them.
DEFERRED_SCHEMAS = (
    "airsync_tui.models.domain.JobDetail",
    "airsync_tui.models.domain.LogEvent",
    "airsync_tui.models.timeline.Timeline",
    "airsync_tui.models.timeline.TimelineEvent",
    "airsync_tui.models.stream_state.StreamState",
)


def _first_screen_report() -> dict[str, list[str] | int]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, cwd=REPO, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    report: dict[str, list[str] | int] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def test_first_screen_leaves_later_screens_and_engines_unimported() -> None:
    report = _first_screen_report()
    rows, modules, built = report["rows"], set(report["modules"]), set(report["built"])  # type: ignore[arg-type]
    assert isinstance(rows, int)
    # The list's own models were built (validated) for it; the later screens' were not.
    assert {"airsync_tui.models.domain.Connection", "airsync_tui.models.domain.Job"} <= built
    assert sorted(built & set(DEFERRED_SCHEMAS)) == [], "schemas built before the first screen"
    assert rows > 0
    # The first screen is really there: the app, its list and the real providers.
    assert {
        "airsync_tui.ui.screens.connections",
        "airsync_tui.providers.airbyte.provider",
        "airsync_tui.providers.hightouch.provider",
    } <= modules
    early = sorted(name for name in modules if any(name == d or name.startswith(d + ".") for d in DEFERRED))
    assert early == [], f"imported before the first screen: {early}"
