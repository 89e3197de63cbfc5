from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.role import Role

if TYPE_CHECKING:
    from ..models.workspace_settings import WorkspaceSettings


T = TypeVar("T", bound="Workspace")


@_attrs_define
class Workspace:
    """
    Example:
        {'created_at': '2026-12-03T09:00:00Z', 'id': '01938a6d-2f00-7a51-8c3e-5b7d9e0f1a22', 'name': 'Acme builds',
            'role': 'owner', 'settings': {'auto_pause_after_seconds': None, 'max_queued_jobs': None, 'max_running_jobs':
            None, 'retention_days': None}, 'slug': 'acme-builds', 'updated_at': '2026-12-03T09:00:00Z'}

    Attributes:
        created_at (datetime.datetime):
        id (UUID):
        name (str):
        role (Role): A member's role, from most to least powerful.
        settings (WorkspaceSettings): A workspace's limits and sweeps. Absent (null) means no limit / off.
        slug (str):
        updated_at (datetime.datetime):
    """

    created_at: datetime.datetime
    id: UUID
    name: str
    role: Role
    settings: WorkspaceSettings
    slug: str
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        id = str(self.id)

        name = self.name

        role = self.role.value

        settings = self.settings.to_dict()

        slug = self.slug

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "name": name,
                "role": role,
                "settings": settings,
                "slug": slug,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.workspace_settings import WorkspaceSettings  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        name = d.pop("name")

        role = Role(d.pop("role"))

        settings = WorkspaceSettings.from_dict(d.pop("settings"))

        slug = d.pop("slug")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        workspace = cls(
            created_at=created_at,
            id=id,
            name=name,
            role=role,
            settings=settings,
            slug=slug,
            updated_at=updated_at,
        )

        workspace.additional_properties = d
        return workspace

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
