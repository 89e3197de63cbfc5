from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_job_batch import CreateJobBatch
from ...models.job_batch import JobBatch
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    ws: str,
    *,
    body: CreateJobBatch,
    traceparent: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(traceparent, Unset):
        headers["traceparent"] = traceparent

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/workspaces/{ws}/runner-jobs/batch".format(
            ws=quote(str(ws), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> JobBatch | Problem | None:
    if response.status_code == 201:
        response_201 = JobBatch.from_dict(response.json())

        return response_201

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

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[JobBatch | Problem]:
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
    body: CreateJobBatch,
    traceparent: str | Unset = UNSET,
) -> Response[JobBatch | Problem]:
    """Create and enqueue up to 1000 jobs in one transaction (member): all or none

     Create and enqueue up to 1000 jobs in one transaction (member): all or none.

    Args:
        ws (str):
        traceparent (str | Unset):
        body (CreateJobBatch): Many jobs to enqueue together: all or none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[JobBatch | Problem]
    """

    kwargs = _get_kwargs(
        ws=ws,
        body=body,
        traceparent=traceparent,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    ws: str,
    *,
    client: AuthenticatedClient,
    body: CreateJobBatch,
    traceparent: str | Unset = UNSET,
) -> JobBatch | Problem | None:
    """Create and enqueue up to 1000 jobs in one transaction (member): all or none

     Create and enqueue up to 1000 jobs in one transaction (member): all or none.

    Args:
        ws (str):
        traceparent (str | Unset):
        body (CreateJobBatch): Many jobs to enqueue together: all or none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        JobBatch | Problem
    """

    return sync_detailed(
        ws=ws,
        client=client,
        body=body,
        traceparent=traceparent,
    ).parsed


async def asyncio_detailed(
    ws: str,
    *,
    client: AuthenticatedClient,
    body: CreateJobBatch,
    traceparent: str | Unset = UNSET,
) -> Response[JobBatch | Problem]:
    """Create and enqueue up to 1000 jobs in one transaction (member): all or none

     Create and enqueue up to 1000 jobs in one transaction (member): all or none.

    Args:
        ws (str):
        traceparent (str | Unset):
        body (CreateJobBatch): Many jobs to enqueue together: all or none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[JobBatch | Problem]
    """

    kwargs = _get_kwargs(
        ws=ws,
        body=body,
        traceparent=traceparent,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    ws: str,
    *,
    client: AuthenticatedClient,
    body: CreateJobBatch,
    traceparent: str | Unset = UNSET,
) -> JobBatch | Problem | None:
    """Create and enqueue up to 1000 jobs in one transaction (member): all or none

     Create and enqueue up to 1000 jobs in one transaction (member): all or none.

    Args:
        ws (str):
        traceparent (str | Unset):
        body (CreateJobBatch): Many jobs to enqueue together: all or none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        JobBatch | Problem
    """

    return (
        await asyncio_detailed(
            ws=ws,
            client=client,
            body=body,
            traceparent=traceparent,
        )
    ).parsed
