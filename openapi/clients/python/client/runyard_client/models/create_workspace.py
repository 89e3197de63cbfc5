from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="CreateWorkspace")


@_attrs_define
class CreateWorkspace:
    """Create a workspace; the caller becomes its owner.

    Example:
        {'name': 'Acme builds', 'slug': 'acme-builds'}

    Attributes:
        name (str): Display name.
        slug (str): Unique, URL-safe: 3–63 of `a-z 0-9 -`, starting with a letter.
    """

    name: str
    slug: str

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        slug = self.slug

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "slug": slug,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        slug = d.pop("slug")

        create_workspace = cls(
            name=name,
            slug=slug,
        )

        return create_workspace
