from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.create_job import CreateJob


T = TypeVar("T", bound="CreateJobBatch")


@_attrs_define
class CreateJobBatch:
    """Many jobs to enqueue together: all or none.

    Attributes:
        jobs (list[CreateJob]): 1 to 1000 jobs.
    """

    jobs: list[CreateJob]

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
        from ..models.create_job import CreateJob  # noqa: PLC0415

        d = dict(src_dict)
        jobs = []
        _jobs = d.pop("jobs")
        for jobs_item_data in _jobs:
            jobs_item = CreateJob.from_dict(jobs_item_data)

            jobs.append(jobs_item)

        create_job_batch = cls(
            jobs=jobs,
        )

        return create_job_batch
