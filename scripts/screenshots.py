"""Render the dashboard's screens to `screenshots/*.svg`: the README's pictures are the snapshot tests' pictures.

Same code path as `tests/ui/test_svg_snapshots.py`: every scenario of `tests/ui/scenarios.py` (fake
providers with fixed data, frozen clock, the keys that reach the screen, then "wait until steady") is
rendered with Textual's `take_svg_screenshot`, the call pytest-textual-snapshot's `snap_compare` makes.
Each screen is written at 140x40 (`<name>.svg`) and at 80x24 (`<name>_80x24.svg`, what an operator
sees in a small terminal). Usage:

    python scripts/screenshots.py [--out screenshots] [--only connections,help]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual._doc import take_svg_screenshot  # noqa: E402 - the function snap_compare calls

from tests.ui.scenarios import SCENARIOS, SMALL, WIDE, Scenario, utc  # noqa: E402

#: (size, file-name suffix): the README shows the wide ones and links the small ones.
SIZES: tuple[tuple[tuple[int, int], str], ...] = ((WIDE, ""), (SMALL, "_80x24"))


def shoot(scenario: Scenario, size: tuple[int, int], out: Path) -> str:
    """One scenario at one size, rendered in a scratch directory (its warehouse and state file)."""
    with tempfile.TemporaryDirectory(prefix="airsync-shots-") as scratch:
        os.environ["AIRSYNC_STATE"] = str(Path(scratch) / "state.sqlite3")  # never the operator's own
        return take_svg_screenshot(app=scenario.build(Path(scratch)), terminal_size=size, run_before=scenario.run_before())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--only", default="", help="comma-separated scenario names (default: all)")
    args = parser.parse_args()
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    known = {s.name for s in SCENARIOS}
    if wanted - known:
        print(
            f"screenshots: error: unknown scenario(s) {', '.join(sorted(wanted - known))}; known: {', '.join(sorted(known))}",
            file=sys.stderr,
        )
        raise SystemExit(2)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        with utc():
            for scenario in SCENARIOS:
                if wanted and scenario.name not in wanted:
                    continue
                for size, suffix in SIZES:
                    path = args.out / f"{scenario.name}{suffix}.svg"
                    path.write_text(shoot(scenario, size, args.out), encoding="utf-8")
                    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    except KeyboardInterrupt:
        print("screenshots: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except OSError as exc:  # unwritable --out, no space, ...: say which file and why
        print(f"screenshots: error: cannot write {exc.filename or args.out}: {exc.strerror or exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        print(f"screenshots: error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
