from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.runner_commands import RunnerCommands
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: UUID,
    *,
    attempt: int,
    after_seq: int | Unset = UNSET,
    wait_seconds: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    params: dict[str, Any] = {}

    params["attempt"] = attempt

    params["after_seq"] = after_seq

    params["wait_seconds"] = wait_seconds

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/runner/jobs/{id}/commands".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | RunnerCommands | None:
    if response.status_code == 200:
        response_200 = RunnerCommands.from_dict(response.json())

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
) -> Response[Any | Problem | RunnerCommands]:
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
    attempt: int,
    after_seq: int | Unset = UNSET,
    wait_seconds: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | Problem | RunnerCommands]:
    """The job's unacknowledged commands with a greater seq than `after_seq`, in seq order; with
    `wait_seconds` (0–60), waits for one to arrive (woken by the database, not by polling) and answers
    an empty list at the deadline

     The job's unacknowledged commands with a greater seq than `after_seq`, in seq order; with
    `wait_seconds` (0–60), waits for one to arrive (woken by the database, not by polling) and answers
    an empty list at the deadline. 409 `lease_lost` when this runner does not hold `attempt`.

    Args:
        id (UUID):
        attempt (int):
        after_seq (int | Unset):
        wait_seconds (int | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | RunnerCommands]
    """

    kwargs = _get_kwargs(
        id=id,
        attempt=attempt,
        after_seq=after_seq,
        wait_seconds=wait_seconds,
        if_none_match=if_none_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient,
    attempt: int,
    after_seq: int | Unset = UNSET,
    wait_seconds: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | Problem | RunnerCommands | None:
    """The job's unacknowledged commands with a greater seq than `after_seq`, in seq order; with
    `wait_seconds` (0–60), waits for one to arrive (woken by the database, not by polling) and answers
    an empty list at the deadline

     The job's unacknowledged commands with a greater seq than `after_seq`, in seq order; with
    `wait_seconds` (0–60), waits for one to arrive (woken by the database, not by polling) and answers
    an empty list at the deadline. 409 `lease_lost` when this runner does not hold `attempt`.

    Args:
        id (UUID):
        attempt (int):
        after_seq (int | Unset):
        wait_seconds (int | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | RunnerCommands
    """

    return sync_detailed(
        id=id,
        client=client,
        attempt=attempt,
        after_seq=after_seq,
        wait_seconds=wait_seconds,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    attempt: int,
    after_seq: int | Unset = UNSET,
    wait_seconds: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | Problem | RunnerCommands]:
    """The job's unacknowledged commands with a greater seq than `after_seq`, in seq order; with
    `wait_seconds` (0–60), waits for one to arrive (woken by the database, not by polling) and answers
    an empty list at the deadline

     The job's unacknowledged commands with a greater seq than `after_seq`, in seq order; with
    `wait_seconds` (0–60), waits for one to arrive (woken by the database, not by polling) and answers
    an empty list at the deadline. 409 `lease_lost` when this runner does not hold `attempt`.

    Args:
        id (UUID):
        attempt (int):
        after_seq (int | Unset):
        wait_seconds (int | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | RunnerCommands]
    """

    kwargs = _get_kwargs(
        id=id,
        attempt=attempt,
        after_seq=after_seq,
        wait_seconds=wait_seconds,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient,
    attempt: int,
    after_seq: int | Unset = UNSET,
    wait_seconds: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | Problem | RunnerCommands | None:
    """The job's unacknowledged commands with a greater seq than `after_seq`, in seq order; with
    `wait_seconds` (0–60), waits for one to arrive (woken by the database, not by polling) and answers
    an empty list at the deadline

     The job's unacknowledged commands with a greater seq than `after_seq`, in seq order; with
    `wait_seconds` (0–60), waits for one to arrive (woken by the database, not by polling) and answers
    an empty list at the deadline. 409 `lease_lost` when this runner does not hold `attempt`.

    Args:
        id (UUID):
        attempt (int):
        after_seq (int | Unset):
        wait_seconds (int | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | RunnerCommands
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            attempt=attempt,
            after_seq=after_seq,
            wait_seconds=wait_seconds,
            if_none_match=if_none_match,
        )
    ).parsed
