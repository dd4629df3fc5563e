"""`--demo` runs its emulator in a child process; the service never imports the emulator.

Before: `service/session.py` imported the emulator (so the service layer
depended on Starlette and uvicorn) and the demo served from a thread inside
the dashboard's own process, sharing its CPU, GIL and memory.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import airsync_tui

PACKAGE_ROOT = Path(airsync_tui.__file__).parent


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_service_layer_does_not_import_the_emulator() -> None:
    modules = sorted(
        ".".join(p.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts).removesuffix(".__init__")
        for p in (PACKAGE_ROOT / "service").rglob("*.py")
    )
    code = (
        "import importlib, sys, json\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(k for k in sys.modules if k.startswith(('airsync_tui.emulator', 'starlette', 'uvicorn')))))\n"
    )
    assert json.loads(_run(code)) == []
    offenders = [
        str(p.relative_to(PACKAGE_ROOT))
        for p in (PACKAGE_ROOT / "service").rglob("*.py")
        if "airsync_tui.emulator" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_demo_serves_from_a_child_process_and_the_parent_stays_clean() -> None:
    code = (
        "import asyncio, json, os, sys\n"
        "from airsync_tui.cli.demo import start_demo\n"
        "from airsync_tui.service.session import providers_for\n"
        "demo = start_demo(big_log_lines=0)\n"
        "async def main():\n"
        "    providers = providers_for(demo.profile)\n"
        "    try:\n"
        "        counts = {p.name: len(await p.list_connections()) for p in providers}\n"
        "    finally:\n"
        "        for p in providers: await p.aclose()\n"
        "    return counts\n"
        "counts = asyncio.run(main())\n"
        "loaded = sorted(k for k in sys.modules if k.startswith(('airsync_tui.emulator', 'starlette', 'uvicorn')))\n"
        "child = demo.pid\n"
        "demo.stop()\n"
        "print(json.dumps({'counts': counts, 'loaded': loaded, 'child': child, 'me': os.getpid(),\n"
        "                  'exit': demo.process.returncode}))\n"
    )
    out = json.loads(_run(code))
    assert out["child"] != out["me"]
    assert out["counts"]["airbyte"] > 10 and out["counts"]["hightouch"] > 3
    assert out["loaded"] == []  # the dashboard's process never loads the emulator
    assert out["exit"] is not None  # stop() ended the child


def test_child_exits_when_the_dashboard_dies() -> None:
    code = (
        "import os, time\n"
        "from airsync_tui.cli.demo import start_demo\n"
        "demo = start_demo(big_log_lines=0)\n"
        "demo.wait_ready()\n"
        "print(demo.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        os.kill(child, 0)  # alive while the parent is
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                break
            else:  # a zombie of the dead parent is reaped by init; poll its state
                state = Path(f"/proc/{child}/stat").read_text().split()[2] if Path(f"/proc/{child}").exists() else "X"
                if state in ("Z", "X"):
                    break
            time.sleep(0.1)
        else:
            os.kill(child, signal.SIGKILL)
            raise AssertionError("the demo emulator outlived the dashboard")
    finally:
        if parent.poll() is None:
            parent.kill()
