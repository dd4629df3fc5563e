"""The connection filter language, shared by the dashboard's `/` box and `airsync … --where`.

One module so a bulk CLI action and the dashboard select exactly the same
connections for the same text. The language is deliberately small:

* ``TEXT`` — keep connections whose name, source, destination, provider
  (display name) or id contains TEXT, case-insensitively.
* ``!TEXT`` — keep the connections that do NOT contain TEXT.
* an empty filter keeps everything.

Server text is sanitised (control and escape sequences removed) before it is
searched, exactly as it is before it is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from airsync_tui.logs.sanitize import sanitize_text
from airsync_tui.models.domain import Connection


def parse_filter(text: str) -> tuple[str, bool]:
    """``"!term"`` → ``("term", True)``; ``"Term"`` → ``("term", False)``."""
    text = text.strip()
    if text.startswith("!"):
        return text[1:].strip().lower(), True
    return text.lower(), False


def _clean(value: object) -> str:
    text = sanitize_text("" if value is None else str(value))
    return " ".join(text.split())


def connection_haystack(connection: Connection, provider_display_name: str) -> str:
    """The lower-case text a filter term is searched in (build once per connection-list change).

    A state other than "active" ("paused", "deprecated"…) is searchable too: the list shows it
    (State column, or before the name when that column does not fit), so `/paused` finds them.
    """
    state = connection.state_label
    parts = (
        connection.name,
        connection.source,
        connection.destination,
        provider_display_name,
        connection.id,
        state if state != "active" else None,
    )
    return " ".join(_clean(part).lower() for part in parts if part)


def matches(haystack: str, term: str, inverted: bool) -> bool:
    """Does a connection with this haystack pass the parsed filter?"""
    if not term:
        return True
    return (term in haystack) != inverted


def filter_connections(connections: Iterable[Connection], text: str, display_names: Mapping[str, str]) -> list[Connection]:
    """The connections `text` keeps, in the given order (`display_names`: provider name → display name)."""
    term, inverted = parse_filter(text)
    return [
        c
        for c in connections
        if matches(
            connection_haystack(c, display_names.get(c.provider, c.provider)),
            term,
            inverted,
        )
    ]
