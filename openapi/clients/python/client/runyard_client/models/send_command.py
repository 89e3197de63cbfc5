from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SendCommand")


@_attrs_define
class SendCommand:
    """Send a command to a job.

    Attributes:
        type_ (str): What kind of command, 1–100 characters (e.g. `user_turn`, `steer`).
        payload (Any | Unset): Free-form content, up to 64 KiB of JSON (default `{}`).
    """

    type_: str
    payload: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        payload = self.payload

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
            }
        )
        if payload is not UNSET:
            field_dict["payload"] = payload

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = d.pop("type")

        payload = d.pop("payload", UNSET)

        send_command = cls(
            type_=type_,
            payload=payload,
        )

        return send_command
