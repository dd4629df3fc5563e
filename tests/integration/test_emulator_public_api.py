"""Public API v1 of the emulator, exercised over real HTTP like the SDK and PyAirbyte do."""

from __future__ import annotations

import base64
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator, start_emulator
from tests import http


def _token(em: RunningEmulator) -> str:
    response = http.post(f"{em.public_api_url}/applications/token", json={"client_id": em.client_id, "client_secret": em.client_secret})
    response.raise_for_status()
    return response.json()["access_token"]


@pytest.fixture(scope="module")
def api(emulator: RunningEmulator) -> httpx.Client:
    client = httpx.Client(base_url=emulator.public_api_url, headers={"Authorization": f"Bearer {_token(emulator)}"}, timeout=10)
    yield client
    client.close()


def _idle_active_connection(em: RunningEmulator) -> str:
    with em.world.lock:
        for connection in em.world.connections:
            if connection.status == "active" and connection.active_job_id is None and not connection.name.startswith("Events"):
                return connection.connection_id
    raise AssertionError("no idle connection")


# ------------------------------------------------------------------ auth


def test_health_needs_no_auth(emulator: RunningEmulator) -> None:
    assert http.get(f"{emulator.public_api_url}/health").status_code == 200


@pytest.mark.parametrize(
    "kwargs",
    [
        {"json": {"client_id": "airsync-test-session", "client_secret": "session-secret", "grant-type": "client_credentials"}},
        {"json": {"client_id": "airsync-test-session", "client_secret": "session-secret"}},
        {"data": {"grant_type": "client_credentials", "client_id": "airsync-test-session", "client_secret": "session-secret"}},
    ],
    ids=["json-with-grant", "json-no-grant", "form"],
)
def test_token_request_shapes(emulator: RunningEmulator, kwargs: dict) -> None:
    response = http.post(f"{emulator.public_api_url}/applications/token", **kwargs)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900 and isinstance(body["access_token"], str)


def test_bad_credentials_and_missing_token_are_401(emulator: RunningEmulator) -> None:
    bad = http.post(f"{emulator.public_api_url}/applications/token", json={"client_id": "x", "client_secret": "y"})
    assert bad.status_code == 401
    missing = http.get(f"{emulator.public_api_url}/jobs")
    assert missing.status_code == 401
    assert missing.headers["content-type"].startswith("application/json")
    assert missing.json()["status"] == 401
    assert http.get(f"{emulator.public_api_url}/jobs", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert http.post(f"{emulator.config_api_url}/jobs/get", json={"id": 4000}).status_code == 401


def test_basic_auth_and_token_on_config_api(emulator: RunningEmulator) -> None:
    basic = base64.b64encode(f"{emulator.client_id}:{emulator.client_secret}".encode()).decode()
    assert http.get(f"{emulator.public_api_url}/workspaces", headers={"Authorization": f"Basic {basic}"}).status_code == 200
    token = _token(emulator)
    config = http.post(f"{emulator.config_api_url}/jobs/get_light", json={"id": 4000}, headers={"Authorization": f"Bearer {token}"})
    assert config.status_code == 200
    config_token = http.post(
        f"{emulator.config_api_url}/applications/token", json={"client_id": emulator.client_id, "client_secret": emulator.client_secret}
    )
    assert set(config_token.json()) == {"access_token"}


def test_tokens_expire_in_wall_seconds() -> None:
    with start_emulator(EmulatorOptions(token_ttl=0.6, speed=1, big_log_lines=0, client_id="ttl", client_secret="ttl")) as em:
        token = _token(em)
        headers = {"Authorization": f"Bearer {token}"}
        assert http.get(f"{em.public_api_url}/workspaces", headers=headers).status_code == 200
        time.sleep(0.8)
        expired = http.get(f"{em.public_api_url}/workspaces", headers=headers)
        assert expired.status_code == 401
        assert expired.json()["title"] == "invalid-api-key"


# ------------------------------------------------------------------ workspaces & connections


def test_workspace_shape(api: httpx.Client, emulator: RunningEmulator) -> None:
    body = api.get("/workspaces").json()
    assert body["previous"] == "" and body["next"].endswith("/workspaces?limit=20&offset=20")
    workspace = body["data"][0]
    assert workspace["name"] == "Acme Data Platform"
    assert workspace["dataResidency"] == "auto"
    assert set(workspace["notifications"]) >= {"failure", "success", "syncDisabled"}
    assert api.get(f"/workspaces/{emulator.workspace_id}").json()["workspaceId"] == emulator.workspace_id
    assert api.get("/workspaces/00000000-0000-4000-8000-000000000000").status_code == 404


def test_connections_list_paging_and_fields(api: httpx.Client, emulator: RunningEmulator) -> None:
    all_connections = api.get("/connections", params={"limit": 100}).json()["data"]
    assert 12 <= len(all_connections) <= 14
    names = {c["name"] for c in all_connections}
    assert {"Stripe → BigQuery", "Postgres (orders) → Snowflake", "Events Firehose → S3"} <= names
    assert all(c["status"] != "deprecated" for c in all_connections)
    with_deleted = api.get("/connections", params={"limit": 100, "includeDeleted": "true"}).json()["data"]
    assert len(with_deleted) == len(all_connections) + 1
    assert {c["status"] for c in all_connections} == {"active", "inactive"}
    schedules = {c["schedule"]["scheduleType"] for c in all_connections}
    assert schedules == {"cron", "basic", "manual"}
    cron = next(c for c in all_connections if c["name"].startswith("Postgres (orders)"))
    assert cron["schedule"]["cronExpression"] == "0 0 */6 * * ? UTC"
    basic = next(c for c in all_connections if c["name"].startswith("Salesforce"))
    assert basic["schedule"]["basicTiming"] == "Every 24 HOURS"
    for connection in all_connections:
        for key in (
            "connectionId",
            "name",
            "sourceId",
            "destinationId",
            "workspaceId",
            "status",
            "schedule",
            "configurations",
            "createdAt",
            "tags",
        ):
            assert key in connection
        assert isinstance(connection["createdAt"], int) and connection["createdAt"] < time.time() + 10**7
        assert 2 <= len(connection["configurations"]["streams"]) <= 8
    page = api.get("/connections", params={"limit": 5, "offset": 5, "workspaceIds": emulator.workspace_id}).json()
    assert [c["connectionId"] for c in page["data"]] == [c["connectionId"] for c in all_connections[5:10]]
    assert page["previous"].endswith("offset=0") and "limit=5" in page["previous"]
    assert page["next"].startswith(emulator.public_api_url + "/connections?") and page["next"].endswith("offset=10")
    empty = api.get("/connections", params={"limit": 5, "offset": 500}).json()
    assert empty["data"] == [] and empty["next"] == ""
    assert api.get("/connections", params={"limit": 0}).status_code == 400
    assert api.get("/connections", params={"limit": 101}).status_code == 400


# ------------------------------------------------------------------ jobs listing


def test_jobs_default_order_is_created_asc_and_next_rules(api: httpx.Client) -> None:
    first = api.get("/jobs", params={"limit": 10}).json()
    ids = [j["jobId"] for j in first["data"]]
    assert ids == sorted(ids) and len(ids) == 10
    assert first["previous"] == ""
    query = parse_qs(urlsplit(first["next"]).query)
    assert query["offset"] == ["10"] and query["limit"] == ["10"]
    second = api.get("/jobs", params={"limit": 10, "offset": 10}).json()
    assert second["data"][0]["jobId"] > ids[-1]
    assert parse_qs(urlsplit(second["previous"]).query)["offset"] == ["0"]
    # A short, non-empty last page still gets a next link; only an empty page gets "".
    total = len(api.get("/jobs", params={"limit": 100}).json()["data"])
    last = api.get("/jobs", params={"limit": 100, "offset": total - 1}).json()
    assert len(last["data"]) >= 1 and last["next"] != ""
    assert api.get("/jobs", params={"limit": 100, "offset": 10_000}).json()["next"] == ""


@pytest.mark.parametrize("order_by", ["createdAt|DESC", "CREATEDAT|DESC", "createdat|DESC"])
def test_jobs_order_by_desc(api: httpx.Client, order_by: str) -> None:
    ids = [j["jobId"] for j in api.get("/jobs", params={"limit": 20, "orderBy": order_by}).json()["data"]]
    assert ids == sorted(ids, reverse=True)


def test_jobs_order_by_updated(api: httpx.Client) -> None:
    jobs = api.get("/jobs", params={"limit": 50, "orderBy": "updatedAt|ASC", "status": "succeeded"}).json()["data"]
    stamps = [j["lastUpdatedAt"] for j in jobs]
    from airsync_tui.emulator.airbyte.serialize import parse_iso

    assert [parse_iso(s) for s in stamps] == sorted(parse_iso(s) for s in stamps)


@pytest.mark.parametrize("order_by", ["createdAt", "createdAt|desc", "startTime|ASC", "createdAt|UP"])
def test_jobs_bad_order_by_is_400(api: httpx.Client, order_by: str) -> None:
    response = api.get("/jobs", params={"orderBy": order_by})
    assert response.status_code == 400
    body = response.json()
    assert body["title"] == "bad-request" and "Invalid order by clause" in body["data"]["message"]


def test_jobs_filters(api: httpx.Client, emulator: RunningEmulator) -> None:
    connections = api.get("/connections", params={"limit": 100}).json()["data"]
    postgres = next(c for c in connections if c["name"].startswith("Postgres (orders)"))["connectionId"]
    by_connection = api.get(
        "/jobs", params={"connectionId": postgres, "workspaceIds": "00000000-0000-4000-8000-000000000000", "limit": 100}
    ).json()["data"]
    assert by_connection and all(j["connectionId"] == postgres for j in by_connection)
    repeated = api.get(
        "/jobs",
        params=[("workspaceIds", emulator.workspace_id), ("workspaceIds", "00000000-0000-4000-8000-000000000000"), ("limit", "100")],
    ).json()
    joined = api.get("/jobs", params={"workspaceIds": f"{emulator.workspace_id},00000000-0000-4000-8000-000000000000", "limit": 100}).json()
    assert [j["jobId"] for j in repeated["data"]] == [j["jobId"] for j in joined["data"]] and repeated["data"]
    assert "workspaceIds=" + emulator.workspace_id + ",00000000-0000-4000-8000-000000000000" in repeated["next"]
    assert api.get("/jobs", params={"workspaceIds": "00000000-0000-4000-8000-000000000000"}).json()["data"] == []
    failed = api.get("/jobs", params={"status": "failed", "limit": 100}).json()["data"]
    assert failed and all(j["status"] == "failed" for j in failed)
    # a reset job on an idle connection: the jobType filter must return it and nothing else
    with emulator.world.lock:
        idle = next(c for c in emulator.world.connections if c.status == "active" and c.active_job_id is None)
        reset = emulator.world.create_job(idle.connection_id, "reset")
    try:
        resets = api.get("/jobs", params={"jobType": "reset", "limit": 100}).json()["data"]
        assert reset.job_id in {j["jobId"] for j in resets}
        assert all(j["jobType"] == "reset" for j in resets)
    finally:
        emulator.world.cancel_job(reset.job_id)
    assert all(j["jobType"] == "sync" for j in api.get("/jobs", params={"jobType": "sync", "limit": 100}).json()["data"])
    everything = api.get("/jobs", params={"limit": 100}).json()["data"]
    middle = everything[len(everything) // 2]["startTime"]
    after = api.get("/jobs", params={"createdAtStart": middle, "limit": 100}).json()["data"]
    assert 0 < len(after) < len(everything)
    before = api.get("/jobs", params={"createdAtEnd": "2000-01-01T00:00:00Z"}).json()["data"]
    assert before == []
    sdk_style = api.get("/jobs", params={"updatedAtStart": "2000-04-14T21:55:04.172000Z", "limit": 5})
    assert sdk_style.status_code == 200 and len(sdk_style.json()["data"]) == 5
    assert api.get("/jobs", params={"createdAtStart": "yesterday"}).status_code == 400


def test_job_response_units(api: httpx.Client) -> None:
    jobs = api.get("/jobs", params={"limit": 100}).json()["data"]
    statuses = {j["status"] for j in jobs}
    assert {"succeeded", "failed", "cancelled"} <= statuses
    for job in jobs:
        assert isinstance(job["jobId"], int)
        assert job["startTime"].endswith("Z") and "T" in job["startTime"]
        if job["status"] in ("succeeded", "failed", "cancelled"):
            assert "lastUpdatedAt" in job and job["duration"].startswith("PT")
        else:
            assert "lastUpdatedAt" not in job
        if job["status"] == "pending":
            assert "duration" not in job


def test_java_iso_drops_zero_seconds() -> None:
    from airsync_tui.emulator.airbyte.serialize import iso_duration, java_iso

    assert java_iso(1772439300) == "2026-03-02T08:15Z"
    assert java_iso(1772439304) == "2026-03-02T08:15:04Z"
    assert iso_duration(396) == "PT6M36S" and iso_duration(0) == "PT0S" and iso_duration(90061) == "PT25H1M1S"


# ------------------------------------------------------------------ create / get / cancel


def test_create_get_cancel_and_conflicts(api: httpx.Client, emulator: RunningEmulator) -> None:
    connection_id = _idle_active_connection(emulator)
    created = api.post("/jobs", json={"connectionId": connection_id, "jobType": "sync"})
    assert created.status_code == 200
    job = created.json()
    assert job["status"] == "pending" and job["jobType"] == "sync" and job["connectionId"] == connection_id
    assert "duration" not in job
    again = api.post("/jobs", json={"connectionId": connection_id, "jobType": "sync"})
    assert again.status_code == 409
    assert again.json()["title"] == "try-again-later"
    assert again.json()["data"]["message"] == f"A sync is already running for: {connection_id}"
    assert api.get(f"/jobs/{job['jobId']}").json()["jobId"] == job["jobId"]
    cancelled = api.delete(f"/jobs/{job['jobId']}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert "lastUpdatedAt" in cancelled.json()
    not_running = api.delete(f"/jobs/{job['jobId']}")
    assert not_running.status_code == 409
    assert not_running.json()["title"] == "state-conflict"
    assert not_running.json()["data"]["message"] == "Job is not currently running"
    assert any(t[0] == job["jobId"] and t[2] == "cancelled" for t in emulator.world.transitions)


def test_cancel_running_attempt_records_manual_cancellation(api: httpx.Client, emulator: RunningEmulator) -> None:
    connection_id = _idle_active_connection(emulator)
    job_id = api.post("/jobs", json={"connectionId": connection_id, "jobType": "sync"}).json()["jobId"]
    deadline = time.monotonic() + 5
    while api.get(f"/jobs/{job_id}").json()["status"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    api.delete(f"/jobs/{job_id}")
    config = http.post(f"{emulator.config_api_url}/jobs/get", json={"id": job_id}, headers=api.headers).json()
    attempt = config["attempts"][-1]["attempt"]
    assert attempt["status"] == "failed"
    failure = attempt["failureSummary"]["failures"][0]
    assert failure["failureType"] == "manual_cancellation"
    assert failure["timestamp"] > 10**12  # epoch milliseconds


def test_create_errors(api: httpx.Client, emulator: RunningEmulator) -> None:
    connection_id = _idle_active_connection(emulator)
    refresh = api.post("/jobs", json={"connectionId": connection_id, "jobType": "refresh"})
    assert refresh.status_code == 422 and refresh.json()["data"]["message"] == "Refreshes are not supported in the public API"
    unknown = api.post("/jobs", json={"connectionId": "00000000-0000-4000-8000-000000000000", "jobType": "sync"})
    assert unknown.status_code == 404 and unknown.json()["title"] == "resource-not-found"
    inactive = next(c for c in emulator.world.connections if c.status == "inactive")
    conflict = api.post("/jobs", json={"connectionId": inactive.connection_id, "jobType": "sync"})
    assert conflict.status_code == 409 and conflict.json()["title"] == "state-conflict"
    assert conflict.headers["content-type"].startswith("application/json")
    assert api.get("/jobs/999999999").status_code == 404


def test_reset_job(api: httpx.Client, emulator: RunningEmulator) -> None:
    connection_id = _idle_active_connection(emulator)
    job = api.post("/jobs", json={"connectionId": connection_id, "jobType": "reset"}).json()
    assert job["jobType"] == "reset"
    light = http.post(f"{emulator.config_api_url}/jobs/get_light", json={"id": job["jobId"]}, headers=api.headers).json()
    assert light["job"]["configType"] == "reset_connection" and light["job"]["resetConfig"]["streamsToReset"]
    api.delete(f"/jobs/{job['jobId']}")


def test_job_runs_to_completion_with_transitions_at_simulated_times() -> None:
    options = EmulatorOptions(speed=400, big_log_lines=0, client_id="fast", client_secret="fast")
    with start_emulator(options) as em:
        headers = {"Authorization": f"Bearer {_token(em)}"}
        connection_id = _idle_active_connection(em)
        job_id = http.post(f"{em.public_api_url}/jobs", json={"connectionId": connection_id, "jobType": "sync"}, headers=headers).json()[
            "jobId"
        ]
        deadline = time.monotonic() + 15
        while True:
            with em.world.lock:
                statuses = [(old, new) for jid, old, new, _, _ in em.world.transitions if jid == job_id]
            if statuses and statuses[-1][1] in ("succeeded", "failed"):
                break
            assert time.monotonic() < deadline, statuses
            time.sleep(0.05)
        assert statuses[0] == (None, "pending") and statuses[1] == ("pending", "running")
        final = http.get(f"{em.public_api_url}/jobs/{job_id}", headers=headers).json()
        assert final["status"] == statuses[-1][1]
        if final["status"] == "succeeded":
            assert final["rowsSynced"] > 0 and final["bytesSynced"] > 0
        stamps = [t[3] for t in em.world.transitions if t[0] == job_id]
        assert stamps == sorted(stamps)
