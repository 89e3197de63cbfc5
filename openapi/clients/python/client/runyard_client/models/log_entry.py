from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="LogEntry")


@_attrs_define
class LogEntry:
    """A log line as stored.

    Attributes:
        attempt (int):
        body (str):
        created_at (datetime.datetime):
        seq (int):
        stream (str): `stdout`, `stderr` or `system`.
        level (None | str | Unset): `debug`, `info`, `warn` or `error`, when the runner gave one.
        metadata (Any | Unset):
        step_ordinal (int | None | Unset):
    """

    attempt: int
    body: str
    created_at: datetime.datetime
    seq: int
    stream: str
    level: None | str | Unset = UNSET
    metadata: Any | Unset = UNSET
    step_ordinal: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        body = self.body

        created_at = self.created_at.isoformat()

        seq = self.seq

        stream = self.stream

        level: None | str | Unset
        if isinstance(self.level, Unset):
            level = UNSET
        else:
            level = self.level

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
                "body": body,
                "created_at": created_at,
                "seq": seq,
                "stream": stream,
            }
        )
        if level is not UNSET:
            field_dict["level"] = level
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if step_ordinal is not UNSET:
            field_dict["step_ordinal"] = step_ordinal

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        body = d.pop("body")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        seq = d.pop("seq")

        stream = d.pop("stream")

        def _parse_level(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        level = _parse_level(d.pop("level", UNSET))

        metadata = d.pop("metadata", UNSET)

        def _parse_step_ordinal(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        step_ordinal = _parse_step_ordinal(d.pop("step_ordinal", UNSET))

        log_entry = cls(
            attempt=attempt,
            body=body,
            created_at=created_at,
            seq=seq,
            stream=stream,
            level=level,
            metadata=metadata,
            step_ordinal=step_ordinal,
        )

        log_entry.additional_properties = d
        return log_entry

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
