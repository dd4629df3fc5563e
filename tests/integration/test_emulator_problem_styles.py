"""The emulator answers "not found" in each real server's style, over HTTP.

Some Airbyte versions answer a missing resource with HTTP 400 and the title
`resource-not-found` (`documentationUrl: null`), older ones with a 404
`about:blank` problem. Clients are tested against all three.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator, start_emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    running = start_emulator(EmulatorOptions(big_log_lines=0, client_id="shapes-ps", client_secret="shapes-ps-secret"))
    try:
        yield running
    finally:
        running.stop()


def _get_missing_job(emu: RunningEmulator) -> httpx.Response:
    token = httpx.post(
        f"{emu.public_api_url}/applications/token",
        json={"client_id": emu.client_id, "client_secret": emu.client_secret},
    ).json()["access_token"]
    return httpx.get(
        f"{emu.public_api_url}/jobs/987654321",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize(
    ("style", "status", "title", "doc_url_key"),
    [
        ("current", 404, "resource-not-found", False),
        ("status400", 400, "resource-not-found", True),
        ("blank404", 404, "Not Found", False),
    ],
)
def test_not_found_styles(emu: RunningEmulator, style: str, status: int, title: str, doc_url_key: bool) -> None:
    emu.app.state.problem_style.set(style)
    try:
        response = _get_missing_job(emu)
    finally:
        emu.app.state.problem_style.set("current")
    body = response.json()
    assert response.status_code == status and body["status"] == status and body["title"] == title
    assert ("documentationUrl" in body and body["documentationUrl"] is None) is doc_url_key
    if style == "blank404":
        assert body["type"] == "about:blank"
    assert int(response.headers["content-length"]) == len(response.content)


def test_other_answers_are_untouched(emu: RunningEmulator) -> None:
    emu.app.state.problem_style.set("status400")
    try:
        token = httpx.post(
            f"{emu.public_api_url}/applications/token",
            json={"client_id": emu.client_id, "client_secret": emu.client_secret},
        )
        assert token.status_code == 200 and "access_token" in token.json()
    finally:
        emu.app.state.problem_style.set("current")
