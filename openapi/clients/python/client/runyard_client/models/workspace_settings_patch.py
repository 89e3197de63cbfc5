from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="WorkspaceSettingsPatch")


@_attrs_define
class WorkspaceSettingsPatch:
    """Changes to a workspace's settings: a value sets, `null` clears, absent keeps.

    Attributes:
        auto_pause_after_seconds (int | None | Unset): 1–2592000 seconds.
        max_artifact_bytes (int | None | Unset): 0–1125899906842624 bytes.
        max_queued_jobs (int | None | Unset): 0–100000000.
        max_running_jobs (int | None | Unset): 0–100000000.
        redact_pattern (None | str | Unset): A regular expression for secret-looking keys; `null` restores the default.
        retention_days (int | None | Unset): 1–36500 days.
    """

    auto_pause_after_seconds: int | None | Unset = UNSET
    max_artifact_bytes: int | None | Unset = UNSET
    max_queued_jobs: int | None | Unset = UNSET
    max_running_jobs: int | None | Unset = UNSET
    redact_pattern: None | str | Unset = UNSET
    retention_days: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
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

        redact_pattern: None | str | Unset
        if isinstance(self.redact_pattern, Unset):
            redact_pattern = UNSET
        else:
            redact_pattern = self.redact_pattern

        retention_days: int | None | Unset
        if isinstance(self.retention_days, Unset):
            retention_days = UNSET
        else:
            retention_days = self.retention_days

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if auto_pause_after_seconds is not UNSET:
            field_dict["auto_pause_after_seconds"] = auto_pause_after_seconds
        if max_artifact_bytes is not UNSET:
            field_dict["max_artifact_bytes"] = max_artifact_bytes
        if max_queued_jobs is not UNSET:
            field_dict["max_queued_jobs"] = max_queued_jobs
        if max_running_jobs is not UNSET:
            field_dict["max_running_jobs"] = max_running_jobs
        if redact_pattern is not UNSET:
            field_dict["redact_pattern"] = redact_pattern
        if retention_days is not UNSET:
            field_dict["retention_days"] = retention_days

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

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

        def _parse_redact_pattern(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        redact_pattern = _parse_redact_pattern(d.pop("redact_pattern", UNSET))

        def _parse_retention_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        retention_days = _parse_retention_days(d.pop("retention_days", UNSET))

        workspace_settings_patch = cls(
            auto_pause_after_seconds=auto_pause_after_seconds,
            max_artifact_bytes=max_artifact_bytes,
            max_queued_jobs=max_queued_jobs,
            max_running_jobs=max_running_jobs,
            redact_pattern=redact_pattern,
            retention_days=retention_days,
        )

        return workspace_settings_patch
