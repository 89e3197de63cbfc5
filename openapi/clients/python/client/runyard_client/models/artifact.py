from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Artifact")


@_attrs_define
class Artifact:
    """
    Attributes:
        attempt (int): The attempt that uploaded it.
        content_type (str):
        created_at (datetime.datetime):
        name (str):
        sha256 (str): Hex SHA-256 of the content.
        size (int):
        status (str): `uploaded`, or `skipped`: declared but not produced (no content; see
            `skip_reason`).
        metadata (Any | Unset): A JSON object kept with the artifact.
        skip_reason (None | str | Unset):
        step_ordinal (int | None | Unset): The ordinal of the step that produced (or skipped) it.
    """

    attempt: int
    content_type: str
    created_at: datetime.datetime
    name: str
    sha256: str
    size: int
    status: str
    metadata: Any | Unset = UNSET
    skip_reason: None | str | Unset = UNSET
    step_ordinal: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        content_type = self.content_type

        created_at = self.created_at.isoformat()

        name = self.name

        sha256 = self.sha256

        size = self.size

        status = self.status

        metadata = self.metadata

        skip_reason: None | str | Unset
        if isinstance(self.skip_reason, Unset):
            skip_reason = UNSET
        else:
            skip_reason = self.skip_reason

        step_ordinal: int | None | Unset
        if isinstance(self.step_ordinal, Unset):
            step_ordinal = UNSET
        else:
            step_ordinal = self.step_ordinal

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempt": attempt,
                "content_type": content_type,
                "created_at": created_at,
                "name": name,
                "sha256": sha256,
                "size": size,
                "status": status,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if skip_reason is not UNSET:
            field_dict["skip_reason"] = skip_reason
        if step_ordinal is not UNSET:
            field_dict["step_ordinal"] = step_ordinal

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        content_type = d.pop("content_type")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        name = d.pop("name")

        sha256 = d.pop("sha256")

        size = d.pop("size")

        status = d.pop("status")

        metadata = d.pop("metadata", UNSET)

        def _parse_skip_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        skip_reason = _parse_skip_reason(d.pop("skip_reason", UNSET))

        def _parse_step_ordinal(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        step_ordinal = _parse_step_ordinal(d.pop("step_ordinal", UNSET))

        artifact = cls(
            attempt=attempt,
            content_type=content_type,
            created_at=created_at,
            name=name,
            sha256=sha256,
            size=size,
            status=status,
            metadata=metadata,
            skip_reason=skip_reason,
            step_ordinal=step_ordinal,
        )

        artifact.additional_properties = d
        return artifact

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
