"""Fleet-action endpoints of the emulator against Airbyte's own OpenAPI (read in place, never copied)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from test_emulator_openapi import Validator  # skips this module too when PyYAML is absent

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator
from tests.emulator_helpers import quiet_emulator, stop_job
from tests.openapi_helpers import OPENAPI_DIR, load_spec

yaml = pytest.importorskip("yaml")

pytestmark = pytest.mark.skipif(
    not OPENAPI_DIR.is_dir(),
    reason=f"Airbyte OpenAPI reference not found at {OPENAPI_DIR}",
)


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    # Schedules paused: scheduled jobs would race the tests' own.
    yield from quiet_emulator(
        EmulatorOptions(
            speed=5.0,
            big_log_lines=100,
            seed=11,
            client_id="fleet-openapi",
            client_secret="s",
        )
    )


def spec(name: str) -> Validator:
    return Validator(load_spec(name))


def test_patch_refresh_clear_shapes_and_errors(emu: RunningEmulator) -> None:
    public, config, problems = (
        spec("airbyte-public-api.yaml"),
        spec("airbyte-config-api.yaml"),
        spec("airbyte-api-problems.yaml"),
    )
    token = httpx.post(
        f"{emu.public_api_url}/applications/token",
        json={"client_id": emu.client_id, "client_secret": emu.client_secret},
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    connection = next(c for c in emu.world.connections if c.status == "active" and c.active_job_id is None and len(c.streams) > 1)
    cid, stream = connection.connection_id, connection.streams[0].name
    url = f"{emu.public_api_url}/connections/{cid}"

    # What the clients send is what the schemas describe.
    public.check({"status": "inactive"}, "ConnectionPatchRequest")
    public.check(
        {"schedule": {"scheduleType": "cron", "cronExpression": "0 0 */6 * * ? UTC"}},
        "ConnectionPatchRequest",
    )
    config.check(
        {
            "connectionId": cid,
            "refreshMode": "Truncate",
            "streams": [{"streamName": stream}],
        },
        "ConnectionStreamRefreshRequestBody",
    )
    config.check(
        {"connectionId": cid, "streams": [{"streamName": stream}]},
        "ConnectionStreamRequestBody",
    )

    paused = httpx.patch(url, json={"status": "inactive"}, headers=headers)
    assert paused.status_code == 200
    public.check(paused.json(), "ConnectionResponse")
    assert paused.json()["status"] == "inactive"
    refused = httpx.post(
        f"{emu.public_api_url}/jobs",
        json={"connectionId": cid, "jobType": "sync"},
        headers=headers,
    )
    assert refused.status_code == 409
    problems.check(refused.json(), "StateConflictProblemResponse")
    config_refused = httpx.post(
        f"{emu.config_api_url}/connections/sync",
        json={"connectionId": cid},
        headers=headers,
    )
    assert config_refused.status_code == 409 and config_refused.json()["message"] == "Can only sync an active connection"
    config.check(config_refused.json(), "KnownExceptionInfo")
    assert httpx.patch(url, json={"status": "active"}, headers=headers).json()["status"] == "active"

    bad_cron = httpx.patch(
        url,
        json={"schedule": {"scheduleType": "cron", "cronExpression": "not a cron"}},
        headers=headers,
    )
    assert bad_cron.status_code == 400
    problems.check(bad_cron.json(), "CronValidationInvalidExpressionProblemResponse")
    assert bad_cron.json()["type"] == "error:cron-validation/invalid-expression"
    missing = httpx.patch(
        f"{emu.public_api_url}/connections/00000000-0000-4000-8000-000000000000",
        json={"status": "inactive"},
        headers=headers,
    )
    assert missing.status_code == 404
    problems.check(missing.json(), "BaseProblemFields")

    refresh = httpx.post(
        f"{emu.config_api_url}/connections/refresh",
        json={
            "connectionId": cid,
            "refreshMode": "Merge",
            "streams": [{"streamName": stream}],
        },
        headers=headers,
    )
    assert refresh.status_code == 200
    config.check(refresh.json(), "JobReadResponse")
    job = refresh.json()["job"]
    assert job["configType"] == "refresh" and job["refreshConfig"]["streamsToRefresh"] == [
        {
            "name": stream,
            **({"namespace": connection.streams[0].namespace} if connection.streams[0].namespace else {}),
        }
    ]
    busy = httpx.post(
        f"{emu.config_api_url}/connections/clear/stream",
        json={"connectionId": cid, "streams": [{"streamName": stream}]},
        headers=headers,
    )
    assert busy.status_code == 409
    config.check(busy.json(), "KnownExceptionInfo")
    stop_job(emu.world, job["id"])
    clear = httpx.post(
        f"{emu.config_api_url}/connections/clear/stream",
        json={"connectionId": cid, "streams": [{"streamName": stream}]},
        headers=headers,
    )
    assert clear.status_code == 200
    config.check(clear.json(), "JobInfoRead")
    assert clear.json()["job"]["configType"] == "clear"
    assert [s["name"] for s in clear.json()["job"]["resetConfig"]["streamsToReset"]] == [stream]
    stop_job(emu.world, clear.json()["job"]["id"])
    for body in (
        {"connectionId": cid, "refreshMode": "Sideways"},
        {
            "connectionId": cid,
            "refreshMode": "Merge",
            "streams": [{"streamName": "nope"}],
        },
    ):
        invalid = httpx.post(f"{emu.config_api_url}/connections/refresh", json=body, headers=headers)
        assert invalid.status_code == 422
        config.check(invalid.json(), "InvalidInputExceptionInfo")
    gone = httpx.post(
        f"{emu.config_api_url}/connections/clear/stream",
        json={
            "connectionId": "00000000-0000-4000-8000-000000000000",
            "streams": [{"streamName": stream}],
        },
        headers=headers,
    )
    assert gone.status_code == 404
    config.check(gone.json(), "NotFoundKnownExceptionInfo")


def test_hightouch_patch_disabled(emu: RunningEmulator) -> None:
    sync = next(s for s in emu.hightouch_world.syncs if not s.disabled)
    headers = {"Authorization": f"Bearer {emu.hightouch_api_key}"}
    base = emu.hightouch_api_url
    off = httpx.patch(f"{base}/syncs/{sync.id}", json={"disabled": True}, headers=headers)
    assert off.status_code == 200 and off.json()["disabled"] is True and off.json()["status"] == "disabled"
    refused = httpx.post(f"{base}/syncs/{sync.id}/trigger", headers=headers)
    assert refused.status_code == 422 and refused.json()["message"] == "Validation failed"
    bad = httpx.patch(f"{base}/syncs/{sync.id}", json={"disabled": "yes"}, headers=headers)
    assert bad.status_code == 422 and "requestBody.disabled" in bad.json()["details"]
    on = httpx.patch(f"{base}/syncs/{sync.id}", json={"disabled": False}, headers=headers)
    assert on.status_code == 200 and on.json()["disabled"] is False
