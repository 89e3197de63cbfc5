from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="AckCommand")


@_attrs_define
class AckCommand:
    """Acknowledge a command.

    Attributes:
        attempt (int):
        result (Any | Unset): What came of it; shown with the command.
    """

    attempt: int
    result: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        result = self.result

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "attempt": attempt,
            }
        )
        if result is not UNSET:
            field_dict["result"] = result

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        result = d.pop("result", UNSET)

        ack_command = cls(
            attempt=attempt,
            result=result,
        )

        return ack_command
