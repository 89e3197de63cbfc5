import datetime
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.usage_group_by import UsageGroupBy
from ...models.usage_report import UsageReport
from ...types import UNSET, Response, Unset


def _get_kwargs(
    ws: str,
    *,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    group_by: UsageGroupBy | Unset = UNSET,
    then_by: UsageGroupBy | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    params: dict[str, Any] = {}

    json_from_: str | Unset = UNSET
    if not isinstance(from_, Unset):
        json_from_ = from_.isoformat()
    params["from"] = json_from_

    json_to: str | Unset = UNSET
    if not isinstance(to, Unset):
        json_to = to.isoformat()
    params["to"] = json_to

    json_group_by: str | Unset = UNSET
    if not isinstance(group_by, Unset):
        json_group_by = group_by.value

    params["group_by"] = json_group_by

    json_then_by: str | Unset = UNSET
    if not isinstance(then_by, Unset):
        json_then_by = then_by.value

    params["then_by"] = json_then_by

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/workspaces/{ws}/usage".format(
            ws=quote(str(ws), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | UsageReport | None:
    if response.status_code == 200:
        response_200 = UsageReport.from_dict(response.json())

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
) -> Response[Any | Problem | UsageReport]:
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
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    group_by: UsageGroupBy | Unset = UNSET,
    then_by: UsageGroupBy | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | Problem | UsageReport]:
    """The workspace's usage over `[from, to)` grouped by `group_by` (viewer), the costliest group first,
    at most 1000 groups

     The workspace's usage over `[from, to)` grouped by `group_by` (viewer), the costliest group first,
    at most 1000 groups. A job counts its model calls when it has any, else the tokens and cost its
    steps reported; calls count by when they started, step-reported usage by when its step started.
    Defaults: the last 30 days, by model.

    Args:
        ws (str):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        group_by (UsageGroupBy | Unset): What the usage roll-up groups by.
        then_by (UsageGroupBy | Unset): What the usage roll-up groups by.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | UsageReport]
    """

    kwargs = _get_kwargs(
        ws=ws,
        from_=from_,
        to=to,
        group_by=group_by,
        then_by=then_by,
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
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    group_by: UsageGroupBy | Unset = UNSET,
    then_by: UsageGroupBy | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | Problem | UsageReport | None:
    """The workspace's usage over `[from, to)` grouped by `group_by` (viewer), the costliest group first,
    at most 1000 groups

     The workspace's usage over `[from, to)` grouped by `group_by` (viewer), the costliest group first,
    at most 1000 groups. A job counts its model calls when it has any, else the tokens and cost its
    steps reported; calls count by when they started, step-reported usage by when its step started.
    Defaults: the last 30 days, by model.

    Args:
        ws (str):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        group_by (UsageGroupBy | Unset): What the usage roll-up groups by.
        then_by (UsageGroupBy | Unset): What the usage roll-up groups by.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | UsageReport
    """

    return sync_detailed(
        ws=ws,
        client=client,
        from_=from_,
        to=to,
        group_by=group_by,
        then_by=then_by,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    ws: str,
    *,
    client: AuthenticatedClient,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    group_by: UsageGroupBy | Unset = UNSET,
    then_by: UsageGroupBy | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | Problem | UsageReport]:
    """The workspace's usage over `[from, to)` grouped by `group_by` (viewer), the costliest group first,
    at most 1000 groups

     The workspace's usage over `[from, to)` grouped by `group_by` (viewer), the costliest group first,
    at most 1000 groups. A job counts its model calls when it has any, else the tokens and cost its
    steps reported; calls count by when they started, step-reported usage by when its step started.
    Defaults: the last 30 days, by model.

    Args:
        ws (str):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        group_by (UsageGroupBy | Unset): What the usage roll-up groups by.
        then_by (UsageGroupBy | Unset): What the usage roll-up groups by.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | UsageReport]
    """

    kwargs = _get_kwargs(
        ws=ws,
        from_=from_,
        to=to,
        group_by=group_by,
        then_by=then_by,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    ws: str,
    *,
    client: AuthenticatedClient,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    group_by: UsageGroupBy | Unset = UNSET,
    then_by: UsageGroupBy | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | Problem | UsageReport | None:
    """The workspace's usage over `[from, to)` grouped by `group_by` (viewer), the costliest group first,
    at most 1000 groups

     The workspace's usage over `[from, to)` grouped by `group_by` (viewer), the costliest group first,
    at most 1000 groups. A job counts its model calls when it has any, else the tokens and cost its
    steps reported; calls count by when they started, step-reported usage by when its step started.
    Defaults: the last 30 days, by model.

    Args:
        ws (str):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        group_by (UsageGroupBy | Unset): What the usage roll-up groups by.
        then_by (UsageGroupBy | Unset): What the usage roll-up groups by.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | UsageReport
    """

    return (
        await asyncio_detailed(
            ws=ws,
            client=client,
            from_=from_,
            to=to,
            group_by=group_by,
            then_by=then_by,
            if_none_match=if_none_match,
        )
    ).parsed
