"""SVG snapshots of every screen (pytest-textual-snapshot), at 80x24 and at 140x40.

Each scenario (app factory + keys + settle) lives in `tests/ui/scenarios.py`, which
`scripts/screenshots.py` also renders for the README, so the pictures there are these.
Snapshots are `tests/ui/__snapshots__/test_svg_snapshots/*.svg`. After an intended change:
`python -m pytest tests/ui/test_svg_snapshots.py --snapshot-update`, then look at the diff
(`snapshot_report.html` is written when a snapshot does not match).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.scenarios import SCENARIOS, SIZES, Scenario, utc


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with utc():
        yield


@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_screen(scenario: Scenario, size: str, snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app: Any = scenario.build(tmp_path)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=scenario.run_before())
