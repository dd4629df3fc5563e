"""The built-in providers, listed without importing any of them.

`registry` loads each provider's `spec` module from this list. The `--demo`
emulator child reads the demo mounts from here (see `demo_mounts.py`), so it
serves without importing the providers' clients, models and pydantic; each
spec's `DemoHook` takes its mount from here too, so the two cannot disagree.
Stdlib only: the packages' `__init__` modules import their clients.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuiltinProvider:
    """A provider shipped in this repository.

    `demo_app_factory` is the `module:function` that builds its emulator app from
    `(clock, options)`, mounted at `demo_mount_path`; None means the emulator's
    base app serves the provider itself.
    """

    name: str
    spec_module: str
    demo_mount_path: str
    demo_app_factory: str | None


#: In the order providers are listed.
BUILTIN: tuple[BuiltinProvider, ...] = (
    BuiltinProvider("airbyte", "airsync_tui.providers.airbyte.spec", "", None),
    BuiltinProvider(
        "hightouch",
        "airsync_tui.providers.hightouch.spec",
        "/hightouch",
        "airsync_tui.emulator.server:build_hightouch_mount",
    ),
)


def builtin(name: str) -> BuiltinProvider:
    """The built-in provider called `name` (a spec module reads its own entry)."""
    return next(provider for provider in BUILTIN if provider.name == name)


__all__ = ["BUILTIN", "BuiltinProvider", "builtin"]
