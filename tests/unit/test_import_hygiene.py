"""Nothing below the UI layer imports Textual (the CLI and library stay headless)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import airsync_tui

PACKAGE_ROOT = Path(airsync_tui.__file__).parent
HEADLESS = [
    "airsync_tui.models",
    "airsync_tui.errors",
    "airsync_tui.providers",
    "airsync_tui.providers.http",
    "airsync_tui.providers.base",
    "airsync_tui.providers.registry",
    "airsync_tui.service",
    "airsync_tui.service.watcher",
    "airsync_tui.service.sync_runner",
    "airsync_tui.service.session",
    "airsync_tui.cli.commands",
    "airsync_tui.cli.main",
]


def _headless_modules() -> list[str]:
    names = set(HEADLESS)
    for path in PACKAGE_ROOT.rglob("*.py"):
        rel = path.relative_to(PACKAGE_ROOT.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[1] in ("ui",) or parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.add(".".join(parts))
    names.discard("airsync_tui.cli.dashboard")  # opens the UI on purpose, lazily
    return sorted(names)


def test_no_textual_below_the_ui() -> None:
    modules = _headless_modules()
    code = (
        "import importlib, sys\n"
        f"mods = {modules!r}\n"
        "for m in mods:\n"
        "    importlib.import_module(m)\n"
        "leaked = sorted(k for k in sys.modules if k == 'textual' or k.startswith('textual.'))\n"
        "print('LEAK' if leaked else 'CLEAN', leaked[:5])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("CLEAN"), f"textual imported below the UI: {result.stdout}"


def test_source_has_no_textual_import_outside_ui() -> None:
    offenders = []
    for path in PACKAGE_ROOT.rglob("*.py"):
        rel = path.relative_to(PACKAGE_ROOT)
        if rel.parts[0] == "ui":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("import textual", "from textual")):  # textual_serve too: it lives in ui/web.py
                offenders.append(f"{rel}: {stripped}")
    assert offenders == []
