from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CompleteItem")


@_attrs_define
class CompleteItem:
    """
    Attributes:
        attempt (int):
        id (UUID):
        result (Any | Unset):
    """

    attempt: int
    id: UUID
    result: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        id = str(self.id)

        result = self.result

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "attempt": attempt,
                "id": id,
            }
        )
        if result is not UNSET:
            field_dict["result"] = result

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        id = UUID(d.pop("id"))

        result = d.pop("result", UNSET)

        complete_item = cls(
            attempt=attempt,
            id=id,
            result=result,
        )

        return complete_item
