from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.command import Command


T = TypeVar("T", bound="HeartbeatResponse")


@_attrs_define
class HeartbeatResponse:
    """
    Attributes:
        cancel_requested (bool): Stop the job and report it failed: a user cancelled it.
        commands (list[Command]): Commands this attempt has not been handed yet, in seq order: each reaches an
            attempt once (and the next attempt again until acknowledged).
        lease_expires_at (datetime.datetime):
        pause_requested (bool): Hand the job back with a snapshot: its task is being paused.
    """

    cancel_requested: bool
    commands: list[Command]
    lease_expires_at: datetime.datetime
    pause_requested: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cancel_requested = self.cancel_requested

        commands = []
        for commands_item_data in self.commands:
            commands_item = commands_item_data.to_dict()
            commands.append(commands_item)

        lease_expires_at = self.lease_expires_at.isoformat()

        pause_requested = self.pause_requested

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cancel_requested": cancel_requested,
                "commands": commands,
                "lease_expires_at": lease_expires_at,
                "pause_requested": pause_requested,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.command import Command  # noqa: PLC0415

        d = dict(src_dict)
        cancel_requested = d.pop("cancel_requested")

        commands = []
        _commands = d.pop("commands")
        for commands_item_data in _commands:
            commands_item = Command.from_dict(commands_item_data)

            commands.append(commands_item)

        lease_expires_at = datetime.datetime.fromisoformat(d.pop("lease_expires_at"))

        pause_requested = d.pop("pause_requested")

        heartbeat_response = cls(
            cancel_requested=cancel_requested,
            commands=commands,
            lease_expires_at=lease_expires_at,
            pause_requested=pause_requested,
        )

        heartbeat_response.additional_properties = d
        return heartbeat_response

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
