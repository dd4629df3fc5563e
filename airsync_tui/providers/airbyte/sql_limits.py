"""Row limits of the read-only SQL access (`airsync query`, the data view).

Kept apart from `sql_access` so the CLI parser can show them in `--help`
without importing the SQL readers: building `airsync`'s parser is on the
path of every command, including `airsync --demo`'s first screen.
"""

from __future__ import annotations

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
