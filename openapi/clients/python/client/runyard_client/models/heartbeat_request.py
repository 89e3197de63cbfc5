from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="HeartbeatRequest")


@_attrs_define
class HeartbeatRequest:
    """
    Attributes:
        attempt (int):
        progress (Any | Unset): Free-form progress, shown on the job.
    """

    attempt: int
    progress: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        progress = self.progress

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "attempt": attempt,
            }
        )
        if progress is not UNSET:
            field_dict["progress"] = progress

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        progress = d.pop("progress", UNSET)

        heartbeat_request = cls(
            attempt=attempt,
            progress=progress,
        )

        return heartbeat_request
