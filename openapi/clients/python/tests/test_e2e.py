"""The generated Python client against a live server (RUNYARD_URL), as a user with a
token (RUNYARD_USER_TOKEN): create a workspace, enqueue a job, claim and complete it as a
runner, read its events, and follow the workspace's event stream."""

import json
import os
import uuid
from http import HTTPStatus

import pytest
from runyard_client import AuthenticatedClient, Client
from runyard_client.api.events import list_workspace_events
from runyard_client.api.health import get_readiness
from runyard_client.api.jobs import create_job, get_job, list_job_events
from runyard_client.api.runner import claim_jobs, complete_job
from runyard_client.api.runners import register_runner
from runyard_client.api.workspaces import create_workspace
from runyard_client.models import (
    ClaimRequest,
    CompleteRequest,
    CreateJob,
    CreateWorkspace,
    JobStatus,
    Problem,
    RegisterRunner,
)

BASE_URL = os.environ["RUNYARD_URL"]


@pytest.fixture
def user() -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=BASE_URL,
        token=os.environ["RUNYARD_USER_TOKEN"],
        raise_on_unexpected_status=True,
    )


@pytest.fixture
def workspace(user: AuthenticatedClient) -> str:
    slug = f"py-{uuid.uuid4().hex[:12]}"
    created = create_workspace.sync_detailed(client=user, body=CreateWorkspace(name="Python client", slug=slug))
    assert created.status_code == HTTPStatus.CREATED
    assert created.parsed.slug == slug
    assert created.headers["location"] == f"/v1/workspaces/{created.parsed.id}"
    return slug


def test_the_server_is_ready() -> None:
    ready = get_readiness.sync_detailed(client=Client(base_url=BASE_URL, raise_on_unexpected_status=True))
    assert ready.status_code == HTTPStatus.OK


def test_errors_are_parsed_problems(user: AuthenticatedClient) -> None:
    answer = create_workspace.sync_detailed(client=user, body=CreateWorkspace(name="x", slug="9-not-a-slug"))
    assert answer.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert isinstance(answer.parsed, Problem)
    assert answer.parsed.code == "validation_failed"
    assert answer.parsed.field == "slug"


def test_enqueue_claim_complete_events_and_stream(user: AuthenticatedClient, workspace: str) -> None:
    registered = register_runner.sync(client=user, ws=workspace, body=RegisterRunner(name="py-runner", labels=[]))
    runner = AuthenticatedClient(base_url=BASE_URL, token=registered.token, raise_on_unexpected_status=True)

    job = create_job.sync(
        client=user,
        ws=workspace,
        body=CreateJob(type_="py-build", payload={"n": 1}, priority=5),
    )
    assert job.status == JobStatus.QUEUED
    assert job.priority == 5
    assert job.lease is None

    claimed = claim_jobs.sync(client=runner, body=ClaimRequest(max_jobs=1, wait_seconds=5))
    assert [c.id for c in claimed.jobs] == [job.id]
    assert claimed.jobs[0].payload == {"n": 1}
    attempt = claimed.jobs[0].attempt

    done = complete_job.sync(
        client=runner,
        id=job.id,
        body=CompleteRequest(attempt=attempt, result={"ok": True}),
    )
    assert done.status == JobStatus.COMPLETED

    detail = get_job.sync(client=user, ws=workspace, id=job.id)
    assert detail.result == {"ok": True}

    events = list_job_events.sync(client=user, ws=workspace, id=job.id)
    types = [e.type_ for e in events.items]
    assert types[0] == "job_created"
    assert [e.seq for e in events.items] == list(range(1, len(types) + 1))
    assert events.items[-1].payload["status"] == "COMPLETED"

    # The feed holds the same events; its stream, resumed after the first, yields the rest.
    feed = list_workspace_events.sync(client=user, ws=workspace)
    assert [(e.job_id, e.seq) for e in feed.items] == [(job.id, e.seq) for e in events.items]
    followed = []
    with user.get_httpx_client().stream(
        "GET",
        f"/v1/workspaces/{workspace}/events/stream",
        params={"after": feed.items[0].cursor},
        timeout=10,
    ) as stream:
        assert stream.status_code == HTTPStatus.OK
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith("data:"):
                followed.append(json.loads(line[len("data:") :]))
                if len(followed) == len(feed.items) - 1:
                    break
    assert [e["seq"] for e in followed] == [e.seq for e in feed.items[1:]]
    assert followed[-1]["type"] == types[-1]
