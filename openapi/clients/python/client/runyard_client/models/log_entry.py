from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

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
    """

    attempt: int
    body: str
    created_at: datetime.datetime
    seq: int
    stream: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        body = self.body

        created_at = self.created_at.isoformat()

        seq = self.seq

        stream = self.stream

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

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        body = d.pop("body")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        seq = d.pop("seq")

        stream = d.pop("stream")

        log_entry = cls(
            attempt=attempt,
            body=body,
            created_at=created_at,
            seq=seq,
            stream=stream,
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
