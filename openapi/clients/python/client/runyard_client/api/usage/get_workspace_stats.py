from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.workspace_stats import WorkspaceStats
from ...types import UNSET, Response, Unset


def _get_kwargs(
    ws: str,
    *,
    if_none_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/workspaces/{ws}/stats".format(
            ws=quote(str(ws), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | WorkspaceStats | None:
    if response.status_code == 200:
        response_200 = WorkspaceStats.from_dict(response.json())

        return response_200

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | Problem | WorkspaceStats]:
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
    if_none_match: str | Unset = UNSET,
) -> Response[Any | Problem | WorkspaceStats]:
    """The workspace's queue at a glance (viewer): jobs by status, the oldest queued job's wait, running
    jobs per runner, completed and failed per minute over the last hour, and p50/p95 queue wait and run
    time over the last hour

     The workspace's queue at a glance (viewer): jobs by status, the oldest queued job's wait, running
    jobs per runner, completed and failed per minute over the last hour, and p50/p95 queue wait and run
    time over the last hour.

    Args:
        ws (str):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | WorkspaceStats]
    """

    kwargs = _get_kwargs(
        ws=ws,
        if_none_match=if_none_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    ws: str,
    *,
    client: AuthenticatedClient,
    if_none_match: str | Unset = UNSET,
) -> Any | Problem | WorkspaceStats | None:
    """The workspace's queue at a glance (viewer): jobs by status, the oldest queued job's wait, running
    jobs per runner, completed and failed per minute over the last hour, and p50/p95 queue wait and run
    time over the last hour

     The workspace's queue at a glance (viewer): jobs by status, the oldest queued job's wait, running
    jobs per runner, completed and failed per minute over the last hour, and p50/p95 queue wait and run
    time over the last hour.

    Args:
        ws (str):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | WorkspaceStats
    """

    return sync_detailed(
        ws=ws,
        client=client,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    ws: str,
    *,
    client: AuthenticatedClient,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | Problem | WorkspaceStats]:
    """The workspace's queue at a glance (viewer): jobs by status, the oldest queued job's wait, running
    jobs per runner, completed and failed per minute over the last hour, and p50/p95 queue wait and run
    time over the last hour

     The workspace's queue at a glance (viewer): jobs by status, the oldest queued job's wait, running
    jobs per runner, completed and failed per minute over the last hour, and p50/p95 queue wait and run
    time over the last hour.

    Args:
        ws (str):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | WorkspaceStats]
    """

    kwargs = _get_kwargs(
        ws=ws,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    ws: str,
    *,
    client: AuthenticatedClient,
    if_none_match: str | Unset = UNSET,
) -> Any | Problem | WorkspaceStats | None:
    """The workspace's queue at a glance (viewer): jobs by status, the oldest queued job's wait, running
    jobs per runner, completed and failed per minute over the last hour, and p50/p95 queue wait and run
    time over the last hour

     The workspace's queue at a glance (viewer): jobs by status, the oldest queued job's wait, running
    jobs per runner, completed and failed per minute over the last hour, and p50/p95 queue wait and run
    time over the last hour.

    Args:
        ws (str):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | WorkspaceStats
    """

    return (
        await asyncio_detailed(
            ws=ws,
            client=client,
            if_none_match=if_none_match,
        )
    ).parsed
