from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.command_status import CommandStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="Command")


@_attrs_define
class Command:
    """A command sent to a job. `seq` is gap-free and increasing per job.

    Attributes:
        created_at (datetime.datetime):
        created_by (str): Who sent it: `user:<sub>`.
        payload (Any):
        seq (int):
        status (CommandStatus): Where a command is.
        type_ (str):
        acked_at (datetime.datetime | None | Unset):
        acked_attempt (int | None | Unset): The attempt that acknowledged it, and when.
        delivered_at (datetime.datetime | None | Unset):
        delivered_attempt (int | None | Unset): The attempt it was last handed to, and when.
        result (Any | Unset): What the runner answered with its acknowledgement.
    """

    created_at: datetime.datetime
    created_by: str
    payload: Any
    seq: int
    status: CommandStatus
    type_: str
    acked_at: datetime.datetime | None | Unset = UNSET
    acked_attempt: int | None | Unset = UNSET
    delivered_at: datetime.datetime | None | Unset = UNSET
    delivered_attempt: int | None | Unset = UNSET
    result: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        created_by = self.created_by

        payload = self.payload

        seq = self.seq

        status = self.status.value

        type_ = self.type_

        acked_at: None | str | Unset
        if isinstance(self.acked_at, Unset):
            acked_at = UNSET
        elif isinstance(self.acked_at, datetime.datetime):
            acked_at = self.acked_at.isoformat()
        else:
            acked_at = self.acked_at

        acked_attempt: int | None | Unset
        if isinstance(self.acked_attempt, Unset):
            acked_attempt = UNSET
        else:
            acked_attempt = self.acked_attempt

        delivered_at: None | str | Unset
        if isinstance(self.delivered_at, Unset):
            delivered_at = UNSET
        elif isinstance(self.delivered_at, datetime.datetime):
            delivered_at = self.delivered_at.isoformat()
        else:
            delivered_at = self.delivered_at

        delivered_attempt: int | None | Unset
        if isinstance(self.delivered_attempt, Unset):
            delivered_attempt = UNSET
        else:
            delivered_attempt = self.delivered_attempt

        result = self.result

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "created_by": created_by,
                "payload": payload,
                "seq": seq,
                "status": status,
                "type": type_,
            }
        )
        if acked_at is not UNSET:
            field_dict["acked_at"] = acked_at
        if acked_attempt is not UNSET:
            field_dict["acked_attempt"] = acked_attempt
        if delivered_at is not UNSET:
            field_dict["delivered_at"] = delivered_at
        if delivered_attempt is not UNSET:
            field_dict["delivered_attempt"] = delivered_attempt
        if result is not UNSET:
            field_dict["result"] = result

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        created_by = d.pop("created_by")

        payload = d.pop("payload")

        seq = d.pop("seq")

        status = CommandStatus(d.pop("status"))

        type_ = d.pop("type")

        def _parse_acked_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                acked_at_type_0 = datetime.datetime.fromisoformat(data)

                return acked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        acked_at = _parse_acked_at(d.pop("acked_at", UNSET))

        def _parse_acked_attempt(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        acked_attempt = _parse_acked_attempt(d.pop("acked_attempt", UNSET))

        def _parse_delivered_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                delivered_at_type_0 = datetime.datetime.fromisoformat(data)

                return delivered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        delivered_at = _parse_delivered_at(d.pop("delivered_at", UNSET))

        def _parse_delivered_attempt(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        delivered_attempt = _parse_delivered_attempt(d.pop("delivered_attempt", UNSET))

        result = d.pop("result", UNSET)

        command = cls(
            created_at=created_at,
            created_by=created_by,
            payload=payload,
            seq=seq,
            status=status,
            type_=type_,
            acked_at=acked_at,
            acked_attempt=acked_attempt,
            delivered_at=delivered_at,
            delivered_attempt=delivered_attempt,
            result=result,
        )

        command.additional_properties = d
        return command

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
