from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.job_detail import JobDetail
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    ws: str,
    id: UUID,
    *,
    attempt: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    params: dict[str, Any] = {}

    params["attempt"] = attempt

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/workspaces/{ws}/runner-jobs/{id}".format(
            ws=quote(str(ws), safe=""),
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | JobDetail | Problem | None:
    if response.status_code == 200:
        response_200 = JobDetail.from_dict(response.json())

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
) -> Response[Any | JobDetail | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    ws: str,
    id: UUID,
    *,
    client: AuthenticatedClient,
    attempt: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | JobDetail | Problem]:
    """One job with its steps and first events (viewer)

     One job with its steps and first events (viewer). The steps are those of its current attempt;
    `attempt` reads an earlier one's.

    Args:
        ws (str):
        id (UUID):
        attempt (int | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | JobDetail | Problem]
    """

    kwargs = _get_kwargs(
        ws=ws,
        id=id,
        attempt=attempt,
        if_none_match=if_none_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    ws: str,
    id: UUID,
    *,
    client: AuthenticatedClient,
    attempt: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | JobDetail | Problem | None:
    """One job with its steps and first events (viewer)

     One job with its steps and first events (viewer). The steps are those of its current attempt;
    `attempt` reads an earlier one's.

    Args:
        ws (str):
        id (UUID):
        attempt (int | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | JobDetail | Problem
    """

    return sync_detailed(
        ws=ws,
        id=id,
        client=client,
        attempt=attempt,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    ws: str,
    id: UUID,
    *,
    client: AuthenticatedClient,
    attempt: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | JobDetail | Problem]:
    """One job with its steps and first events (viewer)

     One job with its steps and first events (viewer). The steps are those of its current attempt;
    `attempt` reads an earlier one's.

    Args:
        ws (str):
        id (UUID):
        attempt (int | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | JobDetail | Problem]
    """

    kwargs = _get_kwargs(
        ws=ws,
        id=id,
        attempt=attempt,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    ws: str,
    id: UUID,
    *,
    client: AuthenticatedClient,
    attempt: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | JobDetail | Problem | None:
    """One job with its steps and first events (viewer)

     One job with its steps and first events (viewer). The steps are those of its current attempt;
    `attempt` reads an earlier one's.

    Args:
        ws (str):
        id (UUID):
        attempt (int | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | JobDetail | Problem
    """

    return (
        await asyncio_detailed(
            ws=ws,
            id=id,
            client=client,
            attempt=attempt,
            if_none_match=if_none_match,
        )
    ).parsed
