from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.log_stream import LogStream

T = TypeVar("T", bound="LogEntryIn")


@_attrs_define
class LogEntryIn:
    """One log line from a runner.

    Attributes:
        body (str):
        seq (int): Chosen by the runner, from 1, increasing; resending a seq with the same body is a
            no-op.
        stream (LogStream):
    """

    body: str
    seq: int
    stream: LogStream

    def to_dict(self) -> dict[str, Any]:
        body = self.body

        seq = self.seq

        stream = self.stream.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "body": body,
                "seq": seq,
                "stream": stream,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        body = d.pop("body")

        seq = d.pop("seq")

        stream = LogStream(d.pop("stream"))

        log_entry_in = cls(
            body=body,
            seq=seq,
            stream=stream,
        )

        return log_entry_in
