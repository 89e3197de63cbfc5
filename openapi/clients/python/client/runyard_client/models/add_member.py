from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.role import Role

T = TypeVar("T", bound="AddMember")


@_attrs_define
class AddMember:
    """Add a member.

    Attributes:
        role (Role): A member's role, from most to least powerful.
        subject (str): The member's JWT `sub`.
    """

    role: Role
    subject: str

    def to_dict(self) -> dict[str, Any]:
        role = self.role.value

        subject = self.subject

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "role": role,
                "subject": subject,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        role = Role(d.pop("role"))

        subject = d.pop("subject")

        add_member = cls(
            role=role,
            subject=subject,
        )

        return add_member
