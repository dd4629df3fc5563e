"""Config API of the emulator: shapes, units (epoch s / ms), live stats, logs, schedules."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator, start_emulator
from tests import http


@pytest.fixture(scope="module")
def cfg(emulator: RunningEmulator) -> httpx.Client:
    token = http.post(
        f"{emulator.public_api_url}/applications/token", json={"client_id": emulator.client_id, "client_secret": emulator.client_secret}
    ).json()["access_token"]
    client = httpx.Client(base_url=emulator.config_api_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    yield client
    client.close()


def _start_job(em: RunningEmulator, name_prefix: str) -> int:
    connection = em.world.connection_by_name(next(c.name for c in em.world.connections if c.name.startswith(name_prefix)))
    with em.world.lock:
        if connection.active_job_id is not None:
            em.world.cancel_job(connection.active_job_id)
        return em.world.create_job(connection.connection_id, "sync").job_id


def _wait_running(cfg: httpx.Client, job_id: int) -> dict:
    deadline = time.monotonic() + 10
    while True:
        info = cfg.post("/jobs/get_without_logs", json={"id": job_id}).json()
        if info["job"]["status"] == "running" and info["attempts"]:
            return info
        assert time.monotonic() < deadline
        time.sleep(0.05)


def _poll(read: Callable[[], dict], done: Callable[[dict], bool], what: str, timeout: float = 20.0) -> dict:
    """`read()` every 0.05 s until `done(answer)`; fail naming `what` if it never is."""
    deadline = time.monotonic() + timeout
    while True:
        answer = read()
        if done(answer):
            return answer
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_history_has_retry_failure_and_cancel_shapes(cfg: httpx.Client, emulator: RunningEmulator) -> None:
    body = cfg.post("/jobs/list", json={"configTypes": ["sync"], "pagination": {"pageSize": 500}}).json()
    jobs = body["jobs"]
    assert body["totalJobCount"] >= len(jobs) > 40
    ids = [j["job"]["id"] for j in jobs]
    assert ids == sorted(ids, reverse=True)  # config default: createdAt DESC
    retried = [j for j in jobs if j["job"]["status"] == "succeeded" and len(j["attempts"]) >= 3]
    assert retried and [a["status"] for a in retried[0]["attempts"]][:2] == ["failed", "failed"]
    failures = [a["failureSummary"]["failures"][0] for j in jobs for a in j["attempts"] if "failureSummary" in a]
    assert {f["failureOrigin"] for f in failures} >= {"source"}
    for failure in failures:
        assert failure["timestamp"] > 10**12
        assert {"failureType", "externalMessage", "internalMessage", "retryable"} <= set(failure)
    assert any(f["failureType"] == "manual_cancellation" for f in failures)
    assert any("stacktrace" in f for f in failures)
    for job in jobs:
        assert job["job"]["createdAt"] < 10**11  # epoch seconds
        for attempt in job["attempts"]:
            assert attempt["createdAt"] < 10**11
    ids_of_attempts = [a["id"] for a in retried[0]["attempts"]]
    assert ids_of_attempts == list(range(len(ids_of_attempts)))


def test_list_filters_and_paging(cfg: httpx.Client, emulator: RunningEmulator) -> None:
    connection = emulator.world.connections[0]
    body = cfg.post(
        "/jobs/list",
        json={
            "configTypes": ["sync"],
            "configId": connection.connection_id,
            "pagination": {"pageSize": 2, "rowOffset": 1},
            "orderByField": "createdAt",
            "orderByMethod": "ASC",
        },
    ).json()
    all_ids = [i for i in connection.job_ids if emulator.world.get_job(i).job_type == "sync"]
    assert [j["job"]["id"] for j in body["jobs"]] == all_ids[1:3]
    assert body["totalJobCount"] == len(all_ids)
    assert cfg.post("/jobs/list", json={"configId": connection.connection_id}).status_code == 422
    running = cfg.post(
        "/jobs/list_for_workspaces",
        json={"configTypes": ["sync"], "workspaceIds": [emulator.workspace_id], "statuses": ["running", "pending", "incomplete"]},
    ).json()
    assert all(j["job"]["status"] in ("running", "pending", "incomplete") for j in running["jobs"])
    other = cfg.post(
        "/jobs/list_for_workspaces", json={"configTypes": ["sync"], "workspaceIds": ["00000000-0000-4000-8000-000000000000"]}
    ).json()
    assert other == {"jobs": [], "totalJobCount": 0}


def test_live_stats_grow_and_are_hydrated_only_where_airbyte_hydrates(cfg: httpx.Client, emulator: RunningEmulator) -> None:
    job_id = _start_job(emulator, "Postgres (orders)")  # a source that emits estimates
    first = _wait_running(cfg, job_id)
    emitted = first["attempts"][0]["attempt"]["totalStats"]["recordsEmitted"]
    second = _poll(  # read until the live stats have moved (was a fixed 0.6 s sleep)
        lambda: cfg.post("/jobs/get_without_logs", json={"id": job_id}).json(),
        lambda answer: answer["attempts"][0]["attempt"]["totalStats"]["recordsEmitted"] > emitted,
        "the live stats to grow",
    )
    live = second["attempts"][0]["attempt"]
    assert "logs" not in second["attempts"][0]
    assert live["totalStats"]["recordsEmitted"] > first["attempts"][0]["attempt"]["totalStats"]["recordsEmitted"]
    assert live["totalStats"]["estimatedRecords"] > 0
    assert all("streamNamespace" in s and "estimatedRecords" in s["stats"] for s in live["streamStats"])
    assert second["job"]["aggregatedStats"]["recordsEmitted"] > 0 and second["job"]["streamAggregatedStats"]
    with_logs = cfg.post("/jobs/get", json={"id": job_id}).json()
    assert "totalStats" not in with_logs["attempts"][0]["attempt"] and "aggregatedStats" not in with_logs["job"]
    combined = cfg.post("/attempt/get_combined_stats", json={"jobId": job_id, "attemptNumber": 0}).json()
    assert combined["recordsEmitted"] > 0 and "bytesCommitted" in combined and "estimatedBytes" in combined
    progress = cfg.post("/connections/sync_progress", json={"connectionId": second["job"]["configId"]}).json()
    assert progress["jobId"] == job_id and progress["syncStartedAt"] < 10**11 and progress["streams"]
    assert {s["streamName"] for s in progress["streams"]} >= {"orders", "customers"}
    light = cfg.post("/jobs/get_light", json={"id": job_id}).json()
    assert set(light) == {"job"} and light["job"]["status"] == "running"
    statuses = cfg.post("/connections/status", json={"connectionIds": [second["job"]["configId"]]}).json()
    assert statuses[0]["connectionSyncStatus"] == "running" and statuses[0]["activeJob"]["id"] == job_id
    cancelled = cfg.post("/jobs/cancel", json={"id": job_id}).json()
    assert cancelled["job"]["status"] == "cancelled"
    assert cfg.post("/jobs/cancel", json={"id": job_id}).status_code == 409
    idle = cfg.post("/connections/sync_progress", json={"connectionId": second["job"]["configId"]}).json()
    assert idle["streams"] == []


def test_sources_without_estimates(cfg: httpx.Client, emulator: RunningEmulator) -> None:
    job_id = _start_job(emulator, "Stripe")
    info = _wait_running(cfg, job_id)
    attempt = info["attempts"][0]["attempt"]
    assert "estimatedRecords" not in attempt["totalStats"]
    assert all("estimatedRecords" not in s["stats"] for s in attempt["streamStats"])
    cfg.post("/jobs/cancel", json={"id": job_id})


# MySQL → Redshift serves 2022-era legacy lines (no ANSI): Zendesk has the 2024 shape.
@pytest.mark.parametrize(("prefix", "log_type"), [("Shopify", "structured"), ("Zendesk", "formatted")])
def test_logs_grow_while_running(cfg: httpx.Client, emulator: RunningEmulator, prefix: str, log_type: str) -> None:
    job_id = _start_job(emulator, prefix)
    _wait_running(cfg, job_id)
    sources = {"platform", "source", "destination", "replication-orchestrator"}

    def entries(attempt: dict) -> list:
        return attempt["logs"]["events"] if log_type == "structured" else attempt["logs"]["logLines"]

    def grown(attempt: dict) -> bool:
        """Longer than the first read, and far enough along to show every log source (what is asserted below)."""
        after = entries(attempt)
        if len(after) <= len(first_entries):
            return False
        if log_type == "structured":
            return {e["logSource"] for e in after} >= sources
        return any("\x1b[44msource\x1b[0m" in line for line in after)

    # Read until the log has lines, then until it has grown (was: fixed sleeps of 0.3 s and 1.2 s).
    first = _poll(
        lambda: cfg.post("/attempt/get_for_job", json={"jobId": job_id, "attemptNumber": 0}).json(),
        lambda a: bool(entries(a)),
        "the first log lines",
    )
    first_entries = entries(first)
    second = _poll(lambda: cfg.post("/jobs/get", json={"id": job_id}).json()["attempts"][0], grown, "the log to grow")
    assert first["logType"] == second["logType"] == log_type
    if log_type == "structured":
        assert second["logs"]["version"] == "1"
        before, after = first["logs"]["events"], second["logs"]["events"]
        for event in after:
            assert event["timestamp"] > 10**12 and event["level"] in ("trace", "debug", "info", "warn", "error")
            assert event["logSource"] in ("platform", "source", "destination", "replication-orchestrator")
        assert {e["logSource"] for e in after} >= {"platform", "source", "destination", "replication-orchestrator"}
    else:
        before, after = first["logs"]["logLines"], second["logs"]["logLines"]
        assert all("\x1b[" in line and " > " in line for line in after)
        assert any("\x1b[44msource\x1b[0m" in line for line in after)
    assert len(after) > len(before) > 0
    assert after[: len(before)] == before
    cfg.post("/jobs/cancel", json={"id": job_id})


def test_failed_attempt_logs_carry_errors_with_stack_traces(cfg: httpx.Client, emulator: RunningEmulator) -> None:
    jobs = cfg.post("/jobs/list", json={"configTypes": ["sync"], "statuses": ["failed"], "pagination": {"pageSize": 100}}).json()["jobs"]
    structured = [j for j in jobs if emulator.world.get_job(j["job"]["id"]).connection.log_format == "structured"]
    logs = cfg.post("/jobs/get", json={"id": structured[0]["job"]["id"]}).json()["attempts"][-1]["logs"]["events"]
    errors = [e for e in logs if e["level"] == "error"]
    assert errors and any("stackTrace" in e for e in errors)


def test_big_log_is_served_and_cached(cfg: httpx.Client, emulator: RunningEmulator) -> None:
    job = emulator.world.big_log_job()
    assert job is not None and job.connection.name == "Events Firehose → S3"
    first = cfg.post("/jobs/get", json={"id": job.job_id})
    attempt = first.json()["attempts"][0]
    assert attempt["logType"] == "formatted" and len(attempt["logs"]["logLines"]) == 2000
    again = cfg.post("/jobs/get", json={"id": job.job_id})
    assert again.content == first.content
    single = cfg.post("/attempt/get_for_job", json={"jobId": job.job_id, "attemptNumber": 0}).json()
    assert single["logs"]["logLines"] == attempt["logs"]["logLines"]


def test_config_errors(cfg: httpx.Client) -> None:
    assert cfg.post("/jobs/get", json={"id": 99_999_999}).status_code == 404
    bad = cfg.post("/jobs/get", json={})
    assert bad.status_code == 422 and bad.json()["validationErrors"]


def test_scheduled_connections_start_jobs_by_themselves() -> None:
    with start_emulator(EmulatorOptions(speed=1, big_log_lines=0, client_id="sched", client_secret="sched")) as em:
        stripe = next(c for c in em.world.connections if c.name.startswith("Stripe"))
        with em.world.lock:
            if stripe.active_job_id is not None:
                em.world.cancel_job(stripe.active_job_id)
            fire_at = stripe.next_fire_at
            before = len(stripe.job_ids)
        assert fire_at is not None and fire_at > em.clock.now()
        em.clock.advance(fire_at - em.clock.now() + 1)
        deadline = time.monotonic() + 3
        while len(stripe.job_ids) == before:
            assert time.monotonic() < deadline, "the 15-minute cron schedule did not fire"
            time.sleep(0.05)
        job = em.world.get_job(stripe.job_ids[-1])
        assert abs(job.created_at - fire_at) < 1e-6
        assert job.created_at % 900 == 0  # "0 */15 * * * ? UTC"
        assert stripe.next_fire_at is not None and stripe.next_fire_at - fire_at == 900
        assert any(t[0] == job.job_id and t[2] == "pending" for t in em.world.transitions)


def test_running_target_keeps_jobs_running_in_a_scaled_workspace() -> None:
    # Start-up and page times at this size: `python bench/bench_emulator.py`.
    with start_emulator(
        EmulatorOptions(speed=200, connections=1000, running=50, big_log_lines=0, client_id="bench", client_secret="bench")
    ) as em:
        assert 45 <= len(em.world.active_job_ids) <= 55
        token = http.post(f"{em.public_api_url}/applications/token", json={"client_id": "bench", "client_secret": "bench"}).json()[
            "access_token"
        ]
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(3):
            page = http.get(f"{em.public_api_url}/jobs", params={"orderBy": "createdAt|DESC", "limit": 100}, headers=headers)
            assert page.status_code == 200 and len(page.json()["data"]) == 100
            live = http.post(
                f"{em.config_api_url}/jobs/list_for_workspaces",
                headers=headers,
                json={"configTypes": ["sync"], "statuses": ["pending", "running", "incomplete"], "pagination": {"pageSize": 200}},
            )
            assert live.status_code == 200
        deadline = time.monotonic() + 10
        while not any(new in ("succeeded", "failed") for _, _, new, _, _ in em.world.transitions):
            assert time.monotonic() < deadline, "no job finished in 10 s at x200"
            time.sleep(0.05)
        assert len(em.world.active_job_ids) >= 40
