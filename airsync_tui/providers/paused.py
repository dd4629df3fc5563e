"""The one wording for "this connection is paused, so it cannot run" (every provider).

Airbyte answers a sync of an inactive connection with a generic 409 ("Could not
fulfill request") and Hightouch with a 422 validation error; both providers turn
that into this error after one look at the connection, so the CLI and the
dashboard say the same thing and how to resume.
"""

from __future__ import annotations

from airsync_tui.errors import ApiError, ConflictError
from airsync_tui.models.domain import Connection


def paused_error(connection: Connection, error: ApiError) -> ConflictError:
    """The one wording for "this connection is paused" (both providers)."""
    return ConflictError(
        f"{connection.name} is paused ({connection.status}), so it cannot run",
        hint=f"resume it first: `airsync resume {connection.provider}:{connection.id}` or `p` on it in the dashboard",
        status_code=error.status_code,
    )
