"""The two airsync themes (calm dark, readable light) and the status palettes.

Why custom themes: Textual's defaults are fine for chrome, but status colours
must keep their meaning on both backgrounds (a yellow "warning" that is
unreadable on white is worse than none). Each theme is paired with a concrete
`Palette` used for badges and bars, which are `Text` cells and cannot use
CSS variables.
"""

from __future__ import annotations

from textual.theme import Theme

from airsync_tui.ui.formatting import DARK, LIGHT, Palette

DARK_THEME = Theme(
    name="airsync-dark",
    primary="#5fa8ff",
    secondary="#7aa2c8",
    accent="#c792ea",
    foreground="#d8dee9",
    background="#14171c",
    surface="#1b1f26",
    panel="#232933",
    success="#4ec97a",
    warning="#ffb347",
    error="#ff6b6b",
    dark=True,
)

LIGHT_THEME = Theme(
    name="airsync-light",
    primary="#1f5fbf",
    secondary="#4a6a8a",
    accent="#7b1fa2",
    foreground="#1f2328",
    background="#f7f8fa",
    surface="#ffffff",
    panel="#e8ebf0",
    success="#17803d",
    warning="#b06000",
    error="#c62828",
    dark=False,
)

THEMES: tuple[Theme, ...] = (DARK_THEME, LIGHT_THEME)
DEFAULT_THEME = DARK_THEME.name


def palette_for(dark: bool) -> Palette:
    """Badge colours for a dark or light background."""
    return DARK if dark else LIGHT


def other_theme(name: str) -> str:
    """The theme the dark/light toggle switches to."""
    return LIGHT_THEME.name if name == DARK_THEME.name else DARK_THEME.name
