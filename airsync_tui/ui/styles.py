"""Where the ``.tcss`` stylesheets live, installed or in a checkout.

A wheel ships the top-level ``styles/`` folder inside the package
(``airsync_tui/styles``, see ``pyproject.toml`` force-include); a source
checkout / editable install has it at the repository root. Screens and the
app resolve paths through here so both layouts work.
"""

from __future__ import annotations

from pathlib import Path

import airsync_tui

__all__ = ["stylesheet_path", "styles_dir"]


def styles_dir() -> Path:
    packaged = Path(airsync_tui.__file__).resolve().parent / "styles"
    if packaged.is_dir():
        return packaged
    return Path(airsync_tui.__file__).resolve().parent.parent / "styles"


def stylesheet_path(name: str) -> Path:
    """Absolute path of ``styles/<name>`` (``.tcss`` is added if missing)."""
    if not name.endswith(".tcss"):
        name += ".tcss"
    return styles_dir() / name
