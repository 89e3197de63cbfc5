from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Readiness")


@_attrs_define
class Readiness:
    """Readiness: whether the database answers and its schema is the one this server expects.

    Attributes:
        database (str):
        expected_schema_version (str): The newest migration this server knows.
        schema_problems (list[str]): Applied migrations that do not match this server: changed since they were applied
            (both checksums named) or unknown to it. Not ready while any is listed.
        status (str): `ready` or `not_ready`.
        schema_version (None | str | Unset): The newest migration applied to the database, if any.
    """

    database: str
    expected_schema_version: str
    schema_problems: list[str]
    status: str
    schema_version: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        database = self.database

        expected_schema_version = self.expected_schema_version

        schema_problems = self.schema_problems

        status = self.status

        schema_version: None | str | Unset
        if isinstance(self.schema_version, Unset):
            schema_version = UNSET
        else:
            schema_version = self.schema_version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "database": database,
                "expected_schema_version": expected_schema_version,
                "schema_problems": schema_problems,
                "status": status,
            }
        )
        if schema_version is not UNSET:
            field_dict["schema_version"] = schema_version

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        database = d.pop("database")

        expected_schema_version = d.pop("expected_schema_version")

        schema_problems = cast(list[str], d.pop("schema_problems"))

        status = d.pop("status")

        def _parse_schema_version(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        schema_version = _parse_schema_version(d.pop("schema_version", UNSET))

        readiness = cls(
            database=database,
            expected_schema_version=expected_schema_version,
            schema_problems=schema_problems,
            status=status,
            schema_version=schema_version,
        )

        readiness.additional_properties = d
        return readiness

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
