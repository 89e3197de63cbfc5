from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TaskEvent")


@_attrs_define
class TaskEvent:
    """
    Attributes:
        actor (str):
        created_at (datetime.datetime):
        id (UUID):
        payload (Any):
        seq (int): Per task, gap-free, from 1.
        task_id (UUID):
        type_ (str):
    """

    actor: str
    created_at: datetime.datetime
    id: UUID
    payload: Any
    seq: int
    task_id: UUID
    type_: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actor = self.actor

        created_at = self.created_at.isoformat()

        id = str(self.id)

        payload = self.payload

        seq = self.seq

        task_id = str(self.task_id)

        type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actor": actor,
                "created_at": created_at,
                "id": id,
                "payload": payload,
                "seq": seq,
                "task_id": task_id,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        actor = d.pop("actor")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        payload = d.pop("payload")

        seq = d.pop("seq")

        task_id = UUID(d.pop("task_id"))

        type_ = d.pop("type")

        task_event = cls(
            actor=actor,
            created_at=created_at,
            id=id,
            payload=payload,
            seq=seq,
            task_id=task_id,
            type_=type_,
        )

        task_event.additional_properties = d
        return task_event

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
