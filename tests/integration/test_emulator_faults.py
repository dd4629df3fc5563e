"""Fault injection: every kind is observable, health is exempt, and POST /jobs can lose its response after creating the job."""

from __future__ import annotations

import httpx
import pytest

from airsync_tui.emulator.faults import FaultConfig
from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator, start_emulator
from tests import http


@pytest.fixture(scope="module")
def faulty():
    with start_emulator(EmulatorOptions(speed=5, big_log_lines=0, client_id="faults", client_secret="faults")) as em:
        token = http.post(f"{em.public_api_url}/applications/token", json={"client_id": "faults", "client_secret": "faults"}).json()[
            "access_token"
        ]
        em.test_headers = {"Authorization": f"Bearer {token}"}  # type: ignore[attr-defined]
        yield em
        em.set_faults(None)


def _get(em: RunningEmulator, timeout: float = 5.0) -> httpx.Response:
    return http.get(f"{em.public_api_url}/jobs", headers=em.test_headers, timeout=timeout)  # type: ignore[attr-defined]


def test_429_with_and_without_retry_after(faulty: RunningEmulator) -> None:
    faulty.set_faults(FaultConfig(rate=1.0, kinds={"429"}, seed=1))
    responses = [_get(faulty) for _ in range(12)]
    assert all(r.status_code == 429 for r in responses)
    assert all(r.json() == {"message": "You are being rate limited."} for r in responses)
    with_header = [r for r in responses if "retry-after" in r.headers]
    assert 0 < len(with_header) < len(responses)


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_server_errors(faulty: RunningEmulator, kind: str) -> None:
    faulty.set_faults(FaultConfig(rate=1.0, kinds={kind}))
    assert _get(faulty).status_code == int(kind)


def test_malformed_is_200_but_not_json(faulty: RunningEmulator) -> None:
    faulty.set_faults(FaultConfig(rate=1.0, kinds={"malformed"}))
    response = _get(faulty)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_drop_closes_without_a_complete_response(faulty: RunningEmulator) -> None:
    faulty.set_faults(FaultConfig(rate=1.0, kinds={"drop"}))
    with pytest.raises(httpx.TransportError):
        _get(faulty)


def test_stall_outlasts_client_timeout(faulty: RunningEmulator) -> None:
    faulty.set_faults(FaultConfig(rate=1.0, kinds={"stall"}, stall_seconds=3.0))
    with pytest.raises(httpx.ReadTimeout):  # the 3 s stall would have answered; the client gave up first
        _get(faulty, timeout=0.3)


def test_health_is_never_faulted_and_faults_can_be_cleared(faulty: RunningEmulator) -> None:
    faulty.set_faults(FaultConfig(rate=1.0, kinds={"500"}))
    assert http.get(f"{faulty.public_api_url}/health").status_code == 200
    faulty.set_faults(None)
    assert _get(faulty).status_code == 200


def test_rate_is_a_probability(faulty: RunningEmulator) -> None:
    faulty.set_faults(FaultConfig(rate=0.5, kinds={"500"}, seed=3))
    codes = [_get(faulty).status_code for _ in range(40)]
    assert 5 < codes.count(500) < 35 and codes.count(200) > 5


@pytest.mark.parametrize("kind", ["drop", "502", "malformed"])
def test_post_jobs_fault_after_the_job_was_created(faulty: RunningEmulator, kind: str) -> None:
    connection = next(c for c in faulty.world.connections if c.status == "active" and c.active_job_id is None)
    before = len(connection.job_ids)
    faulty.set_faults(FaultConfig(rate=1.0, kinds={kind}, after_create=1.0))
    try:
        response = http.post(
            f"{faulty.public_api_url}/jobs",
            json={"connectionId": connection.connection_id, "jobType": "sync"},
            headers=faulty.test_headers,
            timeout=5,
        )  # type: ignore[attr-defined]
        if kind == "malformed":
            assert response.status_code == 200
            with pytest.raises(ValueError):
                response.json()
        else:
            assert response.status_code == 502
    except httpx.TransportError:
        assert kind == "drop"
    faulty.set_faults(None)
    jobs = http.get(
        f"{faulty.public_api_url}/jobs",
        params={"connectionId": connection.connection_id, "orderBy": "createdAt|DESC", "limit": 1},
        headers=faulty.test_headers,
    ).json()["data"]  # type: ignore[attr-defined]
    assert len(connection.job_ids) == before + 1 and jobs[0]["jobId"] == connection.job_ids[-1]
    assert jobs[0]["status"] in ("pending", "running")
    retry = http.post(
        f"{faulty.public_api_url}/jobs", json={"connectionId": connection.connection_id, "jobType": "sync"}, headers=faulty.test_headers
    )  # type: ignore[attr-defined]
    assert retry.status_code == 409  # a blind retry would be refused, not double-trigger
    httpx.delete(f"{faulty.public_api_url}/jobs/{jobs[0]['jobId']}", headers=faulty.test_headers)  # type: ignore[attr-defined]


def test_post_jobs_fault_before_create_creates_nothing(faulty: RunningEmulator) -> None:
    connection = next(c for c in faulty.world.connections if c.status == "active" and c.active_job_id is None)
    before = len(connection.job_ids)
    faulty.set_faults(FaultConfig(rate=1.0, kinds={"503"}, after_create=0.0))
    response = http.post(
        f"{faulty.public_api_url}/jobs", json={"connectionId": connection.connection_id, "jobType": "sync"}, headers=faulty.test_headers
    )  # type: ignore[attr-defined]
    faulty.set_faults(None)
    assert response.status_code == 503 and len(connection.job_ids) == before


def test_fault_config_parse() -> None:
    assert FaultConfig.parse("0.25:429,drop").kinds == {"429", "drop"}
    assert FaultConfig.parse("0.1").rate == 0.1
    with pytest.raises(ValueError):
        FaultConfig.parse("0.1:teapot")
