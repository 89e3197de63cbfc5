from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.ai_call_status import AiCallStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="AiCall")


@_attrs_define
class AiCall:
    """A recorded model call.

    Attributes:
        attempt (int):
        cost_usd (str): Exact US dollars as a decimal string, as recorded.
        created_at (datetime.datetime):
        id (UUID):
        input_tokens (int):
        job_id (UUID):
        latency_ms (int):
        model (str):
        output_tokens (int):
        provider (str):
        started_at (datetime.datetime):
        status (AiCallStatus): How a model call ended.
        batch_id (None | str | Unset):
        cached_tokens (int | None | Unset):
        error (None | str | Unset):
        metadata (Any | Unset):
        step_ordinal (int | None | Unset):
    """

    attempt: int
    cost_usd: str
    created_at: datetime.datetime
    id: UUID
    input_tokens: int
    job_id: UUID
    latency_ms: int
    model: str
    output_tokens: int
    provider: str
    started_at: datetime.datetime
    status: AiCallStatus
    batch_id: None | str | Unset = UNSET
    cached_tokens: int | None | Unset = UNSET
    error: None | str | Unset = UNSET
    metadata: Any | Unset = UNSET
    step_ordinal: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        cost_usd = self.cost_usd

        created_at = self.created_at.isoformat()

        id = str(self.id)

        input_tokens = self.input_tokens

        job_id = str(self.job_id)

        latency_ms = self.latency_ms

        model = self.model

        output_tokens = self.output_tokens

        provider = self.provider

        started_at = self.started_at.isoformat()

        status = self.status.value

        batch_id: None | str | Unset
        if isinstance(self.batch_id, Unset):
            batch_id = UNSET
        else:
            batch_id = self.batch_id

        cached_tokens: int | None | Unset
        if isinstance(self.cached_tokens, Unset):
            cached_tokens = UNSET
        else:
            cached_tokens = self.cached_tokens

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        metadata = self.metadata

        step_ordinal: int | None | Unset
        if isinstance(self.step_ordinal, Unset):
            step_ordinal = UNSET
        else:
            step_ordinal = self.step_ordinal

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempt": attempt,
                "cost_usd": cost_usd,
                "created_at": created_at,
                "id": id,
                "input_tokens": input_tokens,
                "job_id": job_id,
                "latency_ms": latency_ms,
                "model": model,
                "output_tokens": output_tokens,
                "provider": provider,
                "started_at": started_at,
                "status": status,
            }
        )
        if batch_id is not UNSET:
            field_dict["batch_id"] = batch_id
        if cached_tokens is not UNSET:
            field_dict["cached_tokens"] = cached_tokens
        if error is not UNSET:
            field_dict["error"] = error
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if step_ordinal is not UNSET:
            field_dict["step_ordinal"] = step_ordinal

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        cost_usd = d.pop("cost_usd")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        input_tokens = d.pop("input_tokens")

        job_id = UUID(d.pop("job_id"))

        latency_ms = d.pop("latency_ms")

        model = d.pop("model")

        output_tokens = d.pop("output_tokens")

        provider = d.pop("provider")

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        status = AiCallStatus(d.pop("status"))

        def _parse_batch_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        batch_id = _parse_batch_id(d.pop("batch_id", UNSET))

        def _parse_cached_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        cached_tokens = _parse_cached_tokens(d.pop("cached_tokens", UNSET))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        metadata = d.pop("metadata", UNSET)

        def _parse_step_ordinal(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        step_ordinal = _parse_step_ordinal(d.pop("step_ordinal", UNSET))

        ai_call = cls(
            attempt=attempt,
            cost_usd=cost_usd,
            created_at=created_at,
            id=id,
            input_tokens=input_tokens,
            job_id=job_id,
            latency_ms=latency_ms,
            model=model,
            output_tokens=output_tokens,
            provider=provider,
            started_at=started_at,
            status=status,
            batch_id=batch_id,
            cached_tokens=cached_tokens,
            error=error,
            metadata=metadata,
            step_ordinal=step_ordinal,
        )

        ai_call.additional_properties = d
        return ai_call

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
