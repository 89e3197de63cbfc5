from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PausedRequest")


@_attrs_define
class PausedRequest:
    """Hand a job back because its task is pausing.

    Attributes:
        attempt (int):
        snapshot (Any): What the job needs to resume (e.g. the conversation log so far). Replaces the
            task's previous snapshot.
    """

    attempt: int
    snapshot: Any

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        snapshot = self.snapshot

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "attempt": attempt,
                "snapshot": snapshot,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        snapshot = d.pop("snapshot")

        paused_request = cls(
            attempt=attempt,
            snapshot=snapshot,
        )

        return paused_request
