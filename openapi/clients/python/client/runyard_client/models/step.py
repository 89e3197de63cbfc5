from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Step")


@_attrs_define
class Step:
    """
    Attributes:
        attempt (int): The attempt it belongs to.
        id (UUID):
        name (str):
        ordinal (int):
        phase (str): `SETUP`, `EXECUTION`, `VALIDATION` or `CLEANUP`.
        status (str): `PENDING`, `RUNNING`, `COMPLETED`, `FAILED` or `SKIPPED`.
        type_ (str): `COMMAND`, `AI_ACTION`, `GATE` or `ARTIFACT`.
        updated_at (datetime.datetime):
        completed_at (datetime.datetime | None | Unset):
        cost (float | None | Unset):
        duration_ms (int | None | Unset):
        input_tokens (int | None | Unset):
        output (Any | Unset):
        output_tokens (int | None | Unset):
        started_at (datetime.datetime | None | Unset):
    """

    attempt: int
    id: UUID
    name: str
    ordinal: int
    phase: str
    status: str
    type_: str
    updated_at: datetime.datetime
    completed_at: datetime.datetime | None | Unset = UNSET
    cost: float | None | Unset = UNSET
    duration_ms: int | None | Unset = UNSET
    input_tokens: int | None | Unset = UNSET
    output: Any | Unset = UNSET
    output_tokens: int | None | Unset = UNSET
    started_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        id = str(self.id)

        name = self.name

        ordinal = self.ordinal

        phase = self.phase

        status = self.status

        type_ = self.type_

        updated_at = self.updated_at.isoformat()

        completed_at: None | str | Unset
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        elif isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        cost: float | None | Unset
        if isinstance(self.cost, Unset):
            cost = UNSET
        else:
            cost = self.cost

        duration_ms: int | None | Unset
        if isinstance(self.duration_ms, Unset):
            duration_ms = UNSET
        else:
            duration_ms = self.duration_ms

        input_tokens: int | None | Unset
        if isinstance(self.input_tokens, Unset):
            input_tokens = UNSET
        else:
            input_tokens = self.input_tokens

        output = self.output

        output_tokens: int | None | Unset
        if isinstance(self.output_tokens, Unset):
            output_tokens = UNSET
        else:
            output_tokens = self.output_tokens

        started_at: None | str | Unset
        if isinstance(self.started_at, Unset):
            started_at = UNSET
        elif isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempt": attempt,
                "id": id,
                "name": name,
                "ordinal": ordinal,
                "phase": phase,
                "status": status,
                "type": type_,
                "updated_at": updated_at,
            }
        )
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if cost is not UNSET:
            field_dict["cost"] = cost
        if duration_ms is not UNSET:
            field_dict["duration_ms"] = duration_ms
        if input_tokens is not UNSET:
            field_dict["input_tokens"] = input_tokens
        if output is not UNSET:
            field_dict["output"] = output
        if output_tokens is not UNSET:
            field_dict["output_tokens"] = output_tokens
        if started_at is not UNSET:
            field_dict["started_at"] = started_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        id = UUID(d.pop("id"))

        name = d.pop("name")

        ordinal = d.pop("ordinal")

        phase = d.pop("phase")

        status = d.pop("status")

        type_ = d.pop("type")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_completed_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        completed_at = _parse_completed_at(d.pop("completed_at", UNSET))

        def _parse_cost(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        cost = _parse_cost(d.pop("cost", UNSET))

        def _parse_duration_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        duration_ms = _parse_duration_ms(d.pop("duration_ms", UNSET))

        def _parse_input_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        input_tokens = _parse_input_tokens(d.pop("input_tokens", UNSET))

        output = d.pop("output", UNSET)

        def _parse_output_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        output_tokens = _parse_output_tokens(d.pop("output_tokens", UNSET))

        def _parse_started_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        started_at = _parse_started_at(d.pop("started_at", UNSET))

        step = cls(
            attempt=attempt,
            id=id,
            name=name,
            ordinal=ordinal,
            phase=phase,
            status=status,
            type_=type_,
            updated_at=updated_at,
            completed_at=completed_at,
            cost=cost,
            duration_ms=duration_ms,
            input_tokens=input_tokens,
            output=output,
            output_tokens=output_tokens,
            started_at=started_at,
        )

        step.additional_properties = d
        return step

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
