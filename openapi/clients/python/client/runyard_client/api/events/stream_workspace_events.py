from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.workspace_event import WorkspaceEvent
from ...types import UNSET, Response, Unset


def _get_kwargs(
    ws: str,
    *,
    after: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(last_event_id, Unset):
        headers["Last-Event-ID"] = last_event_id

    params: dict[str, Any] = {}

    params["after"] = after

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/workspaces/{ws}/events/stream".format(
            ws=quote(str(ws), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | list[WorkspaceEvent] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.text
        for response_200_item_data in _response_200:
            response_200_item = WorkspaceEvent.from_dict(response_200_item_data)

            response_200.append(response_200_item)

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
) -> Response[Problem | list[WorkspaceEvent]]:
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
    after: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> Response[Problem | list[WorkspaceEvent]]:
    """Follow the workspace's events live, as Server-Sent Events (viewer)

     Follow the workspace's events live, as Server-Sent Events (viewer). Each event's data is a
    `WorkspaceEvent` and its SSE id is its cursor. Starts after `after` (or `Last-Event-ID`, which
    EventSource sends on reconnect); with neither, from now (only new events). Resuming from an id
    yields every later event exactly once.

    Args:
        ws (str):
        after (str | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[WorkspaceEvent]]
    """

    kwargs = _get_kwargs(
        ws=ws,
        after=after,
        last_event_id=last_event_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    ws: str,
    *,
    client: AuthenticatedClient,
    after: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> Problem | list[WorkspaceEvent] | None:
    """Follow the workspace's events live, as Server-Sent Events (viewer)

     Follow the workspace's events live, as Server-Sent Events (viewer). Each event's data is a
    `WorkspaceEvent` and its SSE id is its cursor. Starts after `after` (or `Last-Event-ID`, which
    EventSource sends on reconnect); with neither, from now (only new events). Resuming from an id
    yields every later event exactly once.

    Args:
        ws (str):
        after (str | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[WorkspaceEvent]
    """

    return sync_detailed(
        ws=ws,
        client=client,
        after=after,
        last_event_id=last_event_id,
    ).parsed


async def asyncio_detailed(
    ws: str,
    *,
    client: AuthenticatedClient,
    after: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> Response[Problem | list[WorkspaceEvent]]:
    """Follow the workspace's events live, as Server-Sent Events (viewer)

     Follow the workspace's events live, as Server-Sent Events (viewer). Each event's data is a
    `WorkspaceEvent` and its SSE id is its cursor. Starts after `after` (or `Last-Event-ID`, which
    EventSource sends on reconnect); with neither, from now (only new events). Resuming from an id
    yields every later event exactly once.

    Args:
        ws (str):
        after (str | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[WorkspaceEvent]]
    """

    kwargs = _get_kwargs(
        ws=ws,
        after=after,
        last_event_id=last_event_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    ws: str,
    *,
    client: AuthenticatedClient,
    after: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> Problem | list[WorkspaceEvent] | None:
    """Follow the workspace's events live, as Server-Sent Events (viewer)

     Follow the workspace's events live, as Server-Sent Events (viewer). Each event's data is a
    `WorkspaceEvent` and its SSE id is its cursor. Starts after `after` (or `Last-Event-ID`, which
    EventSource sends on reconnect); with neither, from now (only new events). Resuming from an id
    yields every later event exactly once.

    Args:
        ws (str):
        after (str | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[WorkspaceEvent]
    """

    return (
        await asyncio_detailed(
            ws=ws,
            client=client,
            after=after,
            last_event_id=last_event_id,
        )
    ).parsed
