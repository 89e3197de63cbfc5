import datetime
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.log_level import LogLevel
from ...models.log_list import LogList
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    ws: str,
    id: UUID,
    *,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    level: LogLevel | Unset = UNSET,
    step: int | Unset = UNSET,
    after_seq: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    params: dict[str, Any] = {}

    json_since: str | Unset = UNSET
    if not isinstance(since, Unset):
        json_since = since.isoformat()
    params["since"] = json_since

    json_until: str | Unset = UNSET
    if not isinstance(until, Unset):
        json_until = until.isoformat()
    params["until"] = json_until

    json_level: str | Unset = UNSET
    if not isinstance(level, Unset):
        json_level = level.value

    params["level"] = json_level

    params["step"] = step

    params["after_seq"] = after_seq

    params["cursor"] = cursor

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/workspaces/{ws}/runner-jobs/{id}/logs".format(
            ws=quote(str(ws), safe=""),
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | LogList | Problem | None:
    if response.status_code == 200:
        response_200 = LogList.from_dict(response.json())

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
) -> Response[Any | LogList | Problem]:
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
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    level: LogLevel | Unset = UNSET,
    step: int | Unset = UNSET,
    after_seq: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | LogList | Problem]:
    """A page of a job's log lines in `seq` order, after `after_seq` (viewer), optionally only those
    written in `[since, until)`, at `level` or above (a line without a level counts as `info`), or of
    one `step`

     A page of a job's log lines in `seq` order, after `after_seq` (viewer), optionally only those
    written in `[since, until)`, at `level` or above (a line without a level counts as `info`), or of
    one `step`.

    Args:
        ws (str):
        id (UUID):
        since (datetime.datetime | Unset):
        until (datetime.datetime | Unset):
        level (LogLevel | Unset): How much a log line matters, least first.
        step (int | Unset):
        after_seq (int | Unset):
        cursor (str | Unset):
        limit (int | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | LogList | Problem]
    """

    kwargs = _get_kwargs(
        ws=ws,
        id=id,
        since=since,
        until=until,
        level=level,
        step=step,
        after_seq=after_seq,
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
    id: UUID,
    *,
    client: AuthenticatedClient,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    level: LogLevel | Unset = UNSET,
    step: int | Unset = UNSET,
    after_seq: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | LogList | Problem | None:
    """A page of a job's log lines in `seq` order, after `after_seq` (viewer), optionally only those
    written in `[since, until)`, at `level` or above (a line without a level counts as `info`), or of
    one `step`

     A page of a job's log lines in `seq` order, after `after_seq` (viewer), optionally only those
    written in `[since, until)`, at `level` or above (a line without a level counts as `info`), or of
    one `step`.

    Args:
        ws (str):
        id (UUID):
        since (datetime.datetime | Unset):
        until (datetime.datetime | Unset):
        level (LogLevel | Unset): How much a log line matters, least first.
        step (int | Unset):
        after_seq (int | Unset):
        cursor (str | Unset):
        limit (int | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | LogList | Problem
    """

    return sync_detailed(
        ws=ws,
        id=id,
        client=client,
        since=since,
        until=until,
        level=level,
        step=step,
        after_seq=after_seq,
        cursor=cursor,
        limit=limit,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    ws: str,
    id: UUID,
    *,
    client: AuthenticatedClient,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    level: LogLevel | Unset = UNSET,
    step: int | Unset = UNSET,
    after_seq: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | LogList | Problem]:
    """A page of a job's log lines in `seq` order, after `after_seq` (viewer), optionally only those
    written in `[since, until)`, at `level` or above (a line without a level counts as `info`), or of
    one `step`

     A page of a job's log lines in `seq` order, after `after_seq` (viewer), optionally only those
    written in `[since, until)`, at `level` or above (a line without a level counts as `info`), or of
    one `step`.

    Args:
        ws (str):
        id (UUID):
        since (datetime.datetime | Unset):
        until (datetime.datetime | Unset):
        level (LogLevel | Unset): How much a log line matters, least first.
        step (int | Unset):
        after_seq (int | Unset):
        cursor (str | Unset):
        limit (int | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | LogList | Problem]
    """

    kwargs = _get_kwargs(
        ws=ws,
        id=id,
        since=since,
        until=until,
        level=level,
        step=step,
        after_seq=after_seq,
        cursor=cursor,
        limit=limit,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    ws: str,
    id: UUID,
    *,
    client: AuthenticatedClient,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    level: LogLevel | Unset = UNSET,
    step: int | Unset = UNSET,
    after_seq: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | LogList | Problem | None:
    """A page of a job's log lines in `seq` order, after `after_seq` (viewer), optionally only those
    written in `[since, until)`, at `level` or above (a line without a level counts as `info`), or of
    one `step`

     A page of a job's log lines in `seq` order, after `after_seq` (viewer), optionally only those
    written in `[since, until)`, at `level` or above (a line without a level counts as `info`), or of
    one `step`.

    Args:
        ws (str):
        id (UUID):
        since (datetime.datetime | Unset):
        until (datetime.datetime | Unset):
        level (LogLevel | Unset): How much a log line matters, least first.
        step (int | Unset):
        after_seq (int | Unset):
        cursor (str | Unset):
        limit (int | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | LogList | Problem
    """

    return (
        await asyncio_detailed(
            ws=ws,
            id=id,
            client=client,
            since=since,
            until=until,
            level=level,
            step=step,
            after_seq=after_seq,
            cursor=cursor,
            limit=limit,
            if_none_match=if_none_match,
        )
    ).parsed
