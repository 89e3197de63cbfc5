from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.step import Step
from ...models.step_report_in import StepReportIn
from ...types import Response


def _get_kwargs(
    id: UUID,
    ordinal: int,
    *,
    body: StepReportIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/runner/jobs/{id}/steps/{ordinal}".format(
            id=quote(str(id), safe=""),
            ordinal=quote(str(ordinal), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | Step | None:
    if response.status_code == 200:
        response_200 = Step.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | Step]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: UUID,
    ordinal: int,
    *,
    client: AuthenticatedClient,
    body: StepReportIn,
) -> Response[Problem | Step]:
    """Create or update the step at `ordinal` (0-based)

     Create or update the step at `ordinal` (0-based). Status changes are recorded as job events.

    Args:
        id (UUID):
        ordinal (int):
        body (StepReportIn): A step, as the runner reports it (created or replaced by ordinal).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Step]
    """

    kwargs = _get_kwargs(
        id=id,
        ordinal=ordinal,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    ordinal: int,
    *,
    client: AuthenticatedClient,
    body: StepReportIn,
) -> Problem | Step | None:
    """Create or update the step at `ordinal` (0-based)

     Create or update the step at `ordinal` (0-based). Status changes are recorded as job events.

    Args:
        id (UUID):
        ordinal (int):
        body (StepReportIn): A step, as the runner reports it (created or replaced by ordinal).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Step
    """

    return sync_detailed(
        id=id,
        ordinal=ordinal,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    ordinal: int,
    *,
    client: AuthenticatedClient,
    body: StepReportIn,
) -> Response[Problem | Step]:
    """Create or update the step at `ordinal` (0-based)

     Create or update the step at `ordinal` (0-based). Status changes are recorded as job events.

    Args:
        id (UUID):
        ordinal (int):
        body (StepReportIn): A step, as the runner reports it (created or replaced by ordinal).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Step]
    """

    kwargs = _get_kwargs(
        id=id,
        ordinal=ordinal,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    ordinal: int,
    *,
    client: AuthenticatedClient,
    body: StepReportIn,
) -> Problem | Step | None:
    """Create or update the step at `ordinal` (0-based)

     Create or update the step at `ordinal` (0-based). Status changes are recorded as job events.

    Args:
        id (UUID):
        ordinal (int):
        body (StepReportIn): A step, as the runner reports it (created or replaced by ordinal).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Step
    """

    return (
        await asyncio_detailed(
            id=id,
            ordinal=ordinal,
            client=client,
            body=body,
        )
    ).parsed
