"""The single mechanisms behind issue 8, tested at their seams (fast, no subprocess)."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from airsync_tui.cli.terminal import SafeStream, clean
from airsync_tui.config_checks import holds_secrets, loose_permissions
from airsync_tui.emulator.server import url_host
from airsync_tui.errors import TransportError, redact, register_secret
from airsync_tui.files import write_private_text
from airsync_tui.models import guard
from airsync_tui.models.domain import describe_cron
from airsync_tui.providers.paging import PageGuard


@pytest.mark.parametrize(
    "hostile",
    [
        "\x1b]0;title\x07",
        "\x1b]52;c;ZXZpbA==\x07",
        "\x9b2J",
        "a\rb",
        "\u202eevil",
        "zero\u200bwidth",
        "\ufeffbom",
        "x\u2066y",
    ],
)
def test_clean_removes_every_terminal_driving_and_invisible_char(hostile: str) -> None:
    out = clean(hostile)
    for bad in ("\x1b", "\x07", "\x9b", "\r", "\u202e", "\u200b", "\ufeff", "\u2066"):
        assert bad not in out


def test_safe_stream_lets_only_our_controls_through() -> None:
    inner = io.StringIO()
    stream = SafeStream(inner)
    stream.write("server \x1b[2J text\n")
    stream.write_control("\r\x1b[2K")
    assert inner.getvalue() == "server  text\n\r\x1b[2K"


def test_safe_stream_swallows_a_closed_pipe() -> None:
    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    stream = SafeStream(Closed())
    assert stream.write("x") == 1
    assert stream.broken


def test_redact_urls_jwts_and_issued_tokens() -> None:
    register_secret("issued-token-1234")
    text = redact("http://admin:hunter2@h/x token eyJhbGciOi.eyJzdWIiOjE.c2ln and issued-token-1234")
    assert "hunter2" not in text and "eyJhbGciOi" not in text and "issued-token-1234" not in text
    assert "http://•••@h/x" in text


def test_redact_is_linear_on_a_huge_string() -> None:
    assert redact("N" * 2_000_000).startswith("NNN")  # used to be quadratic (minutes)


def test_private_files_are_0600_even_when_they_existed(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    path.write_text("old")
    path.chmod(0o644)
    write_private_text(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "new"


def test_loose_config_detection(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("x")
    path.chmod(0o644)
    assert loose_permissions(path)
    path.chmod(0o600)
    assert not loose_permissions(path)
    assert holds_secrets({"profiles": {"p": {"airbyte": {"client_secret": "s"}}}})
    assert not holds_secrets({"profiles": {"p": {"airbyte": {"client_id": "c"}}}})


def test_guard_turns_unusable_values_into_unknown_once() -> None:
    kind = f"test-count-{id(object())}"  # reports are once per process: use a kind of our own
    guard.take_reports()
    assert guard.count("inf", kind) is None
    assert guard.count(1e30, kind) is None
    assert guard.count(-1, kind) is None
    assert guard.count("12.0", kind) == 12
    guard.count("inf", kind)
    reports = [line for line in guard.take_reports() if kind in line]
    assert sum("'inf'" in line for line in reports) == 1
    assert len(reports) == 2  # "not a finite number" once, "out of range" once


def test_superscript_digits_are_not_numbers() -> None:
    assert describe_cron("0 */\u00b2 * * * ? UTC") is None
    assert describe_cron("0 */2 * * * ? UTC") == "every 2 minutes"


def test_page_guard_repeat_and_cap() -> None:
    pages = PageGuard("X", "/things", max_pages=3)
    pages.check(["a", "b"])
    with pytest.raises(TransportError, match="same page twice"):
        pages.check(["a", "b"])
    capped = PageGuard("X", "/things", max_pages=2)
    capped.check(["1"])
    capped.check(["2"])
    with pytest.raises(TransportError, match="kept returning full pages"):
        capped.check(["3"])


def test_ipv6_hosts_are_bracketed() -> None:
    assert url_host("::1") == "[::1]"
    assert url_host("127.0.0.1") == "127.0.0.1"
