from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ClaimRequest")


@_attrs_define
class ClaimRequest:
    """Ask for work.

    Example:
        {'max_jobs': 4, 'wait_seconds': 30}

    Attributes:
        max_jobs (int | None | Unset): At most this many jobs, 1–1000 (default 1).
        wait_seconds (int | None | Unset): Wait up to this long for work when none is claimable now, 0–60 (default 0).
    """

    max_jobs: int | None | Unset = UNSET
    wait_seconds: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        max_jobs: int | None | Unset
        if isinstance(self.max_jobs, Unset):
            max_jobs = UNSET
        else:
            max_jobs = self.max_jobs

        wait_seconds: int | None | Unset
        if isinstance(self.wait_seconds, Unset):
            wait_seconds = UNSET
        else:
            wait_seconds = self.wait_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if max_jobs is not UNSET:
            field_dict["max_jobs"] = max_jobs
        if wait_seconds is not UNSET:
            field_dict["wait_seconds"] = wait_seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_max_jobs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_jobs = _parse_max_jobs(d.pop("max_jobs", UNSET))

        def _parse_wait_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        wait_seconds = _parse_wait_seconds(d.pop("wait_seconds", UNSET))

        claim_request = cls(
            max_jobs=max_jobs,
            wait_seconds=wait_seconds,
        )

        return claim_request
