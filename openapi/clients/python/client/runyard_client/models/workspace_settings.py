from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="WorkspaceSettings")


@_attrs_define
class WorkspaceSettings:
    """A workspace's limits and sweeps. Absent (null) means no limit / off.

    Attributes:
        redact_pattern (str): Values under object keys matching this regular expression (case-insensitive,
            anywhere in the key, at any depth) are shown to users as `"[redacted]"`.
        auto_pause_after_seconds (int | None | Unset): Pause active agent tasks after this many seconds without activity
            (no job event
            or log line); heartbeats alone are not activity.
        max_artifact_bytes (int | None | Unset): At most this many bytes of artifact content in the workspace; uploads
            past it get
            429.
        max_queued_jobs (int | None | Unset): At most this many jobs QUEUED or PENDING; enqueues past it get 429.
        max_running_jobs (int | None | Unset): At most this many jobs RUNNING at once; claims hand out no more until
            some finish.
        retention_days (int | None | Unset): Finished jobs (with steps, logs, artifacts, events) are deleted this many
            days
            after they finished.
    """

    redact_pattern: str
    auto_pause_after_seconds: int | None | Unset = UNSET
    max_artifact_bytes: int | None | Unset = UNSET
    max_queued_jobs: int | None | Unset = UNSET
    max_running_jobs: int | None | Unset = UNSET
    retention_days: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        redact_pattern = self.redact_pattern

        auto_pause_after_seconds: int | None | Unset
        if isinstance(self.auto_pause_after_seconds, Unset):
            auto_pause_after_seconds = UNSET
        else:
            auto_pause_after_seconds = self.auto_pause_after_seconds

        max_artifact_bytes: int | None | Unset
        if isinstance(self.max_artifact_bytes, Unset):
            max_artifact_bytes = UNSET
        else:
            max_artifact_bytes = self.max_artifact_bytes

        max_queued_jobs: int | None | Unset
        if isinstance(self.max_queued_jobs, Unset):
            max_queued_jobs = UNSET
        else:
            max_queued_jobs = self.max_queued_jobs

        max_running_jobs: int | None | Unset
        if isinstance(self.max_running_jobs, Unset):
            max_running_jobs = UNSET
        else:
            max_running_jobs = self.max_running_jobs

        retention_days: int | None | Unset
        if isinstance(self.retention_days, Unset):
            retention_days = UNSET
        else:
            retention_days = self.retention_days

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "redact_pattern": redact_pattern,
            }
        )
        if auto_pause_after_seconds is not UNSET:
            field_dict["auto_pause_after_seconds"] = auto_pause_after_seconds
        if max_artifact_bytes is not UNSET:
            field_dict["max_artifact_bytes"] = max_artifact_bytes
        if max_queued_jobs is not UNSET:
            field_dict["max_queued_jobs"] = max_queued_jobs
        if max_running_jobs is not UNSET:
            field_dict["max_running_jobs"] = max_running_jobs
        if retention_days is not UNSET:
            field_dict["retention_days"] = retention_days

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        redact_pattern = d.pop("redact_pattern")

        def _parse_auto_pause_after_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        auto_pause_after_seconds = _parse_auto_pause_after_seconds(d.pop("auto_pause_after_seconds", UNSET))

        def _parse_max_artifact_bytes(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_artifact_bytes = _parse_max_artifact_bytes(d.pop("max_artifact_bytes", UNSET))

        def _parse_max_queued_jobs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_queued_jobs = _parse_max_queued_jobs(d.pop("max_queued_jobs", UNSET))

        def _parse_max_running_jobs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_running_jobs = _parse_max_running_jobs(d.pop("max_running_jobs", UNSET))

        def _parse_retention_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        retention_days = _parse_retention_days(d.pop("retention_days", UNSET))

        workspace_settings = cls(
            redact_pattern=redact_pattern,
            auto_pause_after_seconds=auto_pause_after_seconds,
            max_artifact_bytes=max_artifact_bytes,
            max_queued_jobs=max_queued_jobs,
            max_running_jobs=max_running_jobs,
            retention_days=retention_days,
        )

        workspace_settings.additional_properties = d
        return workspace_settings

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
