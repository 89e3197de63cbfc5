from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.update_workspace import UpdateWorkspace
from ...models.workspace import Workspace
from ...types import Response


def _get_kwargs(
    ws: str,
    *,
    body: UpdateWorkspace,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/workspaces/{ws}".format(
            ws=quote(str(ws), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | Workspace | None:
    if response.status_code == 200:
        response_200 = Workspace.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | Workspace]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    ws: str,
    *,
    client: AuthenticatedClient,
    body: UpdateWorkspace,
) -> Response[Problem | Workspace]:
    """Rename a workspace or change its settings (admin): quotas (`max_running_jobs`, `max_queued_jobs`,
    `max_artifact_bytes`), `auto_pause_after_seconds`, `retention_days` and `redact_pattern` (422 when
    it is not a usable regular expression)

     Rename a workspace or change its settings (admin): quotas (`max_running_jobs`, `max_queued_jobs`,
    `max_artifact_bytes`), `auto_pause_after_seconds`, `retention_days` and `redact_pattern` (422 when
    it is not a usable regular expression). In `settings`, a value sets, `null` clears (no limit / off),
    an absent key keeps.

    Args:
        ws (str):
        body (UpdateWorkspace): Rename a workspace and/or change its settings (admin).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Workspace]
    """

    kwargs = _get_kwargs(
        ws=ws,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    ws: str,
    *,
    client: AuthenticatedClient,
    body: UpdateWorkspace,
) -> Problem | Workspace | None:
    """Rename a workspace or change its settings (admin): quotas (`max_running_jobs`, `max_queued_jobs`,
    `max_artifact_bytes`), `auto_pause_after_seconds`, `retention_days` and `redact_pattern` (422 when
    it is not a usable regular expression)

     Rename a workspace or change its settings (admin): quotas (`max_running_jobs`, `max_queued_jobs`,
    `max_artifact_bytes`), `auto_pause_after_seconds`, `retention_days` and `redact_pattern` (422 when
    it is not a usable regular expression). In `settings`, a value sets, `null` clears (no limit / off),
    an absent key keeps.

    Args:
        ws (str):
        body (UpdateWorkspace): Rename a workspace and/or change its settings (admin).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Workspace
    """

    return sync_detailed(
        ws=ws,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    ws: str,
    *,
    client: AuthenticatedClient,
    body: UpdateWorkspace,
) -> Response[Problem | Workspace]:
    """Rename a workspace or change its settings (admin): quotas (`max_running_jobs`, `max_queued_jobs`,
    `max_artifact_bytes`), `auto_pause_after_seconds`, `retention_days` and `redact_pattern` (422 when
    it is not a usable regular expression)

     Rename a workspace or change its settings (admin): quotas (`max_running_jobs`, `max_queued_jobs`,
    `max_artifact_bytes`), `auto_pause_after_seconds`, `retention_days` and `redact_pattern` (422 when
    it is not a usable regular expression). In `settings`, a value sets, `null` clears (no limit / off),
    an absent key keeps.

    Args:
        ws (str):
        body (UpdateWorkspace): Rename a workspace and/or change its settings (admin).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Workspace]
    """

    kwargs = _get_kwargs(
        ws=ws,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    ws: str,
    *,
    client: AuthenticatedClient,
    body: UpdateWorkspace,
) -> Problem | Workspace | None:
    """Rename a workspace or change its settings (admin): quotas (`max_running_jobs`, `max_queued_jobs`,
    `max_artifact_bytes`), `auto_pause_after_seconds`, `retention_days` and `redact_pattern` (422 when
    it is not a usable regular expression)

     Rename a workspace or change its settings (admin): quotas (`max_running_jobs`, `max_queued_jobs`,
    `max_artifact_bytes`), `auto_pause_after_seconds`, `retention_days` and `redact_pattern` (422 when
    it is not a usable regular expression). In `settings`, a value sets, `null` clears (no limit / off),
    an absent key keeps.

    Args:
        ws (str):
        body (UpdateWorkspace): Rename a workspace and/or change its settings (admin).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Workspace
    """

    return (
        await asyncio_detailed(
            ws=ws,
            client=client,
            body=body,
        )
    ).parsed
