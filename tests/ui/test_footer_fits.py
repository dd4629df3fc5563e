"""The key footer shows whole keys only, and "? Help" always, at 80 columns as at 200.

Before: keys were laid out past the terminal's edge, so at 80 columns the connection list's
footer ended at "o Browser" (no "? Help") and the Data view's read "esc Ba".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from airsync_tui.ui.widgets.footer import SteadyFooter
from tests.ui.conftest import screen_text, wait_for
from tests.ui.scenarios import scenario, utc


def _footer_state(app: object) -> tuple[int, list[str], int]:
    """(footer width, descriptions of the keys shown in order, columns those keys use)."""
    footer = app.screen.query_one(SteadyFooter)  # type: ignore[attr-defined]
    keys = [key for key in footer.query_children(FooterKey) if key.display]
    used = sum(key.outer_size.width + key.styles.margin.width for key in keys)
    return footer.size.width, [key.description for key in keys], used


def _fits(app: object) -> bool:
    width, _shown, used = _footer_state(app)
    return used <= width


@pytest.mark.parametrize("name", ["connections", "log_viewer"])  # the Data view's is in its 80x24 SVG snapshot
async def test_footer_keys_fit_80_columns_and_help_stays(name: str, tmp_path: Path) -> None:
    with utc():
        case = scenario(name)
        app = case.build(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await case.run_before()(pilot)
            await wait_for(pilot, lambda: _fits(app), what="the footer fitted to 80 columns")
            width, shown, used = _footer_state(app)
            assert used <= width, f"{name}: footer keys need {used} columns of {width}: {shown}"
            assert "Help" in shown
            last_line = screen_text(app).rstrip("\n").splitlines()[-1]
            assert "? Help" in last_line
            for description in shown:
                assert description in last_line  # every key shown is whole, none cut at the edge

            await pilot.resize_terminal(200, 50)
            await wait_for(pilot, lambda: len(_footer_state(app)[1]) > len(shown), what="the keys left out at 80 columns")
            assert _fits(app)
