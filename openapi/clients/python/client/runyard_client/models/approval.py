from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Approval")


@_attrs_define
class Approval:
    """An approval decision: a job created with `requires_approval`, or one of its `GATE`
    steps, approved or rejected.

        Attributes:
            decided_at (datetime.datetime):
            decided_by (str): Who decided: `user:<sub>`.
            decision (str): `approved` or `rejected`.
            id (UUID):
            comment (None | str | Unset):
            step_id (None | Unset | UUID): The gate step it answered; null for a job created with `requires_approval`.
            step_ordinal (int | None | Unset):
    """

    decided_at: datetime.datetime
    decided_by: str
    decision: str
    id: UUID
    comment: None | str | Unset = UNSET
    step_id: None | Unset | UUID = UNSET
    step_ordinal: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        decided_at = self.decided_at.isoformat()

        decided_by = self.decided_by

        decision = self.decision

        id = str(self.id)

        comment: None | str | Unset
        if isinstance(self.comment, Unset):
            comment = UNSET
        else:
            comment = self.comment

        step_id: None | str | Unset
        if isinstance(self.step_id, Unset):
            step_id = UNSET
        elif isinstance(self.step_id, UUID):
            step_id = str(self.step_id)
        else:
            step_id = self.step_id

        step_ordinal: int | None | Unset
        if isinstance(self.step_ordinal, Unset):
            step_ordinal = UNSET
        else:
            step_ordinal = self.step_ordinal

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "decided_at": decided_at,
                "decided_by": decided_by,
                "decision": decision,
                "id": id,
            }
        )
        if comment is not UNSET:
            field_dict["comment"] = comment
        if step_id is not UNSET:
            field_dict["step_id"] = step_id
        if step_ordinal is not UNSET:
            field_dict["step_ordinal"] = step_ordinal

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        decided_at = datetime.datetime.fromisoformat(d.pop("decided_at"))

        decided_by = d.pop("decided_by")

        decision = d.pop("decision")

        id = UUID(d.pop("id"))

        def _parse_comment(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        comment = _parse_comment(d.pop("comment", UNSET))

        def _parse_step_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                step_id_type_0 = UUID(data)

                return step_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        step_id = _parse_step_id(d.pop("step_id", UNSET))

        def _parse_step_ordinal(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        step_ordinal = _parse_step_ordinal(d.pop("step_ordinal", UNSET))

        approval = cls(
            decided_at=decided_at,
            decided_by=decided_by,
            decision=decision,
            id=id,
            comment=comment,
            step_id=step_id,
            step_ordinal=step_ordinal,
        )

        approval.additional_properties = d
        return approval

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
