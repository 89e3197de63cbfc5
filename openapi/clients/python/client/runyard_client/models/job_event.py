from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="JobEvent")


@_attrs_define
class JobEvent:
    """Something that happened to a job. `seq` is gap-free and increasing per job.

    Attributes:
        actor (str): `user:<sub>`, `runner:<id>` or `system`.
        created_at (datetime.datetime):
        id (UUID):
        job_id (UUID):
        payload (Any):
        seq (int):
        type_ (str): e.g. `job_created`, `job_cancelled`, `job_retried`.
        step_id (None | Unset | UUID):
    """

    actor: str
    created_at: datetime.datetime
    id: UUID
    job_id: UUID
    payload: Any
    seq: int
    type_: str
    step_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actor = self.actor

        created_at = self.created_at.isoformat()

        id = str(self.id)

        job_id = str(self.job_id)

        payload = self.payload

        seq = self.seq

        type_ = self.type_

        step_id: None | str | Unset
        if isinstance(self.step_id, Unset):
            step_id = UNSET
        elif isinstance(self.step_id, UUID):
            step_id = str(self.step_id)
        else:
            step_id = self.step_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actor": actor,
                "created_at": created_at,
                "id": id,
                "job_id": job_id,
                "payload": payload,
                "seq": seq,
                "type": type_,
            }
        )
        if step_id is not UNSET:
            field_dict["step_id"] = step_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        actor = d.pop("actor")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        job_id = UUID(d.pop("job_id"))

        payload = d.pop("payload")

        seq = d.pop("seq")

        type_ = d.pop("type")

        def _parse_step_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                step_id_type_0 = UUID(data)

                return step_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        step_id = _parse_step_id(d.pop("step_id", UNSET))

        job_event = cls(
            actor=actor,
            created_at=created_at,
            id=id,
            job_id=job_id,
            payload=payload,
            seq=seq,
            type_=type_,
            step_id=step_id,
        )

        job_event.additional_properties = d
        return job_event

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
