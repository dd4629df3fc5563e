"""The one list of providers, and how a profile turns into provider clients.

Adding a provider: a package `providers/<name>/` whose `spec.py` exports a
`ProviderSpec` named `SPEC`, plus one entry in `builtin.BUILTIN`. A provider
shipped outside this repository registers through the entry point group
`airsync_tui.providers` instead (`<name> = "package.module:SPEC"` in its
`pyproject.toml`); `register()` does the same at run time (tests).
Config, the CLI's flags, the dashboard and the demo all loop over `specs()`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from airsync_tui.providers.base import SyncProvider
from airsync_tui.providers.builtin import BUILTIN
from airsync_tui.providers.spec import ProviderSpec

if TYPE_CHECKING:
    from airsync_tui.config import Profile

ENTRY_POINT_GROUP = "airsync_tui.providers"

#: module paths of the built-in specs, in the order providers are listed (`builtin.py`)
_BUILTIN: tuple[str, ...] = tuple(provider.spec_module for provider in BUILTIN)

_specs: dict[str, ProviderSpec] | None = None


def _load() -> dict[str, ProviderSpec]:
    global _specs
    if _specs is None:
        loaded: dict[str, ProviderSpec] = {}
        for module in _BUILTIN:
            spec = importlib.import_module(module).SPEC
            loaded[spec.name] = spec
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            spec = entry.load()
            if isinstance(spec, ProviderSpec) and spec.name not in loaded:
                loaded[spec.name] = spec
        _specs = loaded
    return _specs


def specs() -> tuple[ProviderSpec, ...]:
    """Every registered provider, built-ins first."""
    return tuple(_load().values())


def spec(name: str) -> ProviderSpec | None:
    return _load().get(name)


def names() -> tuple[str, ...]:
    return tuple(_load())


def register(provider_spec: ProviderSpec) -> Callable[[], None]:
    """Add a provider at run time (what an entry point does at start); returns the undo."""
    loaded = _load()
    if provider_spec.name in loaded:
        raise ValueError(f"provider {provider_spec.name!r} is already registered")
    loaded[provider_spec.name] = provider_spec

    def unregister() -> None:
        loaded.pop(provider_spec.name, None)

    return unregister


def build_providers(profile: Profile, *, read_only: bool | None = None, only: str | None = None) -> list[SyncProvider]:
    """Every provider the profile configures (or just `only`)."""
    ro = profile.read_only if read_only is None else read_only
    providers: list[SyncProvider] = []
    for provider_spec in specs():
        if only is not None and provider_spec.name != only:
            continue
        settings = profile.settings_for(provider_spec.name)
        if settings is not None:
            providers.append(provider_spec.build(settings, read_only=ro))
    return providers


__all__ = ["ENTRY_POINT_GROUP", "build_providers", "names", "register", "spec", "specs"]
