"""SDK conformance: the official airbyte_api 1.x client must parse every emulator response."""

from __future__ import annotations

import datetime as dt
import time

import pytest

airbyte_api = pytest.importorskip("airbyte_api")
from airbyte_api import api, models  # noqa: E402

from airsync_tui.emulator.server import EmulatorOptions, start_emulator  # noqa: E402


@pytest.fixture(scope="module")
def sdk_emulator():
    # Distinct credentials: the SDK caches tokens per (client_id, client_secret) at class level.
    with start_emulator(EmulatorOptions(speed=20, big_log_lines=0, client_id="sdk-conformance", client_secret=f"s-{time.time()}")) as em:
        yield em


@pytest.fixture(scope="module")
def sdk(sdk_emulator):
    security = models.Security(
        client_credentials=models.SchemeClientCredentials(
            client_id=sdk_emulator.client_id,
            client_secret=sdk_emulator.client_secret,
            token_url=f"{sdk_emulator.public_api_url}/applications/token",
        )
    )
    with airbyte_api.AirbyteAPI(security=security, server_url=sdk_emulator.public_api_url) as client:
        yield client


def test_sdk_workspaces_and_connections(sdk, sdk_emulator) -> None:
    workspaces = sdk.workspaces.list_workspaces(request=api.ListWorkspacesRequest()).workspaces_response
    assert workspaces.data[0].workspace_id == sdk_emulator.workspace_id
    one = sdk.workspaces.get_workspace(request=api.GetWorkspaceRequest(workspace_id=sdk_emulator.workspace_id)).workspace_response
    assert one.name == "Acme Data Platform"
    connections = sdk.connections.list_connections(
        request=api.ListConnectionsRequest(workspace_ids=[sdk_emulator.workspace_id], limit=100)
    ).connections_response
    assert len(connections.data) >= 12
    first = connections.data[0]
    got = sdk.connections.get_connection(request=api.GetConnectionRequest(connection_id=first.connection_id)).connection_response
    assert got.name == first.name and got.configurations.streams


def test_sdk_list_jobs_with_filters(sdk, sdk_emulator) -> None:
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=60)
    response = sdk.jobs.list_jobs(
        request=api.ListJobsRequest(
            workspace_ids=[sdk_emulator.workspace_id],
            job_type=models.JobTypeEnum.SYNC,
            order_by="createdAt|DESC",
            created_at_start=since,
            limit=50,
        )
    ).jobs_response
    ids = [job.job_id for job in response.data]
    assert ids == sorted(ids, reverse=True) and len(ids) == 50
    failed = sdk.jobs.list_jobs(request=api.ListJobsRequest(status=models.JobStatusEnum.FAILED, limit=100)).jobs_response
    assert failed.data and all(job.status == models.JobStatusEnum.FAILED for job in failed.data)


def test_sdk_create_get_cancel(sdk, sdk_emulator) -> None:
    connection = next(
        c for c in sdk_emulator.world.connections if c.status == "active" and c.active_job_id is None and not c.name.startswith("Events")
    )
    created = sdk.jobs.create_job(
        request=models.JobCreateRequest(connection_id=connection.connection_id, job_type=models.JobTypeEnum.SYNC)
    ).job_response
    assert created.status in (models.JobStatusEnum.PENDING, models.JobStatusEnum.RUNNING)
    got = sdk.jobs.get_job(request=api.GetJobRequest(job_id=created.job_id)).job_response
    assert got.job_id == created.job_id
    cancelled = sdk.jobs.cancel_job(request=api.CancelJobRequest(job_id=created.job_id)).job_response
    assert cancelled.status == models.JobStatusEnum.CANCELLED
    with pytest.raises(airbyte_api.errors.SDKError) as excinfo:
        sdk.jobs.cancel_job(request=api.CancelJobRequest(job_id=created.job_id))
    assert excinfo.value.status_code == 409
