from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.agent_task import AgentTask
    from ..models.job import Job
    from ..models.snapshot_info import SnapshotInfo
    from ..models.usage import Usage


T = TypeVar("T", bound="TaskDetail")


@_attrs_define
class TaskDetail:
    """A task with its newest jobs and its snapshot's description.

    Attributes:
        jobs (list[Job]): Up to 100 of the task's jobs, newest first (list all with
            `GET .../runner-jobs?agent_task_id=`).
        task (AgentTask):
        usage (Usage): What a job, a task, a group or a workspace used. A job counts its model calls when it
            has any, else the tokens and cost its steps reported (never both).
        snapshot (None | SnapshotInfo | Unset):
    """

    jobs: list[Job]
    task: AgentTask
    usage: Usage
    snapshot: None | SnapshotInfo | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.snapshot_info import SnapshotInfo  # noqa: PLC0415

        jobs = []
        for jobs_item_data in self.jobs:
            jobs_item = jobs_item_data.to_dict()
            jobs.append(jobs_item)

        task = self.task.to_dict()

        usage = self.usage.to_dict()

        snapshot: dict[str, Any] | None | Unset
        if isinstance(self.snapshot, Unset):
            snapshot = UNSET
        elif isinstance(self.snapshot, SnapshotInfo):
            snapshot = self.snapshot.to_dict()
        else:
            snapshot = self.snapshot

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "jobs": jobs,
                "task": task,
                "usage": usage,
            }
        )
        if snapshot is not UNSET:
            field_dict["snapshot"] = snapshot

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_task import AgentTask  # noqa: PLC0415
        from ..models.job import Job  # noqa: PLC0415
        from ..models.snapshot_info import SnapshotInfo  # noqa: PLC0415
        from ..models.usage import Usage  # noqa: PLC0415

        d = dict(src_dict)
        jobs = []
        _jobs = d.pop("jobs")
        for jobs_item_data in _jobs:
            jobs_item = Job.from_dict(jobs_item_data)

            jobs.append(jobs_item)

        task = AgentTask.from_dict(d.pop("task"))

        usage = Usage.from_dict(d.pop("usage"))

        def _parse_snapshot(data: object) -> None | SnapshotInfo | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                snapshot_type_0 = SnapshotInfo.from_dict(data)

                return snapshot_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SnapshotInfo | Unset, data)

        snapshot = _parse_snapshot(d.pop("snapshot", UNSET))

        task_detail = cls(
            jobs=jobs,
            task=task,
            usage=usage,
            snapshot=snapshot,
        )

        task_detail.additional_properties = d
        return task_detail

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
