"""Which apps the demo emulator mounts, found without importing the providers.

The `--demo` child process only serves HTTP; importing every provider's spec
to read its `DemoHook` cost it ~0.2 s of CPU (pydantic, httpx, the wire
models) on a machine where the dashboard competes for the same cores. Each
built-in provider's mount is listed in the stdlib-only `builtin` module, which
its `spec.py` also reads, so the two cannot disagree. A provider installed
through the entry point group still has its spec loaded (that is the only
place it says what it mounts).
"""

from __future__ import annotations

from dataclasses import dataclass

from airsync_tui.providers.builtin import BUILTIN

#: The entry point group of providers shipped outside this repository (as `registry.ENTRY_POINT_GROUP`).
ENTRY_POINT_GROUP = "airsync_tui.providers"


@dataclass(frozen=True)
class DemoMount:
    """One provider's emulator app: mounted at `mount_path`, built by `app_factory` (`module:function`)."""

    provider: str
    mount_path: str
    app_factory: str


def demo_mounts() -> tuple[DemoMount, ...]:
    """Every provider whose demo hook mounts its own emulator app, built-ins first."""
    mounts: list[DemoMount] = []
    names: set[str] = set()
    for provider in BUILTIN:
        names.add(provider.name)
        if provider.demo_app_factory is not None:
            mounts.append(DemoMount(provider.name, provider.demo_mount_path, provider.demo_app_factory))
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name in names:
            continue
        spec = entry.load()  # a third-party provider: its spec is where it says what it mounts
        demo = getattr(spec, "demo", None)
        name = getattr(spec, "name", entry.name)
        if name in names or demo is None or demo.app_factory is None:
            continue
        names.add(name)
        mounts.append(DemoMount(name, demo.mount_path, demo.app_factory))
    return tuple(mounts)


__all__ = ["ENTRY_POINT_GROUP", "DemoMount", "demo_mounts"]
