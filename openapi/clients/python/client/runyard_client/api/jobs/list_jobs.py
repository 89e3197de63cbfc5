from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.job_list import JobList
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    ws: str,
    *,
    status: str | Unset = UNSET,
    type_: str | Unset = UNSET,
    agent_task_id: UUID | Unset = UNSET,
    label: str | Unset = UNSET,
    failure_kind: str | Unset = UNSET,
    awaiting_approval: bool | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    params: dict[str, Any] = {}

    params["status"] = status

    params["type"] = type_

    json_agent_task_id: str | Unset = UNSET
    if not isinstance(agent_task_id, Unset):
        json_agent_task_id = str(agent_task_id)
    params["agent_task_id"] = json_agent_task_id

    params["label"] = label

    params["failure_kind"] = failure_kind

    params["awaiting_approval"] = awaiting_approval

    params["cursor"] = cursor

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/workspaces/{ws}/runner-jobs".format(
            ws=quote(str(ws), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | JobList | Problem | None:
    if response.status_code == 200:
        response_200 = JobList.from_dict(response.json())

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
) -> Response[Any | JobList | Problem]:
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
    status: str | Unset = UNSET,
    type_: str | Unset = UNSET,
    agent_task_id: UUID | Unset = UNSET,
    label: str | Unset = UNSET,
    failure_kind: str | Unset = UNSET,
    awaiting_approval: bool | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | JobList | Problem]:
    """List jobs, newest first (viewer)

     List jobs, newest first (viewer). Filters combine; `status` and `label` take comma-separated lists
    (any of the statuses; all of the labels).

    Args:
        ws (str):
        status (str | Unset):
        type_ (str | Unset):
        agent_task_id (UUID | Unset):
        label (str | Unset):
        failure_kind (str | Unset):
        awaiting_approval (bool | Unset):
        cursor (str | Unset):
        limit (int | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | JobList | Problem]
    """

    kwargs = _get_kwargs(
        ws=ws,
        status=status,
        type_=type_,
        agent_task_id=agent_task_id,
        label=label,
        failure_kind=failure_kind,
        awaiting_approval=awaiting_approval,
        cursor=cursor,
        limit=limit,
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
    status: str | Unset = UNSET,
    type_: str | Unset = UNSET,
    agent_task_id: UUID | Unset = UNSET,
    label: str | Unset = UNSET,
    failure_kind: str | Unset = UNSET,
    awaiting_approval: bool | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | JobList | Problem | None:
    """List jobs, newest first (viewer)

     List jobs, newest first (viewer). Filters combine; `status` and `label` take comma-separated lists
    (any of the statuses; all of the labels).

    Args:
        ws (str):
        status (str | Unset):
        type_ (str | Unset):
        agent_task_id (UUID | Unset):
        label (str | Unset):
        failure_kind (str | Unset):
        awaiting_approval (bool | Unset):
        cursor (str | Unset):
        limit (int | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | JobList | Problem
    """

    return sync_detailed(
        ws=ws,
        client=client,
        status=status,
        type_=type_,
        agent_task_id=agent_task_id,
        label=label,
        failure_kind=failure_kind,
        awaiting_approval=awaiting_approval,
        cursor=cursor,
        limit=limit,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    ws: str,
    *,
    client: AuthenticatedClient,
    status: str | Unset = UNSET,
    type_: str | Unset = UNSET,
    agent_task_id: UUID | Unset = UNSET,
    label: str | Unset = UNSET,
    failure_kind: str | Unset = UNSET,
    awaiting_approval: bool | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | JobList | Problem]:
    """List jobs, newest first (viewer)

     List jobs, newest first (viewer). Filters combine; `status` and `label` take comma-separated lists
    (any of the statuses; all of the labels).

    Args:
        ws (str):
        status (str | Unset):
        type_ (str | Unset):
        agent_task_id (UUID | Unset):
        label (str | Unset):
        failure_kind (str | Unset):
        awaiting_approval (bool | Unset):
        cursor (str | Unset):
        limit (int | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | JobList | Problem]
    """

    kwargs = _get_kwargs(
        ws=ws,
        status=status,
        type_=type_,
        agent_task_id=agent_task_id,
        label=label,
        failure_kind=failure_kind,
        awaiting_approval=awaiting_approval,
        cursor=cursor,
        limit=limit,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    ws: str,
    *,
    client: AuthenticatedClient,
    status: str | Unset = UNSET,
    type_: str | Unset = UNSET,
    agent_task_id: UUID | Unset = UNSET,
    label: str | Unset = UNSET,
    failure_kind: str | Unset = UNSET,
    awaiting_approval: bool | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | JobList | Problem | None:
    """List jobs, newest first (viewer)

     List jobs, newest first (viewer). Filters combine; `status` and `label` take comma-separated lists
    (any of the statuses; all of the labels).

    Args:
        ws (str):
        status (str | Unset):
        type_ (str | Unset):
        agent_task_id (UUID | Unset):
        label (str | Unset):
        failure_kind (str | Unset):
        awaiting_approval (bool | Unset):
        cursor (str | Unset):
        limit (int | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | JobList | Problem
    """

    return (
        await asyncio_detailed(
            ws=ws,
            client=client,
            status=status,
            type_=type_,
            agent_task_id=agent_task_id,
            label=label,
            failure_kind=failure_kind,
            awaiting_approval=awaiting_approval,
            cursor=cursor,
            limit=limit,
            if_none_match=if_none_match,
        )
    ).parsed
