"""Command palette entries built from the binding registry (dolphie's pattern).

The palette lists exactly the actions `bindings.palette_entries(scope)`
declares for the current screen (plus the app-wide ones), with their key, so
keys, help and palette cannot drift apart. Running an entry runs the same
action the key runs, so read-only refusals and confirmations still apply.
"""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from airsync_tui.ui.bindings import KeySpec, display_key, palette_entries


def _scope_of(screen: object) -> str | None:
    return getattr(screen, "scope", None)


class AirsyncCommands(Provider):
    """Palette provider: one command per registry entry for this screen."""

    def _entries(self) -> list[KeySpec]:
        scope = _scope_of(self.screen)
        entries = palette_entries(scope)
        if scope is None:
            entries = [spec for spec in entries if spec.scope == "app"]
        return entries

    def _title(self, spec: KeySpec) -> str:
        return f"{spec.description}  [{display_key(spec.key)}]"

    async def _run(self, spec: KeySpec) -> None:
        target = self.app if spec.scope == "app" else self.screen
        await target.run_action(spec.action)

    async def discover(self) -> Hits:
        for spec in self._entries():
            yield DiscoveryHit(Text(self._title(spec)), partial(self._run, spec), help=spec.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for spec in self._entries():
            title = self._title(spec)
            score = max(matcher.match(title), matcher.match(spec.help) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, spec), help=spec.help)
