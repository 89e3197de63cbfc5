from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Problem")


@_attrs_define
class Problem:
    """A problem detail (RFC 9457).

    Example:
        {'code': 'validation_failed', 'detail': 'priority: must be between -100 and 100', 'field': 'priority', 'status':
            422, 'title': 'Unprocessable Entity', 'type': 'urn:runyard:problem:validation_failed'}

    Attributes:
        code (str): Stable machine-readable code, e.g. `validation_failed`, `not_found`.
        detail (str): What went wrong this time, in words a person can act on.
        status (int): The HTTP status code.
        title (str): Short, human-readable summary of the kind of problem.
        type_ (str): A URI naming the kind of problem: `urn:runyard:problem:<code>`.
        field (str | Unset): The request field at fault, for input errors.
        request_id (str | Unset): The id of the request (as in its `X-Request-Id` response header), to find it in
            the server's log.
    """

    code: str
    detail: str
    status: int
    title: str
    type_: str
    field: str | Unset = UNSET
    request_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        detail = self.detail

        status = self.status

        title = self.title

        type_ = self.type_

        field = self.field

        request_id = self.request_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "detail": detail,
                "status": status,
                "title": title,
                "type": type_,
            }
        )
        if field is not UNSET:
            field_dict["field"] = field
        if request_id is not UNSET:
            field_dict["request_id"] = request_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        detail = d.pop("detail")

        status = d.pop("status")

        title = d.pop("title")

        type_ = d.pop("type")

        field = d.pop("field", UNSET)

        request_id = d.pop("request_id", UNSET)

        problem = cls(
            code=code,
            detail=detail,
            status=status,
            title=title,
            type_=type_,
            field=field,
            request_id=request_id,
        )

        problem.additional_properties = d
        return problem

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
