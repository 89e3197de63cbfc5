from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.cancel_job import CancelJob
from ...models.job import Job
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    ws: str,
    id: UUID,
    *,
    body: CancelJob | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/workspaces/{ws}/runner-jobs/{id}/cancel".format(
            ws=quote(str(ws), safe=""),
            id=quote(str(id), safe=""),
        ),
    }

    if not isinstance(body, Unset):
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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Job | Problem]:
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
    body: CancelJob | Unset = UNSET,
) -> Response[Job | Problem]:
    """Cancel a job (member), optionally saying why (the body may be omitted)

     Cancel a job (member), optionally saying why (the body may be omitted). Not running (queued,
    waiting, paused, suspended): `CANCELLED` at once. Running: the job is flagged
    (`cancel_requested_at`) and its runner is told on its next heartbeat. Finished: 409. Who asked and
    why are kept as `cancelled_by` and `cancel_reason`; the job ends with `failure_kind: "cancelled"`.

    Args:
        ws (str):
        id (UUID):
        body (CancelJob | Unset): Cancel a job.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Job | Problem]
    """

    kwargs = _get_kwargs(
        ws=ws,
        id=id,
        body=body,
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
    body: CancelJob | Unset = UNSET,
) -> Job | Problem | None:
    """Cancel a job (member), optionally saying why (the body may be omitted)

     Cancel a job (member), optionally saying why (the body may be omitted). Not running (queued,
    waiting, paused, suspended): `CANCELLED` at once. Running: the job is flagged
    (`cancel_requested_at`) and its runner is told on its next heartbeat. Finished: 409. Who asked and
    why are kept as `cancelled_by` and `cancel_reason`; the job ends with `failure_kind: "cancelled"`.

    Args:
        ws (str):
        id (UUID):
        body (CancelJob | Unset): Cancel a job.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Job | Problem
    """

    return sync_detailed(
        ws=ws,
        id=id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    ws: str,
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: CancelJob | Unset = UNSET,
) -> Response[Job | Problem]:
    """Cancel a job (member), optionally saying why (the body may be omitted)

     Cancel a job (member), optionally saying why (the body may be omitted). Not running (queued,
    waiting, paused, suspended): `CANCELLED` at once. Running: the job is flagged
    (`cancel_requested_at`) and its runner is told on its next heartbeat. Finished: 409. Who asked and
    why are kept as `cancelled_by` and `cancel_reason`; the job ends with `failure_kind: "cancelled"`.

    Args:
        ws (str):
        id (UUID):
        body (CancelJob | Unset): Cancel a job.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Job | Problem]
    """

    kwargs = _get_kwargs(
        ws=ws,
        id=id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    ws: str,
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: CancelJob | Unset = UNSET,
) -> Job | Problem | None:
    """Cancel a job (member), optionally saying why (the body may be omitted)

     Cancel a job (member), optionally saying why (the body may be omitted). Not running (queued,
    waiting, paused, suspended): `CANCELLED` at once. Running: the job is flagged
    (`cancel_requested_at`) and its runner is told on its next heartbeat. Finished: 409. Who asked and
    why are kept as `cancelled_by` and `cancel_reason`; the job ends with `failure_kind: "cancelled"`.

    Args:
        ws (str):
        id (UUID):
        body (CancelJob | Unset): Cancel a job.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Job | Problem
    """

    return (
        await asyncio_detailed(
            ws=ws,
            id=id,
            client=client,
            body=body,
        )
    ).parsed
