"""Validate emulator responses against Airbyte's own OpenAPI schemas (read in place, never copied).

A small validator (type / required / properties / items / enum / $ref / oneOf /
anyOf / allOf / additionalProperties) keeps us free of a jsonschema dependency.
Unknown properties are reported too, because a field the schema does not know
is usually a typo in our serialiser.
"""

from __future__ import annotations

from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

from airsync_tui.emulator.server import RunningEmulator  # noqa: E402
from tests import http  # noqa: E402
from tests.openapi_helpers import OPENAPI_DIR, REPO_ROOT, load_spec  # noqa: E402

pytestmark = pytest.mark.skipif(
    not OPENAPI_DIR.is_dir(),
    reason=f"Airbyte's OpenAPI specs not found (looked for shared/reference/openapi above {REPO_ROOT}; "
    "set AIRSYNC_OPENAPI_DIR): the 4 conformance tests did not run",
)


class Validator:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def schema(self, name: str) -> dict[str, Any]:
        return self.document["components"]["schemas"][name]

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            node: Any = self.document
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def errors(self, value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
        schema = self._resolve(schema)
        found: list[str] = []
        for sub in schema.get("allOf", []):
            found += self.errors(value, sub, path)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                options = [self.errors(value, sub, path) for sub in schema[key]]
                passing = sum(1 for o in options if not o)
                if passing == 0 or (key == "oneOf" and passing > 1 and not isinstance(value, dict)):
                    found.append(f"{path}: matches {passing} of {key} options: {options}")
        if "enum" in schema and value not in schema["enum"]:
            found.append(f"{path}: {value!r} not in {schema['enum']}")
        kind = schema.get("type")
        checks = {"string": str, "boolean": bool, "array": list, "object": dict}
        if kind == "integer" and (not isinstance(value, int) or isinstance(value, bool)):
            found.append(f"{path}: expected integer, got {value!r}")
        elif kind == "number" and (not isinstance(value, (int, float)) or isinstance(value, bool)):
            found.append(f"{path}: expected number, got {value!r}")
        elif kind in checks and not isinstance(value, checks[kind]):
            found.append(f"{path}: expected {kind}, got {type(value).__name__}")
            return found
        if isinstance(value, dict) and (kind == "object" or "properties" in schema):
            properties = schema.get("properties", {})
            for name in schema.get("required", []):
                if name not in value:
                    found.append(f"{path}: missing required {name!r}")
            extra = schema.get("additionalProperties", None)
            for name, item in value.items():
                if item is None:
                    found.append(f"{path}.{name}: null value (server omits nulls)")
                elif name in properties:
                    found += self.errors(item, properties[name], f"{path}.{name}")
                elif isinstance(extra, dict):
                    found += self.errors(item, extra, f"{path}.{name}")
                elif properties and extra is not True:
                    found.append(f"{path}: unknown property {name!r}")
        if isinstance(value, list) and "items" in schema:
            for i, item in enumerate(value):
                found += self.errors(item, schema["items"], f"{path}[{i}]")
        return found

    def check(self, value: Any, name: str) -> None:
        problems = self.errors(value, self.schema(name))
        assert not problems, f"{name}: " + "\n".join(problems[:20])


def _load(name: str) -> dict[str, Any]:
    return load_spec(name)


@pytest.fixture(scope="module")
def public_spec() -> Validator:
    return Validator(_load("airbyte-public-api.yaml"))


@pytest.fixture(scope="module")
def config_spec() -> Validator:
    return Validator(_load("airbyte-config-api.yaml"))


@pytest.fixture(scope="module")
def problems_spec() -> Validator:
    return Validator(_load("airbyte-api-problems.yaml"))


@pytest.fixture(scope="module")
def headers(emulator: RunningEmulator) -> dict[str, str]:
    token = http.post(
        f"{emulator.public_api_url}/applications/token", json={"client_id": emulator.client_id, "client_secret": emulator.client_secret}
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_validator_catches_breakage(public_spec: Validator) -> None:
    bad = {"jobId": "12", "status": "weird", "jobType": "sync", "connectionId": "x"}
    problems = public_spec.errors(bad, public_spec.schema("JobResponse"))
    assert any("startTime" in p for p in problems) and any("weird" in p for p in problems) and any("integer" in p for p in problems)


def test_public_responses_match_schemas(public_spec: Validator, emulator: RunningEmulator, headers: dict[str, str]) -> None:
    base = emulator.public_api_url
    public_spec.check(
        http.post(
            f"{base}/applications/token",
            data={"grant_type": "client_credentials", "client_id": emulator.client_id, "client_secret": emulator.client_secret},
        ).json(),
        "PublicAccessTokenResponse",
    )
    public_spec.check(http.get(f"{base}/workspaces", headers=headers).json(), "WorkspacesResponse")
    public_spec.check(http.get(f"{base}/workspaces/{emulator.workspace_id}", headers=headers).json(), "WorkspaceResponse")
    connections = http.get(f"{base}/connections", params={"limit": 100, "includeDeleted": "true"}, headers=headers).json()
    public_spec.check(connections, "ConnectionsResponse")
    public_spec.check(
        http.get(f"{base}/connections/{connections['data'][0]['connectionId']}", headers=headers).json(), "ConnectionResponse"
    )
    jobs = http.get(f"{base}/jobs", params={"limit": 100}, headers=headers).json()
    public_spec.check(jobs, "JobsResponse")
    recent = http.get(f"{base}/jobs", params={"limit": 20, "orderBy": "createdAt|DESC"}, headers=headers).json()
    public_spec.check(recent, "JobsResponse")
    public_spec.check(http.get(f"{base}/jobs/{jobs['data'][0]['jobId']}", headers=headers).json(), "JobResponse")


def test_problem_bodies_match_schema(problems_spec: Validator, emulator: RunningEmulator, headers: dict[str, str]) -> None:
    base = emulator.public_api_url
    for response in (
        http.get(f"{base}/jobs", params={"orderBy": "nope"}, headers=headers),
        http.get(f"{base}/jobs/123456789", headers=headers),
        http.get(f"{base}/jobs", headers={"Authorization": "Bearer expired"}),
    ):
        assert response.headers["content-type"].startswith("application/json")
        problems_spec.check(response.json(), "BaseProblemFields")


def test_config_responses_match_schemas(config_spec: Validator, emulator: RunningEmulator, headers: dict[str, str]) -> None:
    base = emulator.config_api_url
    listed = http.post(
        f"{base}/jobs/list", json={"configTypes": ["sync", "reset_connection"], "pagination": {"pageSize": 200}}, headers=headers
    ).json()
    config_spec.check(listed, "JobReadList")
    running = http.post(
        f"{base}/jobs/list_for_workspaces",
        json={"configTypes": ["sync"], "workspaceIds": [emulator.workspace_id], "statuses": ["running", "incomplete", "pending"]},
        headers=headers,
    ).json()
    config_spec.check(running, "JobReadList")
    interesting = [j["job"]["id"] for j in listed["jobs"] if len(j["attempts"]) > 1 or j["job"]["status"] != "succeeded"][:15]
    interesting += [j["job"]["id"] for j in running["jobs"]][:3]
    for job_id in interesting:
        job = emulator.world.get_job(job_id)
        if job.big_log:
            continue
        config_spec.check(http.post(f"{base}/jobs/get", json={"id": job_id}, headers=headers).json(), "JobInfoRead")
        config_spec.check(http.post(f"{base}/jobs/get_without_logs", json={"id": job_id}, headers=headers).json(), "JobInfoRead")
        config_spec.check(http.post(f"{base}/jobs/get_light", json={"id": job_id}, headers=headers).json(), "JobInfoLightRead")
        if job.attempts:
            body = {"jobId": job_id, "attemptNumber": len(job.attempts) - 1}
            config_spec.check(http.post(f"{base}/attempt/get_for_job", json=body, headers=headers).json(), "AttemptInfoRead")
            config_spec.check(http.post(f"{base}/attempt/get_combined_stats", json=body, headers=headers).json(), "AttemptStats")
    for connection in emulator.world.connections[:6]:
        progress = http.post(f"{base}/connections/sync_progress", json={"connectionId": connection.connection_id}, headers=headers).json()
        config_spec.check(progress, "ConnectionSyncProgressRead")
    statuses = http.post(
        f"{base}/connections/status", json={"connectionIds": [c.connection_id for c in emulator.world.connections]}, headers=headers
    ).json()
    config_spec.check(statuses, "ConnectionStatusesRead")
    big = emulator.world.big_log_job()
    assert big is not None
    config_spec.check(http.post(f"{base}/jobs/get", json={"id": big.job_id}, headers=headers).json(), "JobInfoRead")
