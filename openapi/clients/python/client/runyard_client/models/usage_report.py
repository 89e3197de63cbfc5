from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.usage_group_by import UsageGroupBy
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.usage_item import UsageItem


T = TypeVar("T", bound="UsageReport")


@_attrs_define
class UsageReport:
    """The workspace's usage over `[from, to)`, the costliest group first (at most 1000).

    Attributes:
        from_ (datetime.datetime):
        group_by (UsageGroupBy): What the usage roll-up groups by.
        items (list[UsageItem]):
        to (datetime.datetime):
        then_by (None | Unset | UsageGroupBy):
    """

    from_: datetime.datetime
    group_by: UsageGroupBy
    items: list[UsageItem]
    to: datetime.datetime
    then_by: None | Unset | UsageGroupBy = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_.isoformat()

        group_by = self.group_by.value

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        to = self.to.isoformat()

        then_by: None | str | Unset
        if isinstance(self.then_by, Unset):
            then_by = UNSET
        elif isinstance(self.then_by, UsageGroupBy):
            then_by = self.then_by.value
        else:
            then_by = self.then_by

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "from": from_,
                "group_by": group_by,
                "items": items,
                "to": to,
            }
        )
        if then_by is not UNSET:
            field_dict["then_by"] = then_by

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.usage_item import UsageItem  # noqa: PLC0415

        d = dict(src_dict)
        from_ = datetime.datetime.fromisoformat(d.pop("from"))

        group_by = UsageGroupBy(d.pop("group_by"))

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = UsageItem.from_dict(items_item_data)

            items.append(items_item)

        to = datetime.datetime.fromisoformat(d.pop("to"))

        def _parse_then_by(data: object) -> None | Unset | UsageGroupBy:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                then_by_type_0 = UsageGroupBy(data)

                return then_by_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UsageGroupBy, data)

        then_by = _parse_then_by(d.pop("then_by", UNSET))

        usage_report = cls(
            from_=from_,
            group_by=group_by,
            items=items,
            to=to,
            then_by=then_by,
        )

        usage_report.additional_properties = d
        return usage_report

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
