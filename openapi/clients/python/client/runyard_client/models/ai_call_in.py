from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.ai_call_status import AiCallStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="AiCallIn")


@_attrs_define
class AiCallIn:
    """One model call, as a runner reports it.

    Attributes:
        cost_usd (str): Exact US dollars as a decimal string, e.g. `"0.004250"`; never a JSON number.
        id (UUID): Chosen by the client (a UUID): sending the same call again is a no-op, a different
            call under the same id is a 409.
        input_tokens (int):
        latency_ms (int):
        model (str): e.g. `claude-sonnet-4-5`, 1–200 characters.
        output_tokens (int):
        provider (str): e.g. `anthropic`, 1–100 characters.
        started_at (datetime.datetime):
        status (AiCallStatus): How a model call ended.
        batch_id (None | str | Unset): Groups calls sent as one provider batch, 1–200 characters.
        cached_tokens (int | None | Unset): Input tokens served from a cache (a part of `input_tokens`).
        error (None | str | Unset): What went wrong, for `status: error` (at most 10000 characters).
        metadata (Any | Unset): Free-form JSON object, at most 16 KiB serialised.
        step_ordinal (int | None | Unset): The step (its ordinal) the call belongs to.
    """

    cost_usd: str
    id: UUID
    input_tokens: int
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

    def to_dict(self) -> dict[str, Any]:
        cost_usd = self.cost_usd

        id = str(self.id)

        input_tokens = self.input_tokens

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

        field_dict.update(
            {
                "cost_usd": cost_usd,
                "id": id,
                "input_tokens": input_tokens,
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
        cost_usd = d.pop("cost_usd")

        id = UUID(d.pop("id"))

        input_tokens = d.pop("input_tokens")

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

        ai_call_in = cls(
            cost_usd=cost_usd,
            id=id,
            input_tokens=input_tokens,
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

        return ai_call_in
