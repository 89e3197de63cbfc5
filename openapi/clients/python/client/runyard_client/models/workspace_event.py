from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_source import EventSource
from ..types import UNSET, Unset

T = TypeVar("T", bound="WorkspaceEvent")


@_attrs_define
class WorkspaceEvent:
    """One event of the workspace feed: a job event or a task event.

    Attributes:
        actor (str):
        created_at (datetime.datetime):
        cursor (str): This event's place in the feed: pass it as `after` (or `Last-Event-ID`) to continue
            after it.
        id (UUID):
        payload (Any):
        seq (int): Per job (or per task), gap-free, from 1.
        source (EventSource): What a workspace event is about.
        type_ (str): e.g. `job_created`, `job_claimed`, `job_completed`, `task_manual_pause`.
        job_id (None | Unset | UUID): The job, for job events.
        step_id (None | Unset | UUID):
        task_id (None | Unset | UUID): The task, for task events.
    """

    actor: str
    created_at: datetime.datetime
    cursor: str
    id: UUID
    payload: Any
    seq: int
    source: EventSource
    type_: str
    job_id: None | Unset | UUID = UNSET
    step_id: None | Unset | UUID = UNSET
    task_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actor = self.actor

        created_at = self.created_at.isoformat()

        cursor = self.cursor

        id = str(self.id)

        payload = self.payload

        seq = self.seq

        source = self.source.value

        type_ = self.type_

        job_id: None | str | Unset
        if isinstance(self.job_id, Unset):
            job_id = UNSET
        elif isinstance(self.job_id, UUID):
            job_id = str(self.job_id)
        else:
            job_id = self.job_id

        step_id: None | str | Unset
        if isinstance(self.step_id, Unset):
            step_id = UNSET
        elif isinstance(self.step_id, UUID):
            step_id = str(self.step_id)
        else:
            step_id = self.step_id

        task_id: None | str | Unset
        if isinstance(self.task_id, Unset):
            task_id = UNSET
        elif isinstance(self.task_id, UUID):
            task_id = str(self.task_id)
        else:
            task_id = self.task_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actor": actor,
                "created_at": created_at,
                "cursor": cursor,
                "id": id,
                "payload": payload,
                "seq": seq,
                "source": source,
                "type": type_,
            }
        )
        if job_id is not UNSET:
            field_dict["job_id"] = job_id
        if step_id is not UNSET:
            field_dict["step_id"] = step_id
        if task_id is not UNSET:
            field_dict["task_id"] = task_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        actor = d.pop("actor")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        cursor = d.pop("cursor")

        id = UUID(d.pop("id"))

        payload = d.pop("payload")

        seq = d.pop("seq")

        source = EventSource(d.pop("source"))

        type_ = d.pop("type")

        def _parse_job_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                job_id_type_0 = UUID(data)

                return job_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        job_id = _parse_job_id(d.pop("job_id", UNSET))

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

        def _parse_task_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                task_id_type_0 = UUID(data)

                return task_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        task_id = _parse_task_id(d.pop("task_id", UNSET))

        workspace_event = cls(
            actor=actor,
            created_at=created_at,
            cursor=cursor,
            id=id,
            payload=payload,
            seq=seq,
            source=source,
            type_=type_,
            job_id=job_id,
            step_id=step_id,
            task_id=task_id,
        )

        workspace_event.additional_properties = d
        return workspace_event

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
