"""`logs --follow --trail`: the product keeps 5 s of late lines by default; tests pass a shorter trail."""

from __future__ import annotations

from airsync_tui.cli.main import build_parser


def test_trail_defaults_to_five_seconds() -> None:
    args = build_parser().parse_args(["logs", "42", "--follow"])
    assert args.trail == 5.0


def test_trail_takes_seconds() -> None:
    args = build_parser().parse_args(["logs", "42", "--follow", "--trail", "0.5"])
    assert args.trail == 0.5
