"""Checks on the config file and its values that keep an operator safe.

Why a module of its own: `config.py` is shared by many hands; these rules
(a timeout must be a positive finite number, a file holding secrets must not
be readable by others) are small and easy to test alone.
"""

from __future__ import annotations

import math
import stat
import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator

#: Keys whose presence makes a config file sensitive.
SECRET_KEYS = frozenset({"client_secret", "bearer_token", "password", "api_key"})

_warned: set[Path] = set()


def _positive_finite(value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {value!r}")
    return value


#: A per-request timeout: 0, negative, nan and inf are refused (each would
#: either fail every request at once or wait forever).
PositiveTimeout = Annotated[float, AfterValidator(_positive_finite)]


def holds_secrets(data: Any) -> bool:
    """True if any table of the parsed TOML sets a secret key."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in SECRET_KEYS and value not in (None, ""):
                return True
            if holds_secrets(value):
                return True
    return False


def loose_permissions(path: Path) -> bool:
    """True if group or others may read or write the file (POSIX only)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRWXG | stat.S_IRWXO))


def warn_if_loose(path: Path, data: Any) -> None:
    """One stderr line (once per file and process) if a secret-holding file is readable by others."""
    if sys.platform == "win32" or path in _warned:
        return
    if holds_secrets(data) and loose_permissions(path):
        _warned.add(path)
        sys.stderr.write(f"airsync: warning: {path} holds secrets but other users can read it — run: chmod 600 {path}\n")


__all__ = [
    "SECRET_KEYS",
    "PositiveTimeout",
    "holds_secrets",
    "loose_permissions",
    "warn_if_loose",
]
