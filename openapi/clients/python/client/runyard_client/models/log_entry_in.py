from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.log_level import LogLevel
from ..models.log_stream import LogStream
from ..types import UNSET, Unset

T = TypeVar("T", bound="LogEntryIn")


@_attrs_define
class LogEntryIn:
    """One log line from a runner.

    Attributes:
        body (str):
        seq (int): Chosen by the runner, from 1, increasing; resending a seq with the same body is a
            no-op.
        stream (LogStream):
        level (LogLevel | None | Unset):
        metadata (Any | Unset): A JSON object kept with the line (values under secret-looking keys are redacted
            on reads).
        step_ordinal (int | None | Unset): The ordinal of the step the line belongs to.
    """

    body: str
    seq: int
    stream: LogStream
    level: LogLevel | None | Unset = UNSET
    metadata: Any | Unset = UNSET
    step_ordinal: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        body = self.body

        seq = self.seq

        stream = self.stream.value

        level: None | str | Unset
        if isinstance(self.level, Unset):
            level = UNSET
        elif isinstance(self.level, LogLevel):
            level = self.level.value
        else:
            level = self.level

        metadata = self.metadata

        step_ordinal: int | None | Unset
        if isinstance(self.step_ordinal, Unset):
            step_ordinal = UNSET
        else:
            step_ordinal = self.step_ordinal

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "body": body,
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
        body = d.pop("body")

        seq = d.pop("seq")

        stream = LogStream(d.pop("stream"))

        def _parse_level(data: object) -> LogLevel | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                level_type_0 = LogLevel(data)

                return level_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LogLevel | None | Unset, data)

        level = _parse_level(d.pop("level", UNSET))

        metadata = d.pop("metadata", UNSET)

        def _parse_step_ordinal(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        step_ordinal = _parse_step_ordinal(d.pop("step_ordinal", UNSET))

        log_entry_in = cls(
            body=body,
            seq=seq,
            stream=stream,
            level=level,
            metadata=metadata,
            step_ordinal=step_ordinal,
        )

        return log_entry_in
