"""The screenshot command saves a file and says where, or says why it could not (issue 7).

Textual's own command wrote to ~/Downloads and, where that folder does not
exist, said only "Failed to save screenshot".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from airsync_tui.ui.screenshot_save import SCREENSHOT_DIR_ENV
from tests.ui.conftest import SIZE, make_app, notifications, wait_for


async def test_screenshot_is_saved_where_it_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "shots"
    monkeypatch.setenv(SCREENSHOT_DIR_ENV, str(target))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.action_screenshot()
        await wait_for(pilot, lambda: any(n.startswith("saved screenshot to ") for n in notifications(app)), what="the saved note")
        [saved] = list(target.glob("airsync-*.svg"))
        assert f"saved screenshot to {saved}" in notifications(app)
        assert saved.read_text(encoding="utf-8").startswith("<svg")


async def test_screenshot_that_cannot_be_saved_says_why_and_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the directory should be", encoding="utf-8")
    monkeypatch.setenv(SCREENSHOT_DIR_ENV, str(blocker / "shots"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.action_screenshot()
        await wait_for(pilot, lambda: any("could not save the screenshot" in n for n in notifications(app)), what="the reason")
        [note] = [n for n in notifications(app) if "could not save the screenshot" in n]
        assert str(blocker / "shots") in note and "Not a directory" in note and SCREENSHOT_DIR_ENV in note
        assert "\n" not in note


def test_without_a_setting_it_goes_to_downloads_if_there_else_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from airsync_tui.ui.screenshot_save import screenshot_directory

    monkeypatch.delenv(SCREENSHOT_DIR_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    downloads = tmp_path / "Downloads"
    assert screenshot_directory(downloads) == tmp_path  # no Downloads folder: the current directory
    downloads.mkdir()
    assert screenshot_directory(downloads) == downloads
