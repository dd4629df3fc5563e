"""Desktop notifications for the dashboard, through Apprise's desktop notifiers.

Why Apprise: it already carries every route of `airsync watch`, and its
desktop plug-ins (macOS, Windows, D-Bus/GLib/KDE/GNOME on Linux) each say
whether their platform library is present, so no hand-written OS probing.
When none is usable (a server, SSH, a container) the dashboard says so and
points at routes instead of failing quietly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

#: Tried in order; the first one Apprise can instantiate here is used.
DESKTOP_URLS: tuple[str, ...] = (
    "macosx://",
    "windows://",
    "dbus://",
    "glib://",
    "kde://",
    "gnome://",
)

NO_DESKTOP = (
    "no desktop notifier here (Apprise found no macOS, Windows or D-Bus backend); "
    "route alerts with `airsync watch --notify URL` or [watch] routes instead"
)


@dataclass(frozen=True)
class DesktopNotifier:
    """The Apprise URL of a desktop notifier that is usable on this machine."""

    url: str

    @property
    def label(self) -> str:
        return self.url.removesuffix("://")


def find_desktop_notifier(urls: tuple[str, ...] = DESKTOP_URLS) -> DesktopNotifier | None:
    """The first desktop notifier Apprise can build here, or None (blocking: call from a thread)."""
    try:
        import apprise
    except ImportError:
        return None
    for url in urls:
        with apprise.LogCapture(level=logging.ERROR):  # type: ignore[no-untyped-call]  # apprise is untyped
            plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
        if plugin:
            return DesktopNotifier(url)
    return None
