from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.pause_kind import PauseKind
from ..models.task_status import TaskStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="AgentTask")


@_attrs_define
class AgentTask:
    """
    Attributes:
        created_at (datetime.datetime):
        created_by (str):
        id (UUID):
        last_activity_at (datetime.datetime): When the task last did something (created, got a job, resumed).
        metadata (Any):
        status (TaskStatus):
        title (str):
        updated_at (datetime.datetime):
        workspace_id (UUID):
        finished_at (datetime.datetime | None | Unset):
        pause_kind (None | PauseKind | Unset): How the current (or pending) pause came about.
        pause_reason (None | str | Unset):
        pause_requested_at (datetime.datetime | None | Unset): Set while a pause waits for running jobs to hand back
            their snapshots.
        paused_at (datetime.datetime | None | Unset):
    """

    created_at: datetime.datetime
    created_by: str
    id: UUID
    last_activity_at: datetime.datetime
    metadata: Any
    status: TaskStatus
    title: str
    updated_at: datetime.datetime
    workspace_id: UUID
    finished_at: datetime.datetime | None | Unset = UNSET
    pause_kind: None | PauseKind | Unset = UNSET
    pause_reason: None | str | Unset = UNSET
    pause_requested_at: datetime.datetime | None | Unset = UNSET
    paused_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        created_by = self.created_by

        id = str(self.id)

        last_activity_at = self.last_activity_at.isoformat()

        metadata = self.metadata

        status = self.status.value

        title = self.title

        updated_at = self.updated_at.isoformat()

        workspace_id = str(self.workspace_id)

        finished_at: None | str | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        elif isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        pause_kind: None | str | Unset
        if isinstance(self.pause_kind, Unset):
            pause_kind = UNSET
        elif isinstance(self.pause_kind, PauseKind):
            pause_kind = self.pause_kind.value
        else:
            pause_kind = self.pause_kind

        pause_reason: None | str | Unset
        if isinstance(self.pause_reason, Unset):
            pause_reason = UNSET
        else:
            pause_reason = self.pause_reason

        pause_requested_at: None | str | Unset
        if isinstance(self.pause_requested_at, Unset):
            pause_requested_at = UNSET
        elif isinstance(self.pause_requested_at, datetime.datetime):
            pause_requested_at = self.pause_requested_at.isoformat()
        else:
            pause_requested_at = self.pause_requested_at

        paused_at: None | str | Unset
        if isinstance(self.paused_at, Unset):
            paused_at = UNSET
        elif isinstance(self.paused_at, datetime.datetime):
            paused_at = self.paused_at.isoformat()
        else:
            paused_at = self.paused_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "created_by": created_by,
                "id": id,
                "last_activity_at": last_activity_at,
                "metadata": metadata,
                "status": status,
                "title": title,
                "updated_at": updated_at,
                "workspace_id": workspace_id,
            }
        )
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if pause_kind is not UNSET:
            field_dict["pause_kind"] = pause_kind
        if pause_reason is not UNSET:
            field_dict["pause_reason"] = pause_reason
        if pause_requested_at is not UNSET:
            field_dict["pause_requested_at"] = pause_requested_at
        if paused_at is not UNSET:
            field_dict["paused_at"] = paused_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        created_by = d.pop("created_by")

        id = UUID(d.pop("id"))

        last_activity_at = datetime.datetime.fromisoformat(d.pop("last_activity_at"))

        metadata = d.pop("metadata")

        status = TaskStatus(d.pop("status"))

        title = d.pop("title")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        workspace_id = UUID(d.pop("workspace_id"))

        def _parse_finished_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finished_at", UNSET))

        def _parse_pause_kind(data: object) -> None | PauseKind | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                pause_kind_type_0 = PauseKind(data)

                return pause_kind_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PauseKind | Unset, data)

        pause_kind = _parse_pause_kind(d.pop("pause_kind", UNSET))

        def _parse_pause_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        pause_reason = _parse_pause_reason(d.pop("pause_reason", UNSET))

        def _parse_pause_requested_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                pause_requested_at_type_0 = datetime.datetime.fromisoformat(data)

                return pause_requested_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        pause_requested_at = _parse_pause_requested_at(d.pop("pause_requested_at", UNSET))

        def _parse_paused_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                paused_at_type_0 = datetime.datetime.fromisoformat(data)

                return paused_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        paused_at = _parse_paused_at(d.pop("paused_at", UNSET))

        agent_task = cls(
            created_at=created_at,
            created_by=created_by,
            id=id,
            last_activity_at=last_activity_at,
            metadata=metadata,
            status=status,
            title=title,
            updated_at=updated_at,
            workspace_id=workspace_id,
            finished_at=finished_at,
            pause_kind=pause_kind,
            pause_reason=pause_reason,
            pause_requested_at=pause_requested_at,
            paused_at=paused_at,
        )

        agent_task.additional_properties = d
        return agent_task

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
