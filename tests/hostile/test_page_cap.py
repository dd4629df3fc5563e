"""The page cap's real default, and its env knob that only ever lowers it.

Why here: the CLI test against an endless server runs with the cap lowered to
50 pages (a tenth of the round trips); this file pins the product's default
(500 pages, 50,000 items) in-process, where 501 pages cost microseconds.
"""

from __future__ import annotations

import pytest

from airsync_tui.errors import ConfigError, TransportError
from airsync_tui.providers.paging import MAX_ITEMS, MAX_PAGES, MAX_PAGES_ENV, PageGuard, page_cap


def test_default_cap_is_500_pages_and_50000_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MAX_PAGES_ENV, raising=False)
    assert (MAX_PAGES, MAX_ITEMS) == (500, 50_000)
    guard = PageGuard("X", "/things")
    for page in range(500):
        guard.check([f"{page}-{i}" for i in range(100)])  # 50,000 items: at both caps, not past them
    with pytest.raises(TransportError, match="stopped after 501 pages"):
        guard.check(["one more"])


def test_env_lowers_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_PAGES_ENV, "3")
    guard = PageGuard("X", "/things")
    for page in range(3):
        guard.check([str(page)])
    with pytest.raises(TransportError, match="stopped after 4 pages"):
        guard.check(["4"])


def test_env_never_raises_a_callers_cap() -> None:
    assert page_cap(10, env={MAX_PAGES_ENV: "1000"}) == 10
    assert page_cap(10, env={MAX_PAGES_ENV: " "}) == 10
    assert page_cap(env={}) == MAX_PAGES


@pytest.mark.parametrize("raw", ["0", "-5", "many", "1.5"])
def test_bad_env_value_is_one_line_naming_the_variable(raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        page_cap(env={MAX_PAGES_ENV: raw})
    message = str(caught.value)
    assert MAX_PAGES_ENV in message and repr(raw) in message
    assert "\n" not in message
