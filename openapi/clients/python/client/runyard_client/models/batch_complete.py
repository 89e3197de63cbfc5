from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.complete_item import CompleteItem


T = TypeVar("T", bound="BatchComplete")


@_attrs_define
class BatchComplete:
    """
    Attributes:
        jobs (list[CompleteItem]): 1 to 1000 jobs, each at most once.
    """

    jobs: list[CompleteItem]

    def to_dict(self) -> dict[str, Any]:
        jobs = []
        for jobs_item_data in self.jobs:
            jobs_item = jobs_item_data.to_dict()
            jobs.append(jobs_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "jobs": jobs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.complete_item import CompleteItem  # noqa: PLC0415

        d = dict(src_dict)
        jobs = []
        _jobs = d.pop("jobs")
        for jobs_item_data in _jobs:
            jobs_item = CompleteItem.from_dict(jobs_item_data)

            jobs.append(jobs_item)

        batch_complete = cls(
            jobs=jobs,
        )

        return batch_complete
