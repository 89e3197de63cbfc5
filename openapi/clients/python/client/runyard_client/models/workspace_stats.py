from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.minute_throughput import MinuteThroughput
    from ..models.percentiles import Percentiles
    from ..models.runner_load import RunnerLoad
    from ..models.status_count import StatusCount


T = TypeVar("T", bound="WorkspaceStats")


@_attrs_define
class WorkspaceStats:
    """A workspace's queue at a glance.

    Attributes:
        at (datetime.datetime): When the figures were read.
        counts (list[StatusCount]): Jobs by status; every status is listed.
        queue_wait (Percentiles): Percentiles over the last hour, in milliseconds; null without samples.
        run_time (Percentiles): Percentiles over the last hour, in milliseconds; null without samples.
        running_by_runner (list[RunnerLoad]):
        throughput (list[MinuteThroughput]): Completed and failed jobs per minute over the last hour, oldest minute
            first.
        oldest_queued_seconds (float | None | Unset): How long the longest-waiting `QUEUED` job has been claimable; null
            when none is.
    """

    at: datetime.datetime
    counts: list[StatusCount]
    queue_wait: Percentiles
    run_time: Percentiles
    running_by_runner: list[RunnerLoad]
    throughput: list[MinuteThroughput]
    oldest_queued_seconds: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        counts = []
        for counts_item_data in self.counts:
            counts_item = counts_item_data.to_dict()
            counts.append(counts_item)

        queue_wait = self.queue_wait.to_dict()

        run_time = self.run_time.to_dict()

        running_by_runner = []
        for running_by_runner_item_data in self.running_by_runner:
            running_by_runner_item = running_by_runner_item_data.to_dict()
            running_by_runner.append(running_by_runner_item)

        throughput = []
        for throughput_item_data in self.throughput:
            throughput_item = throughput_item_data.to_dict()
            throughput.append(throughput_item)

        oldest_queued_seconds: float | None | Unset
        if isinstance(self.oldest_queued_seconds, Unset):
            oldest_queued_seconds = UNSET
        else:
            oldest_queued_seconds = self.oldest_queued_seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "counts": counts,
                "queue_wait": queue_wait,
                "run_time": run_time,
                "running_by_runner": running_by_runner,
                "throughput": throughput,
            }
        )
        if oldest_queued_seconds is not UNSET:
            field_dict["oldest_queued_seconds"] = oldest_queued_seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.minute_throughput import MinuteThroughput  # noqa: PLC0415
        from ..models.percentiles import Percentiles  # noqa: PLC0415
        from ..models.runner_load import RunnerLoad  # noqa: PLC0415
        from ..models.status_count import StatusCount  # noqa: PLC0415

        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        counts = []
        _counts = d.pop("counts")
        for counts_item_data in _counts:
            counts_item = StatusCount.from_dict(counts_item_data)

            counts.append(counts_item)

        queue_wait = Percentiles.from_dict(d.pop("queue_wait"))

        run_time = Percentiles.from_dict(d.pop("run_time"))

        running_by_runner = []
        _running_by_runner = d.pop("running_by_runner")
        for running_by_runner_item_data in _running_by_runner:
            running_by_runner_item = RunnerLoad.from_dict(running_by_runner_item_data)

            running_by_runner.append(running_by_runner_item)

        throughput = []
        _throughput = d.pop("throughput")
        for throughput_item_data in _throughput:
            throughput_item = MinuteThroughput.from_dict(throughput_item_data)

            throughput.append(throughput_item)

        def _parse_oldest_queued_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        oldest_queued_seconds = _parse_oldest_queued_seconds(d.pop("oldest_queued_seconds", UNSET))

        workspace_stats = cls(
            at=at,
            counts=counts,
            queue_wait=queue_wait,
            run_time=run_time,
            running_by_runner=running_by_runner,
            throughput=throughput,
            oldest_queued_seconds=oldest_queued_seconds,
        )

        workspace_stats.additional_properties = d
        return workspace_stats

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
