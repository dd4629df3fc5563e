"""Files we write for the operator (saved logs, exports) are private: mode 0600.

Why one helper: logs and exports can hold customer data and echoed
credentials; a default umask (0644) would let every local user read them.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_private_text(path: Path, text: str) -> None:
    """Write `text` as UTF-8 to `path`, readable and writable by the owner only (also when it existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            fd = -1
            handle.write(text)
    finally:
        if fd >= 0:
            os.close(fd)


__all__ = ["write_private_text"]
