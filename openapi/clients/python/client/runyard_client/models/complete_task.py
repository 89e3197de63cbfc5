from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.task_outcome import TaskOutcome
from ..types import UNSET, Unset

T = TypeVar("T", bound="CompleteTask")


@_attrs_define
class CompleteTask:
    """Finish a task.

    Attributes:
        status (None | TaskOutcome | Unset): `completed` (default) or `failed`.
    """

    status: None | TaskOutcome | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, TaskOutcome):
            status = self.status.value
        else:
            status = self.status

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_status(data: object) -> None | TaskOutcome | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = TaskOutcome(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TaskOutcome | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        complete_task = cls(
            status=status,
        )

        return complete_task
