from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.artifact import Artifact
from ...models.problem import Problem
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    id: UUID,
    name: str,
    *,
    body: File,
    attempt: int,
    step: int | Unset = UNSET,
    metadata: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["attempt"] = attempt

    params["step"] = step

    params["metadata"] = metadata

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/runner/jobs/{id}/artifacts/{name}".format(
            id=quote(str(id), safe=""),
            name=quote(str(name), safe=""),
        ),
        "params": params,
    }

    _kwargs["content"] = body.payload
    headers["Content-Type"] = "application/octet-stream"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Artifact | Problem | None:
    if response.status_code == 201:
        response_201 = Artifact.from_dict(response.json())

        return response_201

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Artifact | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: UUID,
    name: str,
    *,
    client: AuthenticatedClient,
    body: File,
    attempt: int,
    step: int | Unset = UNSET,
    metadata: str | Unset = UNSET,
) -> Response[Artifact | Problem]:
    """Upload an artifact: the raw body is its content, `Content-Type` its type; `step` and `metadata` (a
    JSON object, as JSON text) describe it

     Upload an artifact: the raw body is its content, `Content-Type` its type; `step` and `metadata` (a
    JSON object, as JSON text) describe it. An artifact of the same name is replaced. Past the
    workspace's `max_artifact_bytes`: 429.

    Args:
        id (UUID):
        name (str):
        attempt (int):
        step (int | Unset):
        metadata (str | Unset):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Artifact | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        name=name,
        body=body,
        attempt=attempt,
        step=step,
        metadata=metadata,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    name: str,
    *,
    client: AuthenticatedClient,
    body: File,
    attempt: int,
    step: int | Unset = UNSET,
    metadata: str | Unset = UNSET,
) -> Artifact | Problem | None:
    """Upload an artifact: the raw body is its content, `Content-Type` its type; `step` and `metadata` (a
    JSON object, as JSON text) describe it

     Upload an artifact: the raw body is its content, `Content-Type` its type; `step` and `metadata` (a
    JSON object, as JSON text) describe it. An artifact of the same name is replaced. Past the
    workspace's `max_artifact_bytes`: 429.

    Args:
        id (UUID):
        name (str):
        attempt (int):
        step (int | Unset):
        metadata (str | Unset):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Artifact | Problem
    """

    return sync_detailed(
        id=id,
        name=name,
        client=client,
        body=body,
        attempt=attempt,
        step=step,
        metadata=metadata,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    name: str,
    *,
    client: AuthenticatedClient,
    body: File,
    attempt: int,
    step: int | Unset = UNSET,
    metadata: str | Unset = UNSET,
) -> Response[Artifact | Problem]:
    """Upload an artifact: the raw body is its content, `Content-Type` its type; `step` and `metadata` (a
    JSON object, as JSON text) describe it

     Upload an artifact: the raw body is its content, `Content-Type` its type; `step` and `metadata` (a
    JSON object, as JSON text) describe it. An artifact of the same name is replaced. Past the
    workspace's `max_artifact_bytes`: 429.

    Args:
        id (UUID):
        name (str):
        attempt (int):
        step (int | Unset):
        metadata (str | Unset):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Artifact | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        name=name,
        body=body,
        attempt=attempt,
        step=step,
        metadata=metadata,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    name: str,
    *,
    client: AuthenticatedClient,
    body: File,
    attempt: int,
    step: int | Unset = UNSET,
    metadata: str | Unset = UNSET,
) -> Artifact | Problem | None:
    """Upload an artifact: the raw body is its content, `Content-Type` its type; `step` and `metadata` (a
    JSON object, as JSON text) describe it

     Upload an artifact: the raw body is its content, `Content-Type` its type; `step` and `metadata` (a
    JSON object, as JSON text) describe it. An artifact of the same name is replaced. Past the
    workspace's `max_artifact_bytes`: 429.

    Args:
        id (UUID):
        name (str):
        attempt (int):
        step (int | Unset):
        metadata (str | Unset):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Artifact | Problem
    """

    return (
        await asyncio_detailed(
            id=id,
            name=name,
            client=client,
            body=body,
            attempt=attempt,
            step=step,
            metadata=metadata,
        )
    ).parsed
