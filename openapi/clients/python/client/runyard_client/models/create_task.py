from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateTask")


@_attrs_define
class CreateTask:
    """Create an agent task: a long-lived piece of work whose jobs can be paused into a
    snapshot and resumed.

        Attributes:
            title (str): 1–200 characters.
            metadata (Any | Unset): Free-form JSON object kept with the task.
    """

    title: str
    metadata: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        metadata = self.metadata

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "title": title,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title")

        metadata = d.pop("metadata", UNSET)

        create_task = cls(
            title=title,
            metadata=metadata,
        )

        return create_task
