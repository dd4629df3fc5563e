"""The demo emulator child serves without importing the providers (startup speed, issue 7).

`airsync --demo` starts the emulator in a child process that competes with the
dashboard for the same cores during the first second. It used to import every
provider's spec (pydantic, httpx, the wire models) only to read which apps to
mount. The mounts are now listed stdlib-only (`providers/builtin.py`) and the
specs read the same entries: both halves are checked here, by what is
imported, never by how long anything took.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from airsync_tui.providers.demo_mounts import demo_mounts
from airsync_tui.providers.registry import specs

REPO = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, sys
from airsync_tui.emulator.server import EmulatorOptions, build_app
app = build_app(EmulatorOptions(seed=7, speed=10.0))
mounted = sorted(getattr(route, "path", "") for route in app.routes)
print(json.dumps({"modules": sorted(sys.modules), "mounted": mounted}))
"""

#: What the child never needs to serve.
NOT_IN_CHILD = ("pydantic", "pydantic_core", "httpx", "airsync_tui.providers.base", "airsync_tui.providers.registry", "airsync_tui.models")


def test_emulator_app_builds_without_importing_providers_or_pydantic() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, cwd=REPO, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    modules = set(report["modules"])
    early = sorted(name for name in modules if any(name == n or name.startswith(n + ".") for n in NOT_IN_CHILD))
    assert early == [], f"imported by the emulator child: {early}"
    assert "/hightouch" in report["mounted"]  # the lookup still found Hightouch's mount


def test_demo_mounts_agree_with_the_registered_specs() -> None:
    from_specs = [
        (spec.name, spec.demo.mount_path, spec.demo.app_factory)
        for spec in specs()
        if spec.demo is not None and spec.demo.app_factory is not None
    ]
    assert [(m.provider, m.mount_path, m.app_factory) for m in demo_mounts()] == from_specs
    assert ("hightouch", "/hightouch") in [(m.provider, m.mount_path) for m in demo_mounts()]
