from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.job import Job
from ...models.problem import Problem
from ...models.suspend_request import SuspendRequest
from ...types import Response


def _get_kwargs(
    id: UUID,
    *,
    body: SuspendRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/runner/jobs/{id}/suspend".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Job | Problem | None:
    if response.status_code == 200:
        response_200 = Job.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Job | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: SuspendRequest,
) -> Response[Job | Problem]:
    """Suspend the job to wait for something outside (a batch, a reply, a webhook): the lease ends and the
    job is `SUSPENDED` until `poll_after_seconds` or `until`, when it is `QUEUED` again (within one
    sweep), or until a user wakes it or sends it a command

     Attempts: the next claim is attempt + 1, as every claim is, so calls about the
    suspended attempt are fenced off (409 `lease_lost`); but a suspend spends no
    attempt: `suspensions` grows by one and is added to `max_attempts` wherever
    attempts are counted. `state` (up to 64 KiB) is handed to the next claims as
    `suspended_state`, until the job suspends again. A job whose cancel was asked is
    `CANCELLED` instead.

    Args:
        id (UUID):
        body (SuspendRequest): Suspend a job until a poll time, spending no attempt.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Job | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: SuspendRequest,
) -> Job | Problem | None:
    """Suspend the job to wait for something outside (a batch, a reply, a webhook): the lease ends and the
    job is `SUSPENDED` until `poll_after_seconds` or `until`, when it is `QUEUED` again (within one
    sweep), or until a user wakes it or sends it a command

     Attempts: the next claim is attempt + 1, as every claim is, so calls about the
    suspended attempt are fenced off (409 `lease_lost`); but a suspend spends no
    attempt: `suspensions` grows by one and is added to `max_attempts` wherever
    attempts are counted. `state` (up to 64 KiB) is handed to the next claims as
    `suspended_state`, until the job suspends again. A job whose cancel was asked is
    `CANCELLED` instead.

    Args:
        id (UUID):
        body (SuspendRequest): Suspend a job until a poll time, spending no attempt.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Job | Problem
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: SuspendRequest,
) -> Response[Job | Problem]:
    """Suspend the job to wait for something outside (a batch, a reply, a webhook): the lease ends and the
    job is `SUSPENDED` until `poll_after_seconds` or `until`, when it is `QUEUED` again (within one
    sweep), or until a user wakes it or sends it a command

     Attempts: the next claim is attempt + 1, as every claim is, so calls about the
    suspended attempt are fenced off (409 `lease_lost`); but a suspend spends no
    attempt: `suspensions` grows by one and is added to `max_attempts` wherever
    attempts are counted. `state` (up to 64 KiB) is handed to the next claims as
    `suspended_state`, until the job suspends again. A job whose cancel was asked is
    `CANCELLED` instead.

    Args:
        id (UUID):
        body (SuspendRequest): Suspend a job until a poll time, spending no attempt.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Job | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: SuspendRequest,
) -> Job | Problem | None:
    """Suspend the job to wait for something outside (a batch, a reply, a webhook): the lease ends and the
    job is `SUSPENDED` until `poll_after_seconds` or `until`, when it is `QUEUED` again (within one
    sweep), or until a user wakes it or sends it a command

     Attempts: the next claim is attempt + 1, as every claim is, so calls about the
    suspended attempt are fenced off (409 `lease_lost`); but a suspend spends no
    attempt: `suspensions` grows by one and is added to `max_attempts` wherever
    attempts are counted. `state` (up to 64 KiB) is handed to the next claims as
    `suspended_state`, until the job suspends again. A job whose cancel was asked is
    `CANCELLED` instead.

    Args:
        id (UUID):
        body (SuspendRequest): Suspend a job until a poll time, spending no attempt.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Job | Problem
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
        )
    ).parsed
