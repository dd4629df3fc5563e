"""`airsync` with flags only (the dashboard) parses with the top level alone, exactly as the full parser does.

Why it exists: building every subcommand's parser was the largest CPU cost
before the dashboard's first screen (startup, issue 7). The shortcut must not
change what any command line means or how a bad one is reported.
"""

from __future__ import annotations

import argparse

import pytest

from airsync_tui.cli.main import build_parser, parser_for

FLAG_LINES = [
    [],
    ["--demo"],
    ["--demo", "--read-only"],
    ["--demo", "--provider=hightouch"],
    ["--profile=prod", "--read-only"],
    ["--api-url=http://127.0.0.1:8000/api/public/v1", "--demo"],
]


def _has_subcommands(parser: argparse.ArgumentParser) -> bool:
    return any(isinstance(action, argparse._SubParsersAction) for action in parser._actions)


@pytest.mark.parametrize("argv", FLAG_LINES, ids=lambda argv: " ".join(argv) or "(none)")
def test_flags_only_parse_to_the_same_namespace_without_building_the_subcommands(argv: list[str]) -> None:
    light = parser_for(argv)
    assert not _has_subcommands(light)
    assert vars(light.parse_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [["connections"], ["--profile", "prod"], ["--demo", "jobs", "--limit", "3"], ["--help"], ["-h"], ["--version"]],
)
def test_a_command_a_flag_value_or_help_gets_the_full_parser(argv: list[str]) -> None:
    assert _has_subcommands(parser_for(argv))


@pytest.mark.parametrize("argv", [["--no-such-flag"], ["--demo", "--provider=nope"], ["--demo", "--profile"]])
def test_a_bad_flag_is_reported_exactly_as_the_full_parser_reports_it(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as light_exit:
        parser_for(argv).parse_args(argv)
    light_error = capsys.readouterr().err
    with pytest.raises(SystemExit) as full_exit:
        build_parser().parse_args(argv)
    full_error = capsys.readouterr().err
    assert (light_exit.value.code, light_error) == (full_exit.value.code, full_error)
    assert light_exit.value.code == 2


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["triage"], "airsync: error: argument COMMAND: invalid choice: 'triage'"),
        (["--demo", "--bogus"], "airsync: error: unrecognized arguments: --bogus"),
        (["sync"], "airsync sync: error: the following arguments are required: connection"),
    ],
)
def test_a_bad_command_line_gets_one_line_saying_what_and_where_to_look(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """argparse printed eight lines of usage above the one line that mattered."""
    from airsync_tui.cli.main import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(said) and "--help)" in err, err
    assert "usage:" not in err
