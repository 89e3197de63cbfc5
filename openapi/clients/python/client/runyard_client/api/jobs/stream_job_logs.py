from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.log_level import LogLevel
from ...models.log_stream_item import LogStreamItem
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    ws: str,
    id: UUID,
    *,
    after_seq: int | Unset = UNSET,
    level: LogLevel | Unset = UNSET,
    step: int | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(last_event_id, Unset):
        headers["Last-Event-ID"] = last_event_id

    params: dict[str, Any] = {}

    params["after_seq"] = after_seq

    json_level: str | Unset = UNSET
    if not isinstance(level, Unset):
        json_level = level.value

    params["level"] = json_level

    params["step"] = step

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/workspaces/{ws}/runner-jobs/{id}/logs/stream".format(
            ws=quote(str(ws), safe=""),
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | list[LogStreamItem] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.text
        for response_200_item_data in _response_200:
            response_200_item = LogStreamItem.from_dict(response_200_item_data)

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
) -> Response[Problem | list[LogStreamItem]]:
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
    after_seq: int | Unset = UNSET,
    level: LogLevel | Unset = UNSET,
    step: int | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> Response[Problem | list[LogStreamItem]]:
    """Follow a job's log live, as Server-Sent Events (viewer): `event: log` per line, with the line's
    `seq` as the event id, then `event: end` once the job has finished and every line was sent

     Follow a job's log live, as Server-Sent Events (viewer): `event: log` per line, with the line's
    `seq` as the event id, then `event: end` once the job has finished and every line was sent.
    Reconnect with `Last-Event-ID` (or `after_seq`) to resume without gaps or repeats. `level` and
    `step` filter as on the page read.

    Args:
        ws (str):
        id (UUID):
        after_seq (int | Unset):
        level (LogLevel | Unset): How much a log line matters, least first.
        step (int | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[LogStreamItem]]
    """

    kwargs = _get_kwargs(
        ws=ws,
        id=id,
        after_seq=after_seq,
        level=level,
        step=step,
        last_event_id=last_event_id,
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
    after_seq: int | Unset = UNSET,
    level: LogLevel | Unset = UNSET,
    step: int | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> Problem | list[LogStreamItem] | None:
    """Follow a job's log live, as Server-Sent Events (viewer): `event: log` per line, with the line's
    `seq` as the event id, then `event: end` once the job has finished and every line was sent

     Follow a job's log live, as Server-Sent Events (viewer): `event: log` per line, with the line's
    `seq` as the event id, then `event: end` once the job has finished and every line was sent.
    Reconnect with `Last-Event-ID` (or `after_seq`) to resume without gaps or repeats. `level` and
    `step` filter as on the page read.

    Args:
        ws (str):
        id (UUID):
        after_seq (int | Unset):
        level (LogLevel | Unset): How much a log line matters, least first.
        step (int | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[LogStreamItem]
    """

    return sync_detailed(
        ws=ws,
        id=id,
        client=client,
        after_seq=after_seq,
        level=level,
        step=step,
        last_event_id=last_event_id,
    ).parsed


async def asyncio_detailed(
    ws: str,
    id: UUID,
    *,
    client: AuthenticatedClient,
    after_seq: int | Unset = UNSET,
    level: LogLevel | Unset = UNSET,
    step: int | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> Response[Problem | list[LogStreamItem]]:
    """Follow a job's log live, as Server-Sent Events (viewer): `event: log` per line, with the line's
    `seq` as the event id, then `event: end` once the job has finished and every line was sent

     Follow a job's log live, as Server-Sent Events (viewer): `event: log` per line, with the line's
    `seq` as the event id, then `event: end` once the job has finished and every line was sent.
    Reconnect with `Last-Event-ID` (or `after_seq`) to resume without gaps or repeats. `level` and
    `step` filter as on the page read.

    Args:
        ws (str):
        id (UUID):
        after_seq (int | Unset):
        level (LogLevel | Unset): How much a log line matters, least first.
        step (int | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[LogStreamItem]]
    """

    kwargs = _get_kwargs(
        ws=ws,
        id=id,
        after_seq=after_seq,
        level=level,
        step=step,
        last_event_id=last_event_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    ws: str,
    id: UUID,
    *,
    client: AuthenticatedClient,
    after_seq: int | Unset = UNSET,
    level: LogLevel | Unset = UNSET,
    step: int | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> Problem | list[LogStreamItem] | None:
    """Follow a job's log live, as Server-Sent Events (viewer): `event: log` per line, with the line's
    `seq` as the event id, then `event: end` once the job has finished and every line was sent

     Follow a job's log live, as Server-Sent Events (viewer): `event: log` per line, with the line's
    `seq` as the event id, then `event: end` once the job has finished and every line was sent.
    Reconnect with `Last-Event-ID` (or `after_seq`) to resume without gaps or repeats. `level` and
    `step` filter as on the page read.

    Args:
        ws (str):
        id (UUID):
        after_seq (int | Unset):
        level (LogLevel | Unset): How much a log line matters, least first.
        step (int | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[LogStreamItem]
    """

    return (
        await asyncio_detailed(
            ws=ws,
            id=id,
            client=client,
            after_seq=after_seq,
            level=level,
            step=step,
            last_event_id=last_event_id,
        )
    ).parsed
